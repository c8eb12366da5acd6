"""Loss weighting: how task and alignment losses are combined into the one loss we minimise.

A weighting returns a multiplier per named loss (no gradient flows through it); the total
is ``sum(multiplier[name] * static_weight[name] * loss[name])``, where static weights come
from the config (alignment weight, per-aligner weights). ``fixed`` multiplies by 1: the
paper's plain sum.
"""

from __future__ import annotations

import torch


class FixedWeighting:
    """Every loss counts with its configured weight (XeroAlign: task + alignment)."""

    def weights(self, losses: dict[str, torch.Tensor]) -> dict[str, float]:
        return {name: 1.0 for name in losses}
