"""Property tests of the built-in alignment losses (MSE and cosine) on small random embeddings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from xalign.aligners.cosine import CosineAligner
from xalign.aligners.mse import MSEAligner

SETTINGS = settings(max_examples=60, deadline=None)

shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))
# Values on a 1/16 grid: two different embeddings differ by at least 1/16 per entry, so
# their squared difference cannot underflow to zero in float32.
grid_values = st.integers(-160, 160).map(lambda i: i / 16)
any_values = st.floats(-1e3, 1e3, width=32, allow_nan=False, allow_subnormal=False)


@st.composite
def embedding_pairs(draw, values=any_values):
    """Two ``[batch, dim]`` float32 tensors of the same shape."""
    shape = draw(shapes)
    source = draw(arrays(np.float32, shape, elements=values))
    target = draw(arrays(np.float32, shape, elements=values))
    return torch.from_numpy(source), torch.from_numpy(target)


@st.composite
def nonzero_rows(draw):
    """A ``[batch, dim]`` tensor whose rows all have a norm well above the cosine's eps."""
    shape = draw(shapes)
    rows = torch.from_numpy(draw(arrays(np.float32, shape, elements=st.floats(-10, 10, width=32))))
    assume(bool((rows.norm(dim=-1) > 1e-2).all()))
    return rows


mse = MSEAligner()
cosine = CosineAligner()


@SETTINGS
@given(embedding_pairs())
def test_mse_is_never_negative(pair):
    source, target = pair
    assert mse(source, target).item() >= 0.0


@SETTINGS
@given(embedding_pairs(grid_values))
def test_mse_is_zero_exactly_when_embeddings_are_equal(pair):
    source, target = pair
    assert mse(source, source.clone()).item() == 0.0
    if torch.equal(source, target):
        assert mse(source, target).item() == 0.0
    else:
        assert mse(source, target).item() > 0.0


@SETTINGS
@given(embedding_pairs())
def test_mse_is_symmetric(pair):
    source, target = pair
    assert mse(source, target).item() == mse(target, source).item()


@SETTINGS
@given(embedding_pairs(), st.randoms(use_true_random=False))
def test_mse_is_invariant_to_reordering_the_pairs(pair, random):
    source, target = pair
    order = list(range(source.shape[0]))
    random.shuffle(order)
    permutation = torch.tensor(order)
    expected = mse(source, target).item()
    assert mse(source[permutation], target[permutation]).item() == pytest.approx(expected, rel=1e-5, abs=1e-6)


@SETTINGS
@given(embedding_pairs(grid_values))
def test_mse_gradient_reaches_both_sides_when_they_differ(pair):
    source, target = (tensor.clone().requires_grad_(True) for tensor in pair)
    assume(not torch.equal(source, target))
    mse(source, target).backward()
    assert source.grad is not None and target.grad is not None
    assert source.grad.abs().sum().item() > 0
    assert target.grad.abs().sum().item() > 0
    # d/ds mean((s - t)^2) = -d/dt: the two sides are pulled towards each other equally.
    torch.testing.assert_close(source.grad, -target.grad)


@SETTINGS
@given(embedding_pairs())
def test_cosine_loss_lies_between_zero_and_two(pair):
    source, target = pair
    loss = cosine(source, target).item()
    assert -1e-6 <= loss <= 2.0 + 1e-6


@SETTINGS
@given(st.data(), nonzero_rows(), st.floats(0.01, 100), st.floats(0.01, 100))
def test_cosine_loss_ignores_positive_scaling_of_either_side(data, source, source_scale, target_scale):
    target = data.draw(arrays(np.float32, tuple(source.shape), elements=st.floats(-10, 10, width=32)).map(torch.from_numpy))
    assume(bool((target.norm(dim=-1) > 1e-2).all()))
    expected = cosine(source, target).item()
    assert cosine(source * source_scale, target).item() == pytest.approx(expected, abs=1e-5)
    assert cosine(source, target * target_scale).item() == pytest.approx(expected, abs=1e-5)


@SETTINGS
@given(nonzero_rows(), st.floats(0.01, 100))
def test_cosine_loss_is_zero_for_identical_directions(source, scale):
    assert cosine(source, source * scale).item() == pytest.approx(0.0, abs=1e-5)


def test_cosine_loss_is_two_for_opposite_directions():
    source = torch.tensor([[1.0, 2.0, -3.0], [0.5, 0.0, 0.0]])
    assert cosine(source, -source).item() == pytest.approx(2.0, abs=1e-6)
    assert math.isfinite(cosine(torch.zeros(2, 3), torch.zeros(2, 3)).item())


def test_a_dotted_aligner_name_in_a_combination_is_a_clear_config_error():
    from torch import nn

    from xalign.aligners.combined import CombinedAligner
    from xalign.errors import ConfigError

    with pytest.raises(ConfigError, match="'slot-projection-weight-0.5' cannot be combined.*may not contain '.'"):
        CombinedAligner({"mse": nn.Identity(), "slot-projection-weight-0.5": nn.Identity()}, {"mse": 1.0, "slot-projection-weight-0.5": 1.0})
