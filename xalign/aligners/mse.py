"""Mean squared error between paired sentence embeddings (XeroAlign, Gritta & Iacobacci 2021, §2).

``loss = mean_{i,d} (source[i, d] - target[i, d])^2`` over ``[batch, dim]``: zero exactly
when the two embeddings are equal; symmetric; invariant to reordering the pairs.
"""

from __future__ import annotations

import torch
from torch import nn


class MSEAligner(nn.Module):
    def forward(self, source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return nn.functional.mse_loss(source.float(), target.float())
