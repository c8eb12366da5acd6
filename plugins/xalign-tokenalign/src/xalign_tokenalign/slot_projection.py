"""Slot projection: English gold slot labels carried onto the translation through a word alignment.

The translation of a labelled English example has no slot labels, but its words are the
English words in another language. For one pair, English labelled words ``i`` (each word's
first subword) with gold tag ``t_i``, translation units ``j`` (its text tokens, or its words:
``units``), the states ``a`` of encoder layer ``ℓ`` (detached) and cost
``c_ij = 1 - cos(a_i, a_j)``::

    i*(j)  = argmin_i c_ij                                   # each translation token's closest English word
    u_j    = onehot(type(t_{i*(j)}))                         # its projected slot type
    q_j    = B-X if u_j = X ≠ u_{j-1},  I-X if u_j = u_{j-1} = X,  O if u_j = O
    keep   = [spans of type X in q] == [spans of type X in t]  for every slot type X     # the guard
    loss   = mean over the kept pairs' translation units of  -log softmax(slot head(y_j))[q_j]

Units (``units``): by default every subword of the translation (``tokens``). ``units="words"``
treats words as the English labels do: a word's subwords are averaged into one vector before
aligning (a whole word aligns better than its first piece), the label is projected onto the
word and trained at its first subword only, and B/I are rebuilt from the previous word.
Words come from the collator's ``word_starts``; a run of more than ``max_word_pieces``
subwords without a space is no word but a stretch of a script written without spaces (Thai),
so its subwords are units of their own. Words project more accurately on labelled
translations but trained worse on the demo (README), so tokens stay the default.

Where the alignment is read (``layer``): by default two thirds up the encoder (layer 8 of
12, 16 of 24), where multilingual encoders align words best; the top layer, shaped by the
pretraining objective and by the task, aligns worse (measured in the README). ``layer=-1``
reads the last layer, any other integer that layer (0: the embeddings).

How it is normalised (``normalisation``): ``argmax`` (the default) gives each translation
token its closest English word. ``softmax`` (a temperature-``τ`` softmax over the English
words) and ``sinkhorn`` (the entropic transport plan with uniform marginals, which forces
every English word to send its share of mass somewhere) give soft targets and a KL loss;
both project less accurately than the argmax (README).

Types and BIO: the projection carries slot *types* (``B-TIME``/``I-TIME`` -> ``TIME``) and
rebuilds B/I on the translation side from the previous token, because word order and word
counts change in translation: an English ``B-X I-X`` may land in reverse order, or one
English word on two translation words, which copying tags would mark ``B-X B-X``. Label
sets without BIO prefixes are projected tag by tag (``bio="copy"`` does the same for BIO).

The guard (``consistency="spans"``): a translation names the same things as its source, so
its projection must have exactly the English number of spans of every slot type. A
projection that collapsed to ``O`` (the many ``O`` words soaking up the few slot words), that
piled the translation onto one "hub" word, or that split or merged a slot fails the check,
and its pair is left out of the loss: it teaches nothing rather than something wrong. With
``record_statistics=True`` each call appends ``slot_mass_ratio``, ``hub_share``, ``entropy``
and ``kept_share`` to ``self.statistics``; with ``log_every=N`` it logs their means every N
batches.

When (``start`` and ``ramp``, fractions of training, defaults 0.3 and 0.4): the projection is
only as good as the alignment under it, and that alignment forms during training (the
sentence-level loss pulls the two languages together); projecting from the first step also
cost intent accuracy on the demo. The loss is therefore zero for the first 30 % of training,
then its weight rises linearly to full strength over the next 40 % (at 70 %) and stays there
(read from ``context.progress``, which the trainer sets; outside ``xalign.train`` it is always
at full strength). ``ramp=0`` switches it on at once; with ``start + ramp > 1`` it never
reaches full strength.

Intent (``intent``, a weight, default 0): in the same phase and on the same kept translations,
the head's intent logits are also trained on the English example's intent (a translate-train
intent loss, costing nothing more: the head call already returns them), so the translation is
labelled for both tasks at once rather than for slots alone.

Which units, and how (``agreement``, ``robust``): ``agreement="mutual"`` trains only the
translation units whose closest English word has them as its own closest unit (the
intersection of the two argmax directions, more precise and sparser); ``robust=q`` replaces
the cross-entropy by the generalised cross-entropy ``(1 - p^q) / q`` of the projected tag's
probability ``p`` (Zhang & Sabuncu, 2018), bounded by ``1/q``, which gives less weight to the
units the model confidently disagrees with (noisy labels). Both are off by default: on the
demo neither lowered the intent cost (README).

Gradient path: the alignment and the projected targets are computed from detached token
states (a constant target, as in self-training); the loss trains the slot head and, through
it, the translation's token states only. The alignment itself is never trained to make the
targets easier (which would reward exactly the collapse above); English rows get no gradient.

Inputs: the context's token states and, for an inner layer, its ``hidden_states``; the
batch's ``slot_labels [labelled, seq]`` and ``text_mask``; the task head (applied to the
translation rows as in the task loss, dropout included). Pairs whose English row carries no
labels (alignment-only rows, unlabelled examples) are skipped; with none left the loss is a
zero that keeps the graph. A label space without slot labels (sequence classification,
PAWS-X) makes this loss a logged no-op, so one ``--aligner`` spec can run on every dataset.
Cost: one head call on the kept translation rows, the word means (two scatter-adds over one
layer's states) and one ``[pairs, positions, positions]`` cosine matrix (``sinkhorn`` adds
``iterations`` log-sum-exps over it), all without gradient.
"""

