"""Slot types from the mean token state of each side (registry name ``slot-types-mean``).

A variant of CrossAligner & Co's slot-type loss (Gritta, Hu & Iacobacci, Findings of ACL 2022,
§3); the authors' own formulation is ``slot-types`` (:mod:`xalign_crossaligner.slot_types`).
The set of slot types in the English example (``{TIME, CITY}`` for "weather in berlin at
noon") is also the set in its translation, a sentence-level label that needs no word
alignment. Formula, over the pairs whose English row carries slot labels, for both the
English row and the translation::

    pooled  = sum_t mask[t] * token_states[t] / sum_t mask[t]      # masked mean, [hidden]
    logits  = W pooled + b                                          # [types], W owned by this loss
    present = multi-hot of the types of the English row's slot tags # B-X and I-X -> X; O -> none
    loss    = mean over (pairs, both sides, types) BCE-with-logits(logits, present)

How it differs from the authors' ``slot-types``: it reads the encoder's token states
directly (a linear layer on their masked mean) instead of the task head's per-position slot
logits flattened over a fixed length, so it does not depend on where in the row a word
stands nor on a maximum length; "O" is not a target; and the two sides are averaged, not
summed. The mean runs over real tokens only, so a sentence's loss does not depend on the
length of its batch-mates.

Inputs: ``source``/``target [pairs, hidden]`` (unused: the token states come from the
context), the context's ``encoded.token_states [rows, seq, hidden]``, the batch's
``attention_mask [rows, seq]`` and ``slot_labels [labelled, seq]`` (tag ids, -100 where
ignored).

Construction: ``SlotTypesMeanAligner(hidden_size, labels)``. The builder passes both (aligner
factories whose signature names them receive them), so the classifier exists before the
optimizer is made and is saved and restored with the model.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign import LabelSpace
from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext
from xalign_crossaligner.slot_types import IGNORE_INDEX, slot_type, slot_types


def masked_mean(token_states: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """``[rows, seq, hidden]``, ``[rows, seq]`` -> ``[rows, hidden]``: the mean over real tokens."""
    mask = attention_mask.to(torch.float32).unsqueeze(-1)
    return (token_states.float() * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class SlotTypesMeanAligner(nn.Module):
    """Multi-label slot-type prediction from the mean token state of English rows and translations (BCE)."""

    needs_context = True

    def __init__(self, hidden_size: int, labels: LabelSpace):
        super().__init__()
        self.types = slot_types(labels.slot_labels)
        if not self.types:
            raise ConfigError(
                "slot-types-mean aligner needs slot labels (ModelConfig.slot_labels with at least one "
                "non-O tag): use it with a slot-filling dataset and the joint-intent-slot head"
            )
        self.classifier = nn.Linear(hidden_size, len(self.types))
        index = {kind: position for position, kind in enumerate(self.types)}
        tag_to_type = [index[kind] if kind is not None else -1 for kind in map(slot_type, labels.slot_labels)]
        # Not persistent: derived from the label names, which the saved config already holds.
        self.register_buffer("tag_to_type", torch.tensor(tag_to_type, dtype=torch.long), persistent=False)

    def present(self, slot_labels: torch.Tensor) -> torch.Tensor:
        """``[rows, seq]`` tag ids (-100 ignored) -> ``[rows, types]`` multi-hot of the types present."""
        valid = slot_labels != IGNORE_INDEX
        kinds = self.tag_to_type[slot_labels.clamp(min=0)]
        valid &= kinds >= 0
        spare = len(self.types)  # a bin for O and ignored positions, dropped below
        multi_hot = torch.zeros(slot_labels.shape[0], spare + 1, device=slot_labels.device)
        multi_hot.scatter_(1, torch.where(valid, kinds, spare), 1.0)
        return multi_hot[:, :spare]

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("slot-types-mean needs the alignment context (token states and slot labels): call it as aligner(source, target, context=...)")
        batch = context.batch
        slot_labels = batch.get("slot_labels")
        if slot_labels is None:
            raise ConfigError("slot-types-mean needs slot labels in the batch: use a head that predicts slots (joint-intent-slot)")
        keep = context.source_rows < slot_labels.shape[0]
        if not bool(keep.any()):
            return context.encoded.token_states.sum() * 0.0
        english_rows, translated_rows = context.source_rows[keep], context.target_rows[keep]
        rows = torch.cat([english_rows, translated_rows])
        pooled = masked_mean(context.encoded.token_states[rows], batch["attention_mask"][rows])
        logits = self.classifier(pooled.to(self.classifier.weight.dtype)).float()
        present = self.present(slot_labels[english_rows])
        return nn.functional.binary_cross_entropy_with_logits(logits, torch.cat([present, present]))

    def extra_repr(self) -> str:
        return f"types={len(self.types)}"
