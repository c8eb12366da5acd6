"""Slot projection: English gold slot labels carried onto the translation through a soft alignment.

The translation of a labelled English example has no slot labels, but its words are the
English words in another language. For one pair, English labelled words ``i`` (each word's
first subword, where ``slot_labels != -100``) with gold tag ``t_i``, translation word tokens
``j`` (padding, special tokens and prefix masked), cost ``c_ij = 1 - cos`` of their token
states and temperature ``τ``::

    Π        = Sinkhorn(exp(-c / τ)), rows 1/|english|, columns 1/|translation|      # the guard
    u_j      = Σ_i Π_ij onehot(type(t_i)) / Σ_i Π_ij          # projected slot-type distribution
    q_j      = BIO(u_j, u_{j-1})                              # B-X: u_j[X](1 - u_{j-1}[X]), I-X: u_j[X] u_{j-1}[X]
    p_j      = softmax(slot head(translation token state j))
    loss     = mean over translation word tokens of KL(q_j || p_j)

Types and BIO: the projection carries slot *types* (``B-TIME``/``I-TIME`` -> ``TIME``) and
rebuilds B/I on the translation side from the previous token, because word order and word
counts change in translation: an English ``B-X I-X`` may land in reverse order, or one
English word on two translation words, which copying tags would mark ``B-X B-X``. Label
sets without BIO prefixes are projected tag by tag (``bio="copy"`` does the same for BIO).

Guard against collapse: a softmax alignment of each translation token over the English words
(``normalisation="softmax"``) lets every token pick the same English "hub" word, and lets
the many ``O`` words soak up the few slot words, so the translation learns ``O`` everywhere.
The balanced transport plan cannot: every English word must send its whole share of mass
(``1/|english|``) somewhere in the translation, so the slot mass of the projected targets
equals that of the English gold labels (``slot_mass_ratio`` = 1), and no English word can
take more than its share of the translation. With ``record_statistics=True`` each call
appends ``slot_mass_ratio``, ``hub_share`` and ``entropy`` to ``self.statistics``; with
``log_every=N`` it also logs their means every N batches.

Gradient path: the plan and the projected targets are computed from detached token states
(a constant target, as in self-training); the loss trains the slot head and, through it, the
translation's token states only. The alignment itself is never trained to make the targets
easier (which would reward exactly the collapse above); English rows get no gradient.

Inputs: the context's token states, the batch's ``slot_labels [labelled, seq]`` and
``text_mask``, the task head (applied to the translation rows as in the task loss, dropout
included). Pairs whose English row carries no labels (alignment-only rows, unlabelled
examples) are skipped; with none left the loss is a zero that keeps the graph. A label space
without slot labels (sequence classification, PAWS-X) makes this loss a logged no-op, so one
``--aligner`` spec can run on every dataset. Cost: one head call on the translation rows and
``iterations`` log-sum-exps over ``[pairs, words, tokens]``.
"""

from __future__ import annotations

import logging
import math

import torch
from torch import nn

from xalign import LabelSpace
from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext
from xalign_tokenalign.alignment import cosine_cost, sinkhorn_plan, softmax_alignments, text_positions

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
OUTSIDE = "O"
NORMALISATIONS = ("sinkhorn", "softmax")
BIO_MODES = ("repair", "copy")


def split_tag(tag: str) -> tuple[str, str | None]:
    """``B-TIME`` -> ``("TIME", "B")``, ``I-TIME`` -> ``("TIME", "I")``, ``O`` or a bare type -> ``(tag, None)``."""
    if len(tag) > 2 and tag[1] == "-" and tag[0] in "BI":
        return tag[2:], tag[0]
    return tag, None


class TagSpace:
    """The slot tags as types plus B/I: which tag id starts or continues each type."""

    def __init__(self, slot_labels: tuple[str, ...], bio: str):
        parts = [split_tag(tag) for tag in slot_labels]
        self.is_bio = bio == "repair" and all(prefix is not None for tag, (_, prefix) in zip(slot_labels, parts) if tag != OUTSIDE)
        if not self.is_bio:  # every tag is its own type
            parts = [(tag, None) for tag in slot_labels]
        names = [name for name, _ in parts]
        self.types = tuple(dict.fromkeys(names))
        index = {name: position for position, name in enumerate(self.types)}
        self.tag_to_type = [index[name] for name in names]
        self.begin = [-1] * len(self.types)
        self.inside = [-1] * len(self.types)
        for tag_id, (name, prefix) in enumerate(parts):
            (self.inside if prefix == "I" else self.begin)[index[name]] = tag_id
        for kind in range(len(self.types)):  # a type seen only as B- or only as I- keeps all its mass there
            if self.begin[kind] < 0:
                self.begin[kind] = self.inside[kind]
            if self.inside[kind] < 0:
                self.inside[kind] = self.begin[kind]
        self.outside_type = index.get(OUTSIDE, -1)


