"""Cosine distance between paired sentence embeddings.

``loss = mean_i (1 - cos(source[i], target[i]))`` over ``[batch, dim]``: in ``[0, 2]``,
invariant to scaling either embedding by a positive factor (only direction matters).
"""

from __future__ import annotations

import torch
from torch import nn


class CosineAligner(nn.Module):
    def forward(self, source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        similarity = nn.functional.cosine_similarity(source.float(), target.float(), dim=-1, eps=1e-8)
        return (1.0 - similarity).mean()
