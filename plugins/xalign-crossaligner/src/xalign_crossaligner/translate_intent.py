"""Translate-Intent: the task's intent classifier on the translation, trained with the English label.

CrossAligner & Co (Gritta, Hu & Iacobacci, Findings of ACL 2022, §3): a translation means
what its English original means, so the English example's intent label is a free label
for the translation. Formula, over the pairs whose English row carries a task label::

    logits = head(token_states[target_row], sentence_embedding[target_row])["intent"]   # [pairs, intents]
    loss   = mean_pairs  cross_entropy(logits, intent_labels[source_row])

Inputs: ``source``/``target [pairs, hidden]`` and the alignment context: the task head
(applied exactly as in the task loss, dropout included), the encoder's token states, the
batch's ``intent_labels`` (for its first ``num_labelled`` rows) and the row indices of each
pair. English rows that only serve alignment (``alignment_batch="random"``) have no label
and are left out; with no labelled pair the loss is a zero that keeps the graph.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext


class TranslateIntentAligner(nn.Module):
    """Cross-entropy of the head's intent logits on translations against the English labels."""

    needs_context = True

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("translate-intent needs the alignment context (the head and the labels): call it as aligner(source, target, context=...)")
        batch = context.batch
        labels = batch.get("intent_labels")
        if labels is None:
            raise ConfigError(
                "translate-intent needs intent labels: use a head that predicts sentence labels "
                "(sequence-classification or joint-intent-slot) and train with labelled examples"
            )
        labelled = min(int(batch.get("num_labelled", batch["num_source"])), labels.shape[0])
        keep = context.source_rows < labelled
        if not bool(keep.any()):
            return target.sum() * 0.0
        rows = context.target_rows[keep]
        logits = context.head(context.encoded.token_states[rows], target[keep])
        if "intent" not in logits:
            raise ConfigError(f"translate-intent needs a head that returns intent logits; this head returns {sorted(logits)}")
        return nn.functional.cross_entropy(logits["intent"].float(), labels[context.source_rows[keep]])
