"""Slot types, as CrossAligner & Co's code computes them (registry name ``slot-types``).

Gritta, Hu & Iacobacci (Findings of ACL 2022, §3, "CrossAligner"): the set of slot labels
in the English example (``{O, TIME, CITY}`` for "weather in berlin at noon") is also the
set in its translation, a sentence-level label that needs no word alignment. The authors'
public code (``CrossAligner`` in ``xlm_ra.py`` and its use in ``train.py``, ``NLP/cross_aligner``
in huawei-noah/noah-research) predicts it from the task's own slot logits, flattened over
the fixed padded length, with one linear layer; so does this class. For each side (the
English rows, then their translations)::

    slots   = head(token_states, sentence_embedding)["slots"]          # [rows, seq, tags], the task's slot classifier
    slots   = 0 where attention_mask == 0, then zero-padded to max_length # [rows, max_length, tags]
    logits  = W flatten(slots) + b                                      # [rows, labels], W: [labels, max_length * tags]
    present = multi-hot of the labels of the English row's tagged subwords: "O" and the bare slot types
    side    = mean over (rows, labels) BCE-with-logits(logits, present)
    loss    = side(English rows) + side(translations)                   # summed, as the authors do

``labels`` is ``("O", *types)`` with the B-/I- prefixes stripped, as the authors' label
space (their preprocessing stripped the prefixes). The gradient reaches the encoder through
the task's slot classifier, which this loss therefore trains as well; ``W`` is this loss's
own, and the same ``W`` serves both sides. Each English row counts once even when several
translations of it are in the batch; every translation counts once.

Where xalign differs from the authors' setting, and what this class does:

- **Tags.** The authors' slot head predicts bare types; xalign's predicts BIO tags, so
  ``tags`` (the width of the flattened logits) is the BIO tag count. The targets are bare
  types plus "O", as theirs.
- **Padding.** The authors pad every row to a fixed ``max_seq_len`` and attend to padding,
  so the padded positions' logits carry content. xalign pads each batch to its longest row
  and masks padding. To keep the authors' fixed-size flattened input, the logits are padded
  back up to ``max_length`` (the model's ``ModelConfig.max_length``) here, and every
  position whose attention mask is 0 (dynamic padding, or this fixed padding) contributes
  exactly zero. So a row's loss does not depend on how long its batch-mates are (a property
  test checks this). It does depend on *where* a word stands in the row: ``W`` has weights
  per position, as in the authors' code.
- **Length.** ``max_length`` must be at least the longest row of any batch, which the
  collator guarantees when both come from the same ``ModelConfig.max_length``; a longer
  batch raises :class:`~xalign.errors.ConfigError`.

Construction: ``SlotTypesAligner(labels, max_length)``. The builder passes ``labels`` (and
``max_length``, where the builder offers it: aligner factories receive the arguments their
signature names); without it ``max_length`` is ``ModelConfig``'s default. ``W`` exists
before the optimizer is made and is saved and restored with the model.
``slot-types-mean`` (:mod:`xalign_crossaligner.slot_types_mean`) is the other formulation:
a linear layer on the masked mean of the token states, "O" not a target.
"""

from __future__ import annotations

import attrs
import torch
from torch import nn

from xalign import LabelSpace, ModelConfig
from xalign.errors import ConfigError, ModelNotFoundError
from xalign.persistence import CONFIG_FILE
from xalign.training.objective import AlignmentContext

IGNORE_INDEX = -100
OUTSIDE = "O"
DEFAULT_MAX_LENGTH: int = attrs.fields(ModelConfig).max_length.default


def slot_type(tag: str) -> str | None:
    """``B-TIME``/``I-TIME`` -> ``TIME``; ``O`` -> ``None``; bare types stay as they are."""
    if tag == OUTSIDE:
        return None
    if len(tag) > 2 and tag[1] == "-" and tag[0] in "BIES":
        return tag[2:]
    return tag


