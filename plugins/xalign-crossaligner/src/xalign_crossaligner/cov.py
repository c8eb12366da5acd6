"""Coefficient-of-variation loss weighting (Groenendijk, Karaoglu, Gevers & Mensink, WACV 2021),
as used by CrossAligner & Co (Gritta, Hu & Iacobacci, Findings of ACL 2022, §3.4).

A loss that is still moving relative to where it has been is still being learnt, so it
gets more weight. For each named loss ``L_i`` at step ``t``::

    ratio_i(t)  = L_i(t) / mean_L_i(t-1)                 # mean_L_i(-1) = L_i(0): first ratio is 1
    cv_i        = std(ratio_i) / mean(ratio_i)           # over the steps seen so far (Welford)
    weight_i    = K * cv_i / sum_j cv_j                  # K = number of losses

The weights of step ``t`` use statistics up to step ``t-1`` (as the reference code does);
for the first two observations of a loss there is no spread yet and every loss weighs 1.
The means are full running means, or exponential ones with ``decay`` (the reference's
``mean_sort="decay"``). Weights are plain floats computed from detached values, so no
gradient flows through them.

Differences from the reference, each for a reason:
- weights sum to ``K`` instead of 1 (``normalise="sum-to-one"`` restores the original):
  with no statistics the scheme then equals ``fixed``, so learning rates and gradient
  clipping tuned for the plain sum still fit;
- each loss keeps its own statistics, keyed by name: a loss absent from a batch (no
  translations in it) neither breaks nor freezes the others; a loss with no history yet
  counts as the average of those that have one;
- ``cv`` is floored at ``min_cv`` so that a constant loss keeps a small positive weight
  (never exactly zero), and a non-finite loss value is not added to the statistics.

Statistics live in this object only: they are not saved in checkpoints, so a resumed
run starts them afresh (the weights then equal ``fixed`` for two steps).
"""

from __future__ import annotations

import math

import attrs
import torch

from xalign.errors import ConfigError

NORMALISATIONS = ("sum-to-count", "sum-to-one")


@attrs.define
class RunningRatio:
    """Running statistics of one named loss: its mean, and the mean and spread of its ratio."""

    count: int = 0
    mean_loss: float = 0.0
    mean_ratio: float = 0.0
    sum_squares: float = 0.0  # Welford's M2 of the ratio

    def coefficient_of_variation(self) -> float | None:
        if self.count < 2 or self.mean_ratio <= 0:
            return None
        return math.sqrt(self.sum_squares / self.count + 1e-8) / self.mean_ratio

    def update(self, loss: float, decay: float | None, tiny: float) -> None:
        reference = self.mean_loss if self.count else loss
        ratio = loss / max(reference, tiny)
        keep = 0.0 if self.count == 0 else (decay if decay is not None else self.count / (self.count + 1))
        new_mean_ratio = keep * self.mean_ratio + (1 - keep) * ratio
        self.sum_squares += (ratio - self.mean_ratio) * (ratio - new_mean_ratio)
        self.mean_ratio = new_mean_ratio
        self.mean_loss = keep * self.mean_loss + (1 - keep) * loss
        self.count += 1


class CoVWeighting:
    """``weights(losses) -> {name: float}``: coefficient-of-variation weights, finite and positive."""

    def __init__(self, decay: float | None = None, normalise: str = "sum-to-count", min_cv: float = 1e-4):
        if decay is not None and not 0 <= decay < 1:
            raise ConfigError(f"cov weighting: decay must be in [0, 1) or None (full running mean), got {decay!r}")
        if normalise not in NORMALISATIONS:
            raise ConfigError(f"cov weighting: normalise must be one of {', '.join(NORMALISATIONS)}, got {normalise!r}")
        if not min_cv > 0:
            raise ConfigError(f"cov weighting: min_cv must be positive, got {min_cv!r}")
        self.decay = decay
        self.normalise = normalise
        self.min_cv = float(min_cv)
        self.statistics: dict[str, RunningRatio] = {}

    def weights(self, losses: dict[str, torch.Tensor]) -> dict[str, float]:
        values = {name: float(loss.detach().float()) for name, loss in losses.items()}
        known = {name: self.statistics.get(name, RunningRatio()).coefficient_of_variation() for name in values}
        measured = [max(cv, self.min_cv) for cv in known.values() if cv is not None and math.isfinite(cv)]
        if measured:
            average = sum(measured) / len(measured)
            spreads = {name: max(cv, self.min_cv) if cv is not None and math.isfinite(cv) else average for name, cv in known.items()}
            total = sum(spreads.values())
            scale = len(spreads) if self.normalise == "sum-to-count" else 1.0
            weights = {name: scale * spread / total for name, spread in spreads.items()}
        else:
            equal = 1.0 if self.normalise == "sum-to-count" else 1.0 / max(len(values), 1)
            weights = {name: equal for name in values}
        for name, value in values.items():
            if math.isfinite(value):
                self.statistics.setdefault(name, RunningRatio()).update(abs(value), self.decay, tiny=1e-12)
        return weights
