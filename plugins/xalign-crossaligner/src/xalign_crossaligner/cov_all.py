"""CoV weighting of every loss, normalised (registry name ``cov-all``): Groenendijk et al.'s scheme.

Groenendijk, Karaoglu, Gevers & Mensink (WACV 2021) weight *all* losses of a multi-task
model by their coefficients of variation and normalise the weights. This is that scheme
over xalign's named losses, task losses included; it is **not** what CrossAligner & Co's
code does (that is ``cov``, :mod:`xalign_crossaligner.cov`: task losses at 1, raw CoV on the
auxiliary losses only). For each named loss ``L_i`` at step ``t``::

    ratio_i(t)  = L_i(t) / (mean_L_i(t-1) + 1e-8)        # ratio_i(1) = 1
    cv_i        = std(ratio_i) / mean(ratio_i)           # over the steps seen so far (Welford)
    weight_i    = K * cv_i / sum_j cv_j                  # K = number of losses

The weights of step ``t`` use statistics up to step ``t-1`` (as the reference code does);
for the first two observations of a loss there is no spread yet and every loss weighs 1.
The means are full running means, or exponential ones with ``decay`` (the reference's
``mean_sort="decay"``). Weights are plain floats computed from detached values, so no
gradient flows through them.

Choices, each for a reason:
- weights sum to ``K`` instead of 1 (``normalise="sum-to-one"`` gives Groenendijk et al.'s
  scale): with no statistics the scheme then equals ``fixed``, so learning rates and
  gradient clipping tuned for the plain sum still fit;
- each loss keeps its own statistics, keyed by name: a loss absent from a batch neither
  breaks nor freezes the others; a loss with no spread yet counts as the average of those
  that have one;
- ``cv`` is floored at ``min_cv`` so that a constant loss keeps a small positive weight
  (never exactly zero), and a non-finite loss value is not added to the statistics.

Statistics are not saved in checkpoints: a resumed run restarts them.
"""

from __future__ import annotations

import math

import torch

from xalign.errors import ConfigError
from xalign_crossaligner.cov import RunningRatio

NORMALISATIONS = ("sum-to-count", "sum-to-one")


class CoVAllWeighting:
    """``weights(losses) -> {name: float}``: normalised coefficient-of-variation weights of every loss."""

    def __init__(self, decay: float | None = None, normalise: str = "sum-to-count", min_cv: float = 1e-4):
        if decay is not None and not 0 <= decay < 1:
            raise ConfigError(f"cov-all weighting: decay must be in [0, 1) or None (full running mean), got {decay!r}")
        if normalise not in NORMALISATIONS:
            raise ConfigError(f"cov-all weighting: normalise must be one of {', '.join(NORMALISATIONS)}, got {normalise!r}")
        if not min_cv > 0:
            raise ConfigError(f"cov-all weighting: min_cv must be positive, got {min_cv!r}")
        self.decay = decay
        self.normalise = normalise
        self.min_cv = float(min_cv)
        self.statistics: dict[str, RunningRatio] = {}

    def _spread(self, name: str) -> float | None:
        statistics = self.statistics.get(name)
        if statistics is None or statistics.count < 2 or not statistics.mean_ratio > 0:
            return None
        cv = statistics.coefficient_of_variation()
        return max(cv, self.min_cv) if math.isfinite(cv) else None

    def weights(self, losses: dict[str, torch.Tensor]) -> dict[str, float]:
        values = {name: float(loss.detach().float()) for name, loss in losses.items()}
        known = {name: self._spread(name) for name in values}
        measured = [cv for cv in known.values() if cv is not None]
        scale = float(len(values)) if self.normalise == "sum-to-count" else 1.0
        if measured:
            average = sum(measured) / len(measured)
            spreads = {name: average if cv is None else cv for name, cv in known.items()}
            total = sum(spreads.values())
            weights = {name: scale * spread / total for name, spread in spreads.items()}
        else:
            weights = {name: scale / max(len(values), 1) for name in values}
        for name, value in values.items():
            if math.isfinite(value):
                self.statistics.setdefault(name, RunningRatio()).update(abs(value), self.decay)
        return weights