def slot_types(slot_labels: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct slot types of a tag set, sorted."""
    return tuple(sorted({kind for kind in map(slot_type, slot_labels) if kind is not None}))


class SlotTypesAligner(nn.Module):
    """Multi-label prediction of the English row's slot labels from flattened slot logits, on both sides (BCE)."""

    needs_context = True

    def __init__(self, labels: LabelSpace, max_length: int = DEFAULT_MAX_LENGTH):
        super().__init__()
        types = slot_types(labels.slot_labels)
        if not types:
            raise ConfigError(
                "slot-types aligner needs slot labels (ModelConfig.slot_labels with at least one "
                "non-O tag): use it with a slot-filling dataset and the joint-intent-slot head"
            )
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ConfigError(f"slot-types aligner: max_length must be a positive integer, got {max_length!r}")
        self.labels = (OUTSIDE, *types)
        self.tags = len(labels.slot_labels)
        self.max_length = max_length
        self.classifier = nn.Linear(max_length * self.tags, len(self.labels))
        index = {kind: position for position, kind in enumerate(self.labels)}
        tag_to_label = [index[slot_type(tag) or OUTSIDE] for tag in labels.slot_labels]
        # Not persistent: derived from the label names, which the saved config already holds.
        self.register_buffer("tag_to_label", torch.tensor(tag_to_label, dtype=torch.long), persistent=False)

    def present(self, slot_labels: torch.Tensor) -> torch.Tensor:
        """``[rows, seq]`` tag ids (-100 ignored) -> ``[rows, labels]`` multi-hot of the labels present, "O" included."""
        valid = slot_labels != IGNORE_INDEX
        spare = len(self.labels)  # a bin for ignored positions, dropped below
        kinds = torch.where(valid, self.tag_to_label[slot_labels.clamp(min=0)], spare)
        multi_hot = torch.zeros(slot_labels.shape[0], spare + 1, device=slot_labels.device)
        multi_hot.scatter_(1, kinds, 1.0)
        return multi_hot[:, :spare]

    def flattened_slot_logits(self, context: AlignmentContext, rows: torch.Tensor) -> torch.Tensor:
        """The task head's slot logits of ``rows``, padding zeroed, padded to ``max_length``: ``[rows, max_length * tags]``."""
        encoded = context.encoded
        slots = context.head(encoded.token_states[rows], encoded.sentence_embedding[rows]).get("slots")
        if slots is None:
            raise ConfigError("slot-types needs a head that returns slot logits (joint-intent-slot or token-classification)")
        length = slots.shape[1]
        if length > self.max_length:
            raise ConfigError(
                f"slot-types was built for rows of at most max_length={self.max_length} tokens but a batch has {length}: "
                "build it with the model's ModelConfig.max_length (SlotTypesAligner(labels, max_length=...))"
            )
        real = context.batch["attention_mask"][rows].bool().unsqueeze(-1)
        slots = torch.where(real, slots.to(self.classifier.weight.dtype), 0.0)
        return nn.functional.pad(slots, (0, 0, 0, self.max_length - length)).flatten(1)

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("slot-types needs the alignment context (the head, token states and slot labels): call it as aligner(source, target, context=...)")
        slot_labels = context.batch.get("slot_labels")
        if slot_labels is None:
            raise ConfigError("slot-types needs slot labels in the batch: use a head that predicts slots (joint-intent-slot)")
        keep = context.source_rows < slot_labels.shape[0]
        if not bool(keep.any()):
            return context.encoded.token_states.sum() * 0.0
        english = torch.unique(context.source_rows[keep])
        sides = ((english, english), (context.target_rows[keep], context.source_rows[keep]))
        loss = 0.0
        for rows, english_rows in sides:
            logits = self.classifier(self.flattened_slot_logits(context, rows)).float()
            loss = loss + nn.functional.binary_cross_entropy_with_logits(logits, self.present(slot_labels[english_rows]))
        return loss

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
        saved = state_dict.get(prefix + "classifier.weight")
        if saved is not None and tuple(saved.shape) != tuple(self.classifier.weight.shape):
            raise ModelNotFoundError(
                f"the saved slot-types weight {prefix}classifier.weight has shape {tuple(saved.shape)}, this model's "
                f"{tuple(self.classifier.weight.shape)} (labels × max_length·tags = {len(self.labels)} × {self.max_length}·{self.tags}). "
                "A model saved by xalign-crossaligner 0.1 used the masked-mean variant under this name: set "
                f"model.aligner to name slot-types-mean instead of slot-types in the model's {CONFIG_FILE}; otherwise give the "
                "model the max_length it was trained with"
            )
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)

    def extra_repr(self) -> str:
        return f"labels={len(self.labels)}, max_length={self.max_length}, tags={self.tags}"