class SlotProjectionAligner(nn.Module):
    """KL from English slot labels projected through a balanced soft alignment to the slot head's output on the translation."""

    needs_context = True

    def __init__(self, labels: LabelSpace, temperature: float = 0.05, normalisation: str = "sinkhorn", iterations: int = 30, bio: str = "repair",
                 train_encoder: bool = True, confidence: bool = False, record_statistics: bool = False, log_every: int = 0):
        super().__init__()
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ConfigError(f"slot-projection aligner: temperature must be a positive number, got {temperature!r}")
        if normalisation not in NORMALISATIONS:
            raise ConfigError(f"slot-projection aligner: normalisation must be one of {', '.join(NORMALISATIONS)}, got {normalisation!r}")
        if bio not in BIO_MODES:
            raise ConfigError(f"slot-projection aligner: bio must be one of {', '.join(BIO_MODES)}, got {bio!r}")
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ConfigError(f"slot-projection aligner: iterations must be a positive integer, got {iterations!r}")
        if isinstance(log_every, bool) or not isinstance(log_every, int) or log_every < 0:
            raise ConfigError(f"slot-projection aligner: log_every must be an integer >= 0 (0: never), got {log_every!r}")
        self.temperature = float(temperature)
        self.normalisation = normalisation
        self.iterations = iterations
        self.bio = bio
        self.log_every = log_every
        self.train_encoder = bool(train_encoder)
        self.confidence = bool(confidence)
        self.statistics: list[dict[str, float]] | None = [] if record_statistics or log_every else None
        self.enabled = bool(labels.slot_labels)
        if not self.enabled:
            logger.warning("slot-projection: the model has no slot labels (a sentence-level task); this aligner adds nothing")
            return
        self.tags = TagSpace(tuple(labels.slot_labels), bio)
        # Not persistent: derived from the label names, which the saved config holds.
        self.register_buffer("tag_to_type", torch.tensor(self.tags.tag_to_type, dtype=torch.long), persistent=False)
        self.register_buffer("begin_tag", torch.tensor(self.tags.begin, dtype=torch.long), persistent=False)
        self.register_buffer("inside_tag", torch.tensor(self.tags.inside, dtype=torch.long), persistent=False)

    def alignment(self, cost: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> torch.Tensor:
        """``[pairs, translation, english]``: each translation token's weights over the English words, rows summing to 1."""
        if self.normalisation == "sinkhorn":
            plan = sinkhorn_plan(cost, english_mask, translation_mask, self.temperature, self.iterations).transpose(1, 2)
            return plan / plan.sum(dim=2, keepdim=True).clamp(min=1e-30)
        _, backward = softmax_alignments(cost, english_mask, translation_mask, self.temperature)
        return backward

    def project(self, weights: torch.Tensor, english_tags: torch.Tensor, translation_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(types [pairs, translation, types], targets [pairs, translation, tags])`` from alignment weights and English tag ids."""
        english_types = nn.functional.one_hot(self.tag_to_type[english_tags.clamp(min=0)], len(self.tags.types)).float()
        types = (weights @ english_types) * translation_mask[:, :, None]  # [pairs, translation, types]
        tags = len(self.tags.tag_to_type)
        if not self.tags.is_bio:
            return types, types  # each tag is its own type: types and tags coincide
        previous = torch.cat([torch.zeros_like(types[:, :1]), types[:, :-1]], dim=1)
        previous = previous * torch.cat([torch.zeros_like(translation_mask[:, :1]), translation_mask[:, :-1]], dim=1)[:, :, None]
        continues = types * previous
        targets = torch.zeros(*types.shape[:2], tags, device=types.device)
        targets.index_add_(2, self.begin_tag, types - continues)
        targets.index_add_(2, self.inside_tag, continues)
        return types, targets

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("slot-projection needs the alignment context (token states, slot labels, head): call it as aligner(source, target, context=...)")
        states = context.encoded.token_states
        slot_labels = context.batch.get("slot_labels")
        if not self.enabled or slot_labels is None:
            return states.sum() * 0.0
        labelled = context.source_rows < slot_labels.shape[0]
        english_mask = torch.zeros(len(labelled), slot_labels.shape[1], dtype=torch.bool, device=states.device)
        english_mask[labelled] = slot_labels[context.source_rows[labelled]] != IGNORE_INDEX
        translation_mask = text_positions(context.batch, context.target_rows)
        usable = english_mask.any(dim=1) & translation_mask.any(dim=1)
        if not bool(usable.any()):
            return states.sum() * 0.0
        english_rows, translation_rows = context.source_rows[usable], context.target_rows[usable]
        english_mask, translation_mask = english_mask[usable], translation_mask[usable]
        with torch.no_grad():
            cost = cosine_cost(states[english_rows].detach(), states[translation_rows].detach())
            weights = self.alignment(cost, english_mask, translation_mask)
            english_tags = slot_labels[english_rows].masked_fill(~english_mask, 0)
            types, targets = self.project(weights, english_tags, translation_mask)
            if self.statistics is not None:
                self.record(self.collapse_statistics(weights, types, english_tags, english_mask, translation_mask))
        translation_states = states[translation_rows] if self.train_encoder else states[translation_rows].detach()
        logits = context.head(translation_states, context.encoded.sentence_embedding[translation_rows])
        if "slots" not in logits:
            raise ConfigError(f"slot-projection needs a head that returns slot logits (joint-intent-slot, token-classification); this head returns {sorted(logits)}")
        log_probabilities = torch.log_softmax(logits["slots"].float(), dim=-1)
        per_token = (targets * (torch.log(targets.clamp(min=1e-12)) - log_probabilities)).sum(dim=-1)
        if not self.confidence:
            return per_token[translation_mask].mean()
        # Confidence: 1 - normalised entropy of the projected type distribution, so a token
        # whose alignment spreads over words of different types teaches little.
        entropy = -(types * torch.log(types.clamp(min=1e-12))).sum(dim=-1) / math.log(max(len(self.tags.types), 2))
        weights = (1.0 - entropy).clamp(min=0.0) * translation_mask
        return (per_token * weights).sum() / weights.sum().clamp(min=1e-6)

    def record(self, statistics: dict[str, float]) -> None:
        """Keep one batch's collapse statistics; every ``log_every`` batches, log their recent means."""
        self.statistics.append(statistics)
        if self.log_every and len(self.statistics) % self.log_every == 0:
            recent = self.statistics[-self.log_every :]
            means = {key: sum(entry[key] for entry in recent) / len(recent) for key in statistics}
            logger.info("slot-projection (%s), batches %d-%d: %s", self.normalisation, len(self.statistics) - self.log_every + 1, len(self.statistics),
                        " ".join(f"{key}={value:.3f}" for key, value in means.items()))

    @torch.no_grad()
    def collapse_statistics(self, weights: torch.Tensor, types: torch.Tensor, english_tags: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> dict[str, float]:
        """How much slot mass the projection keeps, and how concentrated the alignment is, for one batch.

        ``slot_mass_ratio``: the projected non-O share of the translation tokens / the non-O
        share of the English words, summed over pairs (1: all slot labels carried across;
        0: everything projected to O; nan without slots).
        ``hub_share``: per pair, the largest share of translation tokens whose heaviest English
        word is one and the same word, averaged (1: all align to one word).
        ``entropy``: mean entropy of the projected type distributions / log(types) (0: confident).
        """
        outside = self.tags.outside_type
        slot_types = torch.ones(len(self.tags.types), dtype=torch.bool, device=types.device)
        if outside >= 0:
            slot_types[outside] = False
        # Per pair, then summed over pairs: the balanced plan keeps each pair's share exactly.
        english_slot = ((slot_types[self.tag_to_type[english_tags]] & english_mask).sum(dim=1) / english_mask.sum(dim=1)).sum()
        projected_slot = ((types[:, :, slot_types].sum(dim=-1) * translation_mask).sum(dim=1) / translation_mask.sum(dim=1)).sum()
        best = weights.argmax(dim=2)  # [pairs, translation]
        counts = torch.zeros(*english_mask.shape, device=types.device).scatter_add_(1, best, translation_mask.float())
        hub = (counts.max(dim=1).values / translation_mask.sum(dim=1)).mean()
        probabilities = types[translation_mask]
        entropy = -(probabilities * torch.log(probabilities.clamp(min=1e-12))).sum(dim=-1).mean() / max(torch.log(torch.tensor(float(len(self.tags.types)))).item(), 1e-12)
        return {
            "slot_mass_ratio": float(projected_slot / english_slot) if float(english_slot) > 0 else float("nan"),
            "hub_share": float(hub),
            "entropy": float(entropy),
        }

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, normalisation={self.normalisation!r}, bio={self.bio!r}, enabled={self.enabled}"
