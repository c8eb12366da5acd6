"""cov-all (Groenendijk et al.'s CoV over every loss, normalised): finite positive constants, their algorithm, the options."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from xalign.errors import ConfigError
from xalign_crossaligner import CoVAllWeighting

NAMES = ("intent", "slots", "align:mse", "align:contrastive")
loss_values = st.one_of(st.floats(0, 1e6), st.sampled_from([0.0, 1e-30, 1e30, float("nan"), float("inf")]))
steps = st.lists(st.dictionaries(st.sampled_from(NAMES), loss_values, min_size=1), min_size=1, max_size=25)


def as_tensors(values: dict[str, float], requires_grad: bool = False) -> dict[str, torch.Tensor]:
    return {name: torch.tensor(value, requires_grad=requires_grad) for name, value in values.items()}


@settings(max_examples=80, deadline=None)
@given(steps, st.sampled_from([None, 0.9]), st.sampled_from(["sum-to-count", "sum-to-one"]))
def test_cov_all_weights_are_finite_positive_and_normalised_for_any_loss_history(history, decay, normalise):
    weighting = CoVAllWeighting(decay=decay, normalise=normalise)
    for values in history:
        weights = weighting.weights(as_tensors(values))
        assert set(weights) == set(values)
        assert all(type(weight) is float and math.isfinite(weight) and weight > 0 for weight in weights.values())
        total = len(values) if normalise == "sum-to-count" else 1.0
        assert sum(weights.values()) == pytest.approx(total, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 10), st.floats(0.01, 10)), min_size=1, max_size=10))
def test_cov_all_weights_are_constants_that_receive_no_gradient(history):
    weighting = CoVAllWeighting()
    for first, second in history:
        losses = as_tensors({"intent": first, "align": second}, requires_grad=True)
        weights = weighting.weights(losses)
        assert all(not isinstance(weight, torch.Tensor) for weight in weights.values())
        total = sum(weights[name] * loss for name, loss in losses.items())
        total.backward()
        # d total / d loss is exactly the weight: nothing flowed through the weights themselves.
        assert all(losses[name].grad.item() == pytest.approx(weights[name], rel=1e-6) for name in losses)


def reference_cov(history: list[list[float]]) -> list[list[float]]:
    """Groenendijk et al.'s CoV-Weighting (full running means, Welford), weights scaled to sum to K."""
    count = len(history[0])
    mean_loss = torch.zeros(count, dtype=torch.float64)
    mean_ratio = torch.zeros(count, dtype=torch.float64)
    squares = torch.zeros(count, dtype=torch.float64)
    std = None
    out = []
    for step, values in enumerate(history):
        losses = torch.tensor(values, dtype=torch.float64)
        ratio = losses / (losses if step == 0 else mean_loss)
        alphas = torch.full((count,), 1.0 / count, dtype=torch.float64) if step <= 1 else (std / mean_ratio) / (std / mean_ratio).sum()
        keep = 0.0 if step == 0 else 1.0 - 1.0 / (step + 1)
        new_mean = keep * mean_ratio + (1 - keep) * ratio
        squares += (ratio - mean_ratio) * (ratio - new_mean)
        mean_ratio = new_mean
        std = torch.sqrt(squares / (step + 1) + 1e-8)
        mean_loss = keep * mean_loss + (1 - keep) * losses
        out.append((alphas * count).tolist())
    return out


def test_cov_all_follows_groenendijk_et_als_algorithm():
    generator = torch.Generator().manual_seed(0)
    history = [[2.0 * 0.97**t + 0.3 * float(torch.rand(1, generator=generator)), 1.0 + 0.01 * t, 0.5 * 0.8**t] for t in range(12)]
    weighting = CoVAllWeighting()
    ours = [list(weighting.weights(as_tensors(dict(zip(NAMES, values)))).values()) for values in history]
    for mine, theirs in zip(ours, reference_cov(history)):
        assert mine == pytest.approx(theirs, rel=1e-5)  # our losses arrive as float32 tensors


def test_cov_all_gives_more_weight_to_a_loss_that_still_moves():
    weighting = CoVAllWeighting()
    for step in range(10):
        weights = weighting.weights(as_tensors({"steady": 1.0, "falling": 1.0 / (step + 1)}))
    assert weights["falling"] > 1.0 > weights["steady"] > 0


def test_cov_all_starts_like_fixed_weights_and_counts_a_new_loss_as_average():
    weighting = CoVAllWeighting()
    assert weighting.weights(as_tensors({"intent": 3.0, "align": 1.0})) == {"intent": 1.0, "align": 1.0}
    assert weighting.weights(as_tensors({"intent": 2.0, "align": 1.5})) == {"intent": 1.0, "align": 1.0}
    weighting.weights(as_tensors({"intent": 1.0, "align": 1.4}))
    weights = weighting.weights(as_tensors({"intent": 0.5, "align": 1.3, "align:new": 9.0}))
    average = (weights["intent"] + weights["align"]) / 2
    assert weights["align:new"] == pytest.approx(average)


@pytest.mark.parametrize("arguments", [{"decay": 1.0}, {"decay": -0.1}, {"normalise": "softmax"}, {"min_cv": 0.0}])
def test_cov_all_rejects_bad_options(arguments):
    with pytest.raises(ConfigError, match="cov-all weighting"):
        CoVAllWeighting(**arguments)
