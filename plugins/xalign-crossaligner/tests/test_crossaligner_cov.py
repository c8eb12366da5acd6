"""cov (CrossAligner & Co's CoV weighting): task losses at exactly 1, raw CoV on the alignment losses."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from xalign_crossaligner import CoVWeighting
from xalign_crossaligner.cov import is_auxiliary

MAIN = ("intent", "slots", "paraphrase")
AUXILIARY = ("align", "align:mse", "align:contrastive", "align:slot-types")
loss_values = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, 1e-30, 1e30, -1e30, float("nan"), float("inf")]))
steps = st.lists(st.dictionaries(st.sampled_from(MAIN + AUXILIARY), loss_values, min_size=1), min_size=1, max_size=25)


def as_tensors(values: dict[str, float], requires_grad: bool = False) -> dict[str, torch.Tensor]:
    return {name: torch.tensor(value, requires_grad=requires_grad) for name, value in values.items()}


def test_alignment_losses_are_auxiliary_and_every_other_loss_is_a_main_loss():
    assert all(is_auxiliary(name) for name in AUXILIARY)
    assert not any(is_auxiliary(name) for name in (*MAIN, "alignment", "aligned:mse", "mse"))


@settings(max_examples=100, deadline=None)
@given(steps)
def test_main_losses_weigh_exactly_one_and_auxiliary_weights_are_finite_and_positive(history):
    weighting = CoVWeighting()
    for values in history:
        weights = weighting.weights(as_tensors(values))
        assert set(weights) == set(values)
        assert all(type(weight) is float for weight in weights.values())
        assert all(weights[name] == 1.0 for name in values if not is_auxiliary(name))
        assert all(math.isfinite(weights[name]) and weights[name] > 0 for name in values if is_auxiliary(name))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 10), st.floats(0.01, 10)), min_size=1, max_size=10))
def test_cov_weights_are_constants_that_receive_no_gradient(history):
    weighting = CoVWeighting()
    for first, second in history:
        losses = as_tensors({"intent": first, "align:mse": second}, requires_grad=True)
        weights = weighting.weights(losses)
        total = sum(weights[name] * loss for name, loss in losses.items())
        total.backward()
        # d total / d loss is exactly the weight: nothing flowed through the weights themselves.
        assert all(losses[name].grad.item() == pytest.approx(weights[name], rel=1e-6) for name in losses)


def authors_cov(history: np.ndarray) -> np.ndarray:
    """The authors' CoV weights of ``[steps, auxiliary losses]``, restated from the description of their
    ``train.py``: weights, ratios and mean ratios start at one, the variance and mean loss at zero;
    from the second step the ratio is taken against the mean loss and the weight is the CoV of
    the statistics so far; then every statistic takes the step's values in."""
    count = history.shape[1]
    mean_loss, mean_ratio, variance = np.zeros(count), np.ones(count), np.zeros(count)
    ratio, weight, out = np.ones(count), np.ones(count), []
    for step, losses in enumerate(history, start=1):
        if step > 1:
            ratio = losses / (mean_loss + 1e-8)
            weight = np.sqrt(variance + 1e-8) / mean_ratio
        out.append(weight.copy())
        mean_loss = ((step - 1) * mean_loss + losses) / step
        previous = mean_ratio
        mean_ratio = ((step - 1) * mean_ratio + ratio) / step
        variance = ((step - 1) * variance + (ratio - mean_ratio) * (ratio - previous)) / step
    return np.array(out)


def test_cov_follows_the_authors_algorithm_and_leaves_the_task_losses_at_one():
    generator = np.random.default_rng(0)
    steps_ = np.arange(15)
    auxiliary = np.stack([0.5 * 0.8**steps_ + 0.05 * generator.random(15), 1.0 + 0.01 * steps_, 2.0 * 0.97**steps_], axis=1)
    names = ("align:mse", "align:slot-types", "align:contrastive")
    weighting = CoVWeighting()
    ours = []
    for step, values in enumerate(auxiliary):
        weights = weighting.weights(as_tensors({"intent": 3.0 / (step + 1), "slots": 2.0, **dict(zip(names, values.tolist()))}))
        assert weights["intent"] == 1.0 and weights["slots"] == 1.0
        ours.append([weights[name] for name in names])
    np.testing.assert_allclose(np.array(ours), authors_cov(auxiliary.astype(np.float32).astype(np.float64)), rtol=1e-5)


def test_first_weight_is_one_the_second_is_the_bare_epsilon_and_weights_are_not_normalised():
    weighting = CoVWeighting()
    assert weighting.weights(as_tensors({"intent": 2.0, "align:mse": 1.0})) == {"intent": 1.0, "align:mse": 1.0}
    assert weighting.weights(as_tensors({"intent": 1.5, "align:mse": 0.5})) == pytest.approx({"intent": 1.0, "align:mse": 1e-4})
    weighting = CoVWeighting()
    for step in range(20):
        weights = weighting.weights(as_tensors({"intent": 1.0, "align:mse": 0.4 + 0.01 * (step % 3), "align:contrastive": 2.0 / (step + 1)}))
    # Raw CoV: nothing ties the auxiliary weights to a total (cov-all would make the three sum to 3).
    assert weights["align:mse"] < 0.1 < weights["align:contrastive"] < 1.0
    assert sum(weights.values()) != pytest.approx(3.0, abs=0.1)


def test_a_loss_that_still_moves_weighs_more_than_a_steady_one():
    weighting = CoVWeighting()
    for step in range(10):
        weights = weighting.weights(as_tensors({"align:steady": 1.0, "align:falling": 1.0 / (step + 1)}))
    assert weights["align:falling"] > 10 * weights["align:steady"] > 0


def test_a_non_finite_value_leaves_the_statistics_as_they_were():
    clean, interrupted = CoVWeighting(), CoVWeighting()
    values = [1.0, 0.8, 0.7, 0.65]
    for value in values[:2]:
        clean.weights(as_tensors({"align:mse": value}))
        interrupted.weights(as_tensors({"align:mse": value}))
    interrupted.weights(as_tensors({"align:mse": float("nan")}))
    for value in values[2:]:
        assert interrupted.weights(as_tensors({"align:mse": value})) == clean.weights(as_tensors({"align:mse": value}))


def test_an_auxiliary_loss_absent_from_a_batch_keeps_its_statistics_and_a_new_one_starts_at_one():
    weighting = CoVWeighting()
    for value in (1.0, 0.5, 0.4):
        weighting.weights(as_tensors({"intent": 1.0, "align:mse": value}))
    before = weighting.weights(as_tensors({"intent": 1.0}))
    assert before == {"intent": 1.0}
    weights = weighting.weights(as_tensors({"intent": 1.0, "align:mse": 0.3, "align:new": 5.0}))
    assert weights["align:new"] == 1.0
    alone = authors_cov(np.array([[1.0], [0.5], [0.4], [0.3]], dtype=np.float32).astype(np.float64))
    assert weights["align:mse"] == pytest.approx(alone[-1, 0], rel=1e-5)  # as if the batch without it never happened
