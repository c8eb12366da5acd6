"""Token classification on every token state: slot filling (BIO tags)."""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError
from xalign.heads import LabelSpace


class TokenClassificationHead(nn.Module):
    """``logits["slots"] [batch, seq, tags]``; cross-entropy over labelled positions only (-100 ignored)."""

    def __init__(self, hidden_size: int, labels: LabelSpace, dropout: float = 0.1):
        super().__init__()
        if not labels.slot_labels:
            raise ConfigError("token-classification head needs ModelConfig.slot_labels (the BIO tag names)")
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, len(labels.slot_labels))

    def forward(self, token_states: torch.Tensor, sentence_embedding: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"slots": self.classifier(self.dropout(token_states))}

    def loss(self, logits: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        slot_logits = logits["slots"].float()
        labels = batch["slot_labels"]
        if not bool((labels != -100).any()):  # cross_entropy over no positions is NaN
            return {"slots": slot_logits.sum() * 0.0}
        return {"slots": nn.functional.cross_entropy(slot_logits.flatten(0, 1), labels.flatten(), ignore_index=-100)}
