"""Sequence classification on the sentence embedding: intents, or sentence pairs (PAWS-X)."""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError
from xalign.heads import LabelSpace


class SequenceClassificationHead(nn.Module):
    """``logits["intent"] [batch, intents]`` from the pooled sentence embedding; cross-entropy."""

    def __init__(self, hidden_size: int, labels: LabelSpace, dropout: float = 0.1):
        super().__init__()
        if not labels.intent_labels:
            raise ConfigError("sequence-classification head needs ModelConfig.intent_labels (the class names)")
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden_size, len(labels.intent_labels))

    def forward(self, token_states: torch.Tensor, sentence_embedding: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"intent": self.classifier(self.dropout(sentence_embedding))}

    def loss(self, logits: dict[str, torch.Tensor], batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        return {"intent": nn.functional.cross_entropy(logits["intent"].float(), batch["intent_labels"])}