from __future__ import annotations

import logging
import math
from typing import NamedTuple

import torch
from torch import nn

from xalign import LabelSpace
from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext
from xalign_tokenalign.alignment import cosine_cost, mean_over_units, sinkhorn_plan, softmax_alignments, text_positions, word_units
from xalign_tokenalign.tags import TagSpace

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
NORMALISATIONS = ("argmax", "softmax", "sinkhorn")
BIO_MODES = ("repair", "copy")
CONSISTENCY_CHECKS = ("spans", "none")
UNITS = ("words", "tokens")
AGREEMENTS = ("any", "mutual")
AUTO_LAYER = "auto"


def alignment_layer(depth: int) -> int:
    """The layer aligned by default: two thirds of the way up (8 of 12, 16 of 24).

    Word alignments read from a multilingual encoder are best in its middle-upper layers and
    worse at the top, which pretraining shaped for masked-token prediction (Jalili Sabet et al.,
    SimAlign, 2020: layer 8 of mBERT and XLM-R base).
    """
    return max(1, round(2 * depth / 3))


def blocked_cost(cost: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> torch.Tensor:
    """``cost`` with every pair of positions that is not (English labelled word, translation unit) set to +inf, for argmins."""
    return cost.masked_fill(~(english_mask[:, :, None] & translation_mask[:, None, :]), math.inf)


class Projection(NamedTuple):
    """The labels projected onto the usable pairs of one batch (see ``project_batch``)."""

    pairs: torch.Tensor  # [usable] index of each usable pair in the context's pair order
    translation_rows: torch.Tensor  # [usable] batch row of each pair's translation
    translation_mask: torch.Tensor  # [usable, seq] the translation's text tokens
    types: torch.Tensor  # [usable, seq, types] projected slot-type distribution per token
    targets: torch.Tensor  # [usable, seq, tags] projected tag distribution (B/I rebuilt)
    keep: torch.Tensor  # [usable] bool: passed the consistency check
    trained: torch.Tensor  # [usable, seq] bool: the translation units the loss trains (``agreement``)


class SlotProjectionAligner(nn.Module):
    """The slot head on the translation, trained on English slot labels projected through a word alignment (pairs that pass the guard only)."""

    needs_context = True

    def __init__(self, labels: LabelSpace, temperature: float = 0.05, normalisation: str = "argmax", iterations: int = 30, bio: str = "repair",
                 layer: int | str = "auto", consistency: str = "spans", train_encoder: bool = True, start: float = 0.3, confidence: bool = False,
                 units: str = "tokens", max_word_pieces: int = 4, ramp: float = 0.4, intent: float = 0.0, agreement: str = "any", robust: float = 0.0,
                 record_statistics: bool = False, log_every: int = 0):
        super().__init__()
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ConfigError(f"slot-projection aligner: temperature must be a positive number, got {temperature!r}")
        if normalisation not in NORMALISATIONS:
            raise ConfigError(f"slot-projection aligner: normalisation must be one of {', '.join(NORMALISATIONS)}, got {normalisation!r}")
        if bio not in BIO_MODES:
            raise ConfigError(f"slot-projection aligner: bio must be one of {', '.join(BIO_MODES)}, got {bio!r}")
        if consistency not in CONSISTENCY_CHECKS:
            raise ConfigError(f"slot-projection aligner: consistency must be one of {', '.join(CONSISTENCY_CHECKS)}, got {consistency!r}")
        if layer != AUTO_LAYER and (isinstance(layer, bool) or not isinstance(layer, int)):
            raise ConfigError(f"slot-projection aligner: layer must be an integer (0: the embeddings, -1: the last layer) or {AUTO_LAYER!r}, got {layer!r}")
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ConfigError(f"slot-projection aligner: iterations must be a positive integer, got {iterations!r}")
        if units not in UNITS:
            raise ConfigError(f"slot-projection aligner: units must be one of {', '.join(UNITS)}, got {units!r}")
        if isinstance(max_word_pieces, bool) or not isinstance(max_word_pieces, int) or max_word_pieces < 1:
            raise ConfigError(f"slot-projection aligner: max_word_pieces must be a positive integer, got {max_word_pieces!r}")
        if isinstance(log_every, bool) or not isinstance(log_every, int) or log_every < 0:
            raise ConfigError(f"slot-projection aligner: log_every must be an integer >= 0 (0: never), got {log_every!r}")
        self.temperature = float(temperature)
        self.normalisation = normalisation
        self.iterations = iterations
        self.bio = bio
        self.layer = layer
        self.consistency = consistency
        self.log_every = log_every
        self.train_encoder = bool(train_encoder)
        if isinstance(start, bool) or not isinstance(start, (int, float)) or not 0.0 <= start < 1.0:
            raise ConfigError(f"slot-projection aligner: start must be a fraction of training in [0, 1) (0.3: after the first 30 %), got {start!r}")
        self.start = float(start)
        if isinstance(ramp, bool) or not isinstance(ramp, (int, float)) or not 0.0 <= ramp <= 1.0:
            raise ConfigError(f"slot-projection aligner: ramp must be a fraction of training in [0, 1] (0: full weight from start), got {ramp!r}")
        self.ramp = float(ramp)
        if isinstance(intent, bool) or not isinstance(intent, (int, float)) or not intent >= 0:
            raise ConfigError(f"slot-projection aligner: intent must be a weight >= 0 (0: slots only), got {intent!r}")
        self.intent = float(intent)
        if agreement not in AGREEMENTS:
            raise ConfigError(f"slot-projection aligner: agreement must be one of {', '.join(AGREEMENTS)}, got {agreement!r}")
        self.agreement = agreement
        if isinstance(robust, bool) or not isinstance(robust, (int, float)) or not 0.0 <= robust <= 1.0:
            raise ConfigError(f"slot-projection aligner: robust must be in [0, 1] (0: cross-entropy), got {robust!r}")
        self.robust = float(robust)
        self.units = units
        self.max_word_pieces = max_word_pieces
        self._warned_no_words = False
        self.confidence = bool(confidence)
        self.statistics: list[dict[str, float]] | None = [] if record_statistics or log_every else None
        self.enabled = bool(labels.slot_labels)
        self._warned_no_layers = False
        if not self.enabled:
            logger.warning("slot-projection: the model has no slot labels (a sentence-level task); this aligner adds nothing")
            return
        self.tags = TagSpace(tuple(labels.slot_labels), bio)
        # Not persistent: derived from the label names, which the saved config holds.
        self.register_buffer("tag_to_type", torch.tensor(self.tags.tag_to_type, dtype=torch.long), persistent=False)
        self.register_buffer("begin_tag", torch.tensor(self.tags.begin, dtype=torch.long), persistent=False)
        self.register_buffer("inside_tag", torch.tensor(self.tags.inside, dtype=torch.long), persistent=False)

    @property
    def needs_hidden_states(self) -> bool:
        """True unless the alignment reads the last layer, which every encoder call returns anyway."""
        return self.enabled and self.layer != -1

    def alignment_states(self, context: AlignmentContext) -> torch.Tensor:
        """``[rows, seq, hidden]``: the token states the alignment is computed from (``layer``)."""
        layers = getattr(context.encoded, "hidden_states", None)
        if self.layer == -1:
            return context.encoded.token_states
        if layers is None:
            if not self._warned_no_layers:
                logger.warning("slot-projection: the encoder returned no inner layers (hidden_states); aligning on the last layer instead of layer %r", self.layer)
                self._warned_no_layers = True
            return context.encoded.token_states
        depth = len(layers) - 1  # layers[0] holds the embeddings
        index = alignment_layer(depth) if self.layer == AUTO_LAYER else self.layer
        if not -len(layers) <= index <= depth:
            raise ConfigError(f"slot-projection aligner: layer {self.layer} does not exist; this encoder has layers 0 (embeddings) to {depth}, or -1 for the last")
        return layers[index]

    def unit_starts(self, batch: dict, text: torch.Tensor) -> torch.Tensor | None:
        """``[rows, seq]`` bool: where each projected label sits (``units="words"``), or ``None`` for every text token.

        ``text`` is every row's text mask. Words need the collator's ``word_starts`` (fast
        tokenizers); without them the projection falls back to tokens, once warned.
        """
        if self.units == "tokens":
            return None
        starts = batch.get("word_starts")
        if starts is None:
            if not self._warned_no_words:
                logger.warning("slot-projection: the batch has no word_starts (a slow tokenizer, or a batch made by hand); projecting onto every token instead of words")
                self._warned_no_words = True
            return None
        return word_units(starts, text, self.max_word_pieces)

    def alignment(self, cost: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> torch.Tensor:
        """``[pairs, translation, english]``: each translation token's weights over the English words, rows summing to 1."""
        if self.normalisation == "argmax":
            closest = blocked_cost(cost, english_mask, translation_mask).argmin(dim=1)  # [pairs, translation]
            return nn.functional.one_hot(closest, cost.shape[1]).float() * translation_mask[:, :, None]
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
        # The previous *unit*: the masked-in positions in order (words skip their other subwords).
        order = torch.sort((~translation_mask.bool()).to(torch.int8), dim=1, stable=True).indices
        compact = types.gather(1, order[:, :, None].expand_as(types))
        previous = torch.cat([torch.zeros_like(compact[:, :1]), compact[:, :-1]], dim=1)
        previous = torch.zeros_like(types).scatter_(1, order[:, :, None].expand_as(types), previous)
        continues = types * previous
        targets = torch.zeros(*types.shape[:2], tags, device=types.device)
        targets.index_add_(2, self.begin_tag, types - continues)
        targets.index_add_(2, self.inside_tag, continues)
        return types, targets

    def project_batch(self, context: AlignmentContext) -> Projection | None:
        """The projected labels of every usable pair of the batch (``None`` when there is none).

        A pair is usable when its English row carries slot labels and its translation has
        text tokens. Everything here is computed without gradient: the projection is a target.
        """
        slot_labels = context.batch.get("slot_labels")
        if not self.enabled or slot_labels is None:
            return None
        states = context.encoded.token_states
        text = text_positions(context.batch, torch.arange(states.shape[0], device=states.device))
        units = self.unit_starts(context.batch, text)
        labelled = context.source_rows < slot_labels.shape[0]
        english_mask = torch.zeros(len(labelled), slot_labels.shape[1], dtype=torch.bool, device=states.device)
        english_mask[labelled] = slot_labels[context.source_rows[labelled]] != IGNORE_INDEX
        if units is None:
            translation_mask = text[context.target_rows]
        else:
            english_mask &= units[context.source_rows]
            translation_mask = units[context.target_rows]
        usable = english_mask.any(dim=1) & translation_mask.any(dim=1)
        if not bool(usable.any()):
            return None
        pairs = usable.nonzero().flatten()
        english_rows, translation_rows = context.source_rows[pairs], context.target_rows[pairs]
        english_mask, translation_mask = english_mask[pairs], translation_mask[pairs]
        with torch.no_grad():
            aligned = self.alignment_states(context).detach()
            if units is not None:
                aligned = mean_over_units(aligned, units, text)
            cost = cosine_cost(aligned[english_rows], aligned[translation_rows])
            weights = self.alignment(cost, english_mask, translation_mask)
            english_tags = slot_labels[english_rows].masked_fill(~english_mask, 0)
            types, targets = self.project(weights, english_tags, translation_mask)
            keep = self.consistent(types, english_tags, english_mask, translation_mask)
            trained = self.agreed(cost, english_mask, translation_mask)
            if self.statistics is not None:
                self.record(self.collapse_statistics(weights, types, english_tags, english_mask, translation_mask, keep))
        return Projection(pairs, translation_rows, translation_mask, types, targets, keep, trained)

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("slot-projection needs the alignment context (token states, slot labels, head): call it as aligner(source, target, context=...)")
        states = context.encoded.token_states
        scale = self.schedule(context.progress)
        if scale == 0.0:
            return states.sum() * 0.0  # not yet: the alignment it projects through is still forming
        projection = self.project_batch(context)
        if projection is None or not bool(projection.keep.any()):
            return states.sum() * 0.0
        keep = projection.keep
        translation_rows, translation_mask = projection.translation_rows[keep], projection.trained[keep]
        if not bool(translation_mask.any()):
            return states.sum() * 0.0
        types, targets = projection.types[keep], projection.targets[keep]
        translation_states = states[translation_rows] if self.train_encoder else states[translation_rows].detach()
        logits = context.head(translation_states, context.encoded.sentence_embedding[translation_rows])
        if "slots" not in logits:
            raise ConfigError(f"slot-projection needs a head that returns slot logits (joint-intent-slot, token-classification); this head returns {sorted(logits)}")
        log_probabilities = torch.log_softmax(logits["slots"].float(), dim=-1)
        if self.robust:
            # Generalised cross-entropy (Zhang & Sabuncu 2018): (1 - p^q) / q of the target's probability.
            probability = (targets * log_probabilities.exp()).sum(dim=-1).clamp(min=1e-12)
            per_token = (1.0 - probability ** self.robust) / self.robust
        else:
            per_token = (targets * (torch.log(targets.clamp(min=1e-12)) - log_probabilities)).sum(dim=-1)
        intent = self.intent_loss(logits, context, projection.pairs[keep])
        if not self.confidence:
            return scale * (per_token[translation_mask].mean() + intent)
        # Confidence: 1 - normalised entropy of the projected type distribution, so a token
        # whose alignment spreads over words of different types teaches little.
        entropy = -(types * torch.log(types.clamp(min=1e-12))).sum(dim=-1) / math.log(max(len(self.tags.types), 2))
        weights = (1.0 - entropy).clamp(min=0.0) * translation_mask
        return scale * ((per_token * weights).sum() / weights.sum().clamp(min=1e-6) + intent)

    def intent_loss(self, logits: dict, context: AlignmentContext, pairs: torch.Tensor) -> torch.Tensor | float:
        """``intent`` × cross-entropy of the head's intent logits on the kept translations against their English intent (0 when off)."""
        labels = context.batch.get("intent_labels")
        if not self.intent or labels is None or "intent" not in logits:
            return 0.0
        return self.intent * nn.functional.cross_entropy(logits["intent"].float(), labels[context.source_rows[pairs]])

    def agreed(self, cost: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> torch.Tensor:
        """``[pairs, translation]`` bool: the translation units the loss trains.

        ``agreement="any"``: every unit. ``"mutual"``: only a unit whose closest English word
        has it as its own closest translation unit (the intersection of the two directions'
        argmax alignments, more precise than either direction alone: SimAlign, 2020).
        """
        if self.agreement == "any":
            return translation_mask
        blocked = blocked_cost(cost, english_mask, translation_mask)
        closest_english = blocked.argmin(dim=1)  # [pairs, translation]
        closest_translation = blocked.argmin(dim=2)  # [pairs, english]
        positions = torch.arange(cost.shape[2], device=cost.device)
        return translation_mask & (closest_translation.gather(1, closest_english) == positions)

    def schedule(self, progress: float | None) -> float:
        """The loss's weight at ``progress`` (the share of training done): 0 before ``start``, then
        rising linearly to 1 over ``ramp`` (at once when 0). Always 1 outside the trainer."""
        if progress is None or progress >= self.start + self.ramp:
            return 1.0
        if progress < self.start:
            return 0.0
        return (progress - self.start) / self.ramp

    def consistent(self, types: torch.Tensor, english_tags: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor) -> torch.Tensor:
        """``[pairs]`` bool: the pairs whose projected labels name the same slots as the English labels.

        A translation names the same things as its source: as many ``TIME`` spans, as many
        ``LOCATION`` spans, and so on. ``consistency="spans"`` keeps a pair only when the
        projection (each token's most likely type, B/I rebuilt as in the targets) has exactly
        the English number of spans of every slot type. A projection that collapsed to ``O``,
        piled onto one hub word, or split or merged a slot fails this check, and its pair
        teaches nothing, rather than something wrong. ``consistency="none"`` keeps every pair.
        """
        if self.consistency == "none":
            return torch.ones(types.shape[0], dtype=torch.bool, device=types.device)
        english_types = self.tag_to_type[english_tags]
        english_begins = self.begin_tag[english_types] == english_tags if self.tags.is_bio else torch.zeros_like(english_mask)
        english = self.tags.span_counts(english_types, english_mask, english_begins)
        projected = self.tags.span_counts(types.argmax(dim=-1), translation_mask, torch.zeros_like(translation_mask))
        return (english == projected).all(dim=1)

    def record(self, statistics: dict[str, float]) -> None:
        """Keep one batch's collapse statistics; every ``log_every`` batches, log their recent means."""
        self.statistics.append(statistics)
        if self.log_every and len(self.statistics) % self.log_every == 0:
            recent = self.statistics[-self.log_every :]
            means = {key: sum(entry[key] for entry in recent) / len(recent) for key in statistics}
            logger.info("slot-projection (%s), batches %d-%d: %s", self.normalisation, len(self.statistics) - self.log_every + 1, len(self.statistics),
                        " ".join(f"{key}={value:.3f}" for key, value in means.items()))

    @torch.no_grad()
    def collapse_statistics(self, weights: torch.Tensor, types: torch.Tensor, english_tags: torch.Tensor, english_mask: torch.Tensor, translation_mask: torch.Tensor,
                            keep: torch.Tensor | None = None) -> dict[str, float]:
        """How much slot mass the projection keeps, and how concentrated the alignment is, for one batch.

        ``slot_mass_ratio``: the projected non-O share of the translation tokens / the non-O
        share of the English words, summed over pairs (1: all slot labels carried across;
        0: everything projected to O; nan without slots).
        ``hub_share``: per pair, the largest share of translation tokens whose heaviest English
        word is one and the same word, averaged (1: all align to one word).
        ``entropy``: mean entropy of the projected type distributions / log(types) (0: confident).
        ``kept_share``: the share of pairs that pass the consistency check (1 without one).
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
            "kept_share": float(keep.float().mean()) if keep is not None else 1.0,
        }

    def extra_repr(self) -> str:
        return (f"temperature={self.temperature}, normalisation={self.normalisation!r}, layer={self.layer!r}, consistency={self.consistency!r}, "
                f"units={self.units!r}, start={self.start}, ramp={self.ramp}, agreement={self.agreement!r}, robust={self.robust}, bio={self.bio!r}, enabled={self.enabled}")
