"""Poolers: token states -> one sentence embedding per row.

Shapes: ``token_states [batch, seq, hidden]``, ``attention_mask [batch, seq]`` (1 = real
token), result ``[batch, hidden]``. Rows are right-padded (the collator and the tokenizer
calls in :mod:`xalign.inference` pad on the right). Poolers know nothing of heads or losses.

Every pooling mode of sentence-transformers has a pooler here that computes the same
vector (tests/models/test_poolers.py checks each against the library), so a
sentence-transformers model loads with its own pooling and exports back to it.
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


class MaxPooler(nn.Module):
    """The element-wise maximum over the real tokens (sentence-transformers' ``max`` mode)."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        padding = attention_mask.unsqueeze(-1) == 0
        return token_states.masked_fill(padding, float("-inf")).max(dim=1).values


class MeanSqrtLengthPooler(nn.Module):
    """The sum of the real token states divided by the square root of their number
    (sentence-transformers' ``mean_sqrt_len_tokens`` mode)."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).to(token_states.dtype)
        return (token_states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0).sqrt()


class WeightedMeanPooler(nn.Module):
    """A mean weighted by position: the i-th real token (1-based) counts i times
    (sentence-transformers' ``weightedmean`` mode, used by decoder encoders such as SGPT,
    whose later tokens have seen more of the sentence). Rows are right-padded."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        positions = torch.arange(1, token_states.shape[1] + 1, device=token_states.device, dtype=token_states.dtype)
        weights = attention_mask.to(token_states.dtype) * positions  # [batch, seq]
        total = (token_states * weights.unsqueeze(-1)).sum(dim=1)
        return total / weights.sum(dim=1, keepdim=True).clamp(min=1e-9)


class LastTokenPooler(nn.Module):
    """The state of the last real token of each row (sentence-transformers' ``lasttoken``
    mode, for decoder encoders whose last token has attended to the whole sentence)."""

    def forward(self, token_states: torch.Tensor, attention_mask: torch.Tensor, pooler_output: torch.Tensor | None = None) -> torch.Tensor:
        rows = torch.arange(token_states.shape[0], device=token_states.device)
        last = (attention_mask.sum(dim=1) - 1).clamp(min=0)  # right padding: real tokens come first
        return token_states[rows, last]


# sentence-transformers' pooling modes and the registered xalign pooler that computes each.
SENTENCE_TRANSFORMERS_MODES = {
    "cls": "cls",
    "mean": "mean",
    "max": "max",
    "mean_sqrt_len_tokens": "mean-sqrt-len",
    "weightedmean": "weighted-mean",
    "lasttoken": "last-token",
}

# Every pooler of the core, by registered name (xalign.builtin registers this table).
POOLERS = {
    "cls": ClsPooler,
    "mean": MeanPooler,
    "pooler": ModelPooler,
    "max": MaxPooler,
    "mean-sqrt-len": MeanSqrtLengthPooler,
    "weighted-mean": WeightedMeanPooler,
    "last-token": LastTokenPooler,
}
