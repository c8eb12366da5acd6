"""Poolers: token states -> one sentence embedding per row.

Shapes: ``token_states [batch, seq, hidden]``, ``attention_mask [batch, seq]`` (1 = real
token), result ``[batch, hidden]``. Poolers know nothing of heads or losses.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError


class ClsPooler(nn.Module):
    """The first token's state (``<s>`` / ``[CLS]``), as in the paper's "CLS" embedding."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        return token_states[:, 0]


class MeanPooler(nn.Module):
    """The mean of the real (unmasked) token states; padding never contributes."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).to(token_states.dtype)
        total = (token_states * mask).sum(dim=1)
        return total / mask.sum(dim=1).clamp(min=1.0)


class ModelPooler(nn.Module):
    """The model's own pooler output (dense + tanh over the first token).

    The authors' reference code used XLM-R's pooler output as its "CLS" embedding.
    """

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        if pooler_output is None:
            raise ConfigError(
                "pooler 'pooler' needs the encoder's pooler output, but this encoder has no pooling "
                "layer; choose the 'cls' or 'mean' pooler instead"
            )
        return pooler_output
