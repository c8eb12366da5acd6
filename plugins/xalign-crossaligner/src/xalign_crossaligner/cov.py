"""CoV weighting of the auxiliary losses, as CrossAligner & Co's code does it (registry name ``cov``).

Gritta, Hu & Iacobacci (Findings of ACL 2022, §3.4) weight their auxiliary (alignment)
losses by their coefficient of variation, after Groenendijk, Karaoglu, Gevers & Mensink
(WACV 2021): a loss that still moves relative to where it has been is still being learnt,
so it gets more weight. Their public code (``train.py`` of ``NLP/cross_aligner`` in
huawei-noah/noah-research) applies it as follows, and so does this class:

- the main (task) losses keep weight **1**: here every loss whose name is not ``align`` or
  ``align:<part>`` (``intent``, ``slots``, ``paraphrase``, ...);
- each auxiliary loss ``L_i`` is multiplied by its **raw** coefficient of variation, not
  normalised to sum to one or to the number of losses::

      ratio_i(t)  = L_i(t) / (mean_L_i(t-1) + 1e-8)         # ratio_i(1) = 1
      weight_i(1) = 1
      weight_i(t) = sqrt(var_ratio_i(t-1) + 1e-8) / mean_ratio_i(t-1)     for t >= 2

  where the mean and the (population) variance of the ratio run over steps ``1 .. t-1``
  (Welford's update), and ``mean_L_i`` is the plain running mean of the loss. The weight
  of step ``t`` uses statistics up to ``t-1``; at ``t = 2`` there is no spread yet and the
  weight is ``sqrt(1e-8) = 1e-4``, as in the authors' code. Typical weights afterwards are
  well below 1 (the ratios stay near 1), so the auxiliary losses count for less than with
  ``fixed`` weighting.

Weights are plain floats computed from detached values: no gradient flows through them.
Where xalign's setting differs from the authors' one, and what this class does:

- their set of auxiliary losses is fixed for a run; here each loss keeps its own statistics
  keyed by name, so a loss absent from a batch (no translations in it) neither breaks nor
  freezes the others, and a loss seen for the first time weighs 1, as at their first step;
- a non-finite loss value is not added to the statistics (their code would carry the NaN
  into every later weight), and the statistics use ``|L|`` so that a loss that can be
  negative cannot drive the mean ratio to zero: weights stay finite and positive;
- the trainer calls ``weights`` once per forward pass, i.e. per micro-batch under gradient
  accumulation, which is also where their code updates the statistics.

Statistics live in this object only: they are not saved in checkpoints, so a resumed run
starts them afresh. ``cov-all`` (:mod:`xalign_crossaligner.cov_all`) is the other scheme:
Groenendijk et al.'s weights over every loss, task losses included, normalised.
"""

from __future__ import annotations

import math

import attrs
import torch

# The objective names aligner losses ``align`` (one aligner) or ``align:<part>`` (a combination).
AUXILIARY_PREFIX = "align"
EPSILON = 1e-8  # the authors' epsilon, in the ratio's denominator and under the square root


def is_auxiliary(name: str) -> bool:
    """``align`` and ``align:<part>`` are auxiliary (alignment) losses; every other name is a main loss."""
    return name == AUXILIARY_PREFIX or name.startswith(AUXILIARY_PREFIX + ":")


@attrs.define
class RunningRatio:
    """Running statistics of one named loss: its mean, and the mean and spread of its ratio to that mean.

    ``update`` is Welford's algorithm over ``ratio(t) = L(t) / (mean_L(t-1) + 1e-8)`` with
    ``ratio(1) = 1``; ``decay`` (``None``: full running means) makes the means exponential,
    as Groenendijk et al.'s ``mean_sort="decay"``.
    """

    count: int = 0
    mean_loss: float = 0.0
    mean_ratio: float = 0.0
    sum_squares: float = 0.0  # Welford's M2 of the ratio

    def coefficient_of_variation(self) -> float:
        """``sqrt(M2 / count + 1e-8) / mean_ratio``; needs at least one observation."""
        # M2 is never negative in exact arithmetic; rounding may leave a tiny negative.
        return math.sqrt(max(self.sum_squares, 0.0) / self.count + EPSILON) / self.mean_ratio

    def update(self, loss: float, decay: float | None = None) -> None:
        ratio = 1.0 if self.count == 0 else loss / (self.mean_loss + EPSILON)
        keep = 0.0 if self.count == 0 else (decay if decay is not None else self.count / (self.count + 1))
        new_mean_ratio = keep * self.mean_ratio + (1 - keep) * ratio
        self.sum_squares += (ratio - self.mean_ratio) * (ratio - new_mean_ratio)
        self.mean_ratio = new_mean_ratio
        self.mean_loss = keep * self.mean_loss + (1 - keep) * loss
        self.count += 1


class CoVWeighting:
    """``weights(losses) -> {name: float}``: 1 for main losses, the raw CoV for each auxiliary loss."""

    def __init__(self):
        self.statistics: dict[str, RunningRatio] = {}

    def weights(self, losses: dict[str, torch.Tensor]) -> dict[str, float]:
        weights = {}
        for name, loss in losses.items():
            if not is_auxiliary(name):
                weights[name] = 1.0
                continue
            statistics = self.statistics.setdefault(name, RunningRatio())
            weights[name] = statistics.coefficient_of_variation() if statistics.count else 1.0
            value = float(loss.detach().float())
            if math.isfinite(value):
                statistics.update(abs(value))
        return weights
