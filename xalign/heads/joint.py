"""Joint intent detection and slot filling: both heads on one encoder, losses summed."""

from __future__ import annotations

import torch
from torch import nn

from xalign.heads import LabelSpace
from xalign.heads.classification import SequenceClassificationHead
from xalign.heads.token_classification import TokenClassificationHead


class JointIntentSlotHead(nn.Module):
    """``logits["intent"]`` and ``logits["slots"]``; ``loss`` returns both (the trainer sums them)."""

    def __init__(self, hidden_size: int, labels: LabelSpace, dropout: float = 0.1):
        super().__init__()
        self.intent = SequenceClassificationHead(hidden_size, labels, dropout)
        self.slots = TokenClassificationHead(hidden_size, labels, dropout)

    def forward(self, token_states: torch.Tensor, sentence_embedding: torch.Tensor) -> dict[str, torch.Tensor]:
        return {**self.intent(token_states, sentence_embedding), **self.slots(token_states, sentence_embedding)}

    def loss(self, logits: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {**self.intent.loss(logits, batch), **self.slots.loss(logits, batch)}
