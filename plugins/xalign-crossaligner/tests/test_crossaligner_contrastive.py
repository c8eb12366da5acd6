"""The contrastive aligner: properties over small random embeddings, and its options."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crossaligner_toy import make_context
from xalign.errors import ConfigError
from xalign_crossaligner import ContrastiveAligner

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def rows(draw, min_batch: int = 1):
    """A ``[batch, dim]`` float32 tensor whose rows have a norm well above the normaliser's eps."""
    batch = draw(st.integers(min_batch, 6))
    dim = draw(st.integers(2, 6))
    values = torch.from_numpy(draw(arrays(np.float32, (batch, dim), elements=st.floats(-10, 10, width=32))))
    assume(bool((values.norm(dim=-1) > 1e-2).all()))
    return values


permutations = st.integers(2, 6).flatmap(lambda n: st.permutations(range(n)))
aligners = st.builds(ContrastiveAligner, temperature=st.sampled_from([0.05, 0.1, 1.0]), symmetric=st.booleans())


@SETTINGS
@given(rows(min_batch=2), st.data(), aligners)
def test_contrastive_is_lowest_when_every_row_is_paired_with_its_own_translation(source, data, aligner):
    order = torch.tensor(data.draw(st.permutations(range(len(source)))))
    matched = aligner(source, source.clone()).item()
    mismatched = aligner(source, source[order]).item()
    # Each row's logits are the same multiset either way; only the diagonal entry moves,
    # and cos(s_i, s_i) = 1 is the largest it can be.
    assert matched <= mismatched + 1e-4


@SETTINGS
@given(rows(min_batch=2), aligners)
def test_matched_pairs_score_below_log_batch_exactly_when_rows_differ(source, aligner):
    batch = len(source)
    loss = aligner(source, source.clone()).item()
    assert loss <= math.log(batch) + 1e-4
    collapsed = source[:1].repeat(batch, 1) * torch.arange(1, batch + 1, dtype=torch.float32)[:, None]
    assert aligner(collapsed, collapsed.clone()).item() == pytest.approx(math.log(batch), abs=1e-4)
    normalised = torch.nn.functional.normalize(source, dim=-1)
    cosines = normalised @ normalised.T
    if bool((cosines - torch.eye(batch) < 1 - 1e-2).all()):  # no two rows point the same way
        assert loss < math.log(batch) - 1e-6


@SETTINGS
@given(rows(min_batch=1), st.data(), aligners)
def test_contrastive_is_invariant_to_reordering_the_pairs(source, data, aligner):
    target = source.flip(-1) + 0.5
    order = torch.tensor(data.draw(st.permutations(range(len(source)))))
    assert aligner(source[order], target[order]).item() == pytest.approx(aligner(source, target).item(), rel=1e-4, abs=1e-5)


@SETTINGS
@given(rows(min_batch=1), st.floats(0.1, 10.0))
def test_contrastive_ignores_the_length_of_embeddings(source, scale):
    aligner = ContrastiveAligner()
    target = source.roll(1, dims=-1)
    assert aligner(source * scale, target).item() == pytest.approx(aligner(source, target).item(), rel=1e-4, abs=1e-5)


def test_contrastive_matches_the_formula_written_in_its_docstring():
    torch.manual_seed(0)
    source, target = torch.randn(5, 8), torch.randn(5, 8)
    logits = torch.nn.functional.cosine_similarity(source[:, None], target[None], dim=-1) / 0.05
    expected = -torch.log_softmax(logits, dim=1).diagonal().mean()
    assert ContrastiveAligner()(source, target).item() == pytest.approx(expected.item(), rel=1e-5)
    both = (expected - torch.log_softmax(logits, dim=0).diagonal().mean()) / 2
    assert ContrastiveAligner(symmetric=True)(source, target).item() == pytest.approx(both.item(), rel=1e-5)


def test_translations_of_one_english_example_are_not_each_others_negatives():
    english = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # rows 0 and 1: the same example
    translations = torch.tensor([[1.0, 0.1], [1.0, -0.1], [0.0, 1.0]])  # its de and fr translations
    context = make_context(None, None, {}, source_rows=[0, 0, 1], target_rows=[3, 4, 5])
    aligner = ContrastiveAligner()
    with_context = aligner(english, translations, context=context).item()
    assert with_context < aligner(english, translations).item()
    assert with_context < 1e-3  # each row's only negative left is the other example


def test_contrastive_gradient_is_finite_for_a_single_pair_and_for_zero_rows():
    source = torch.zeros(1, 4, requires_grad=True)
    loss = ContrastiveAligner()(source, torch.ones(1, 4))
    loss.backward()
    assert loss.item() == 0.0 and torch.isfinite(source.grad).all()


@pytest.mark.parametrize("temperature", [0, -1.0, True, "0.05"])
def test_contrastive_rejects_a_temperature_that_is_not_positive(temperature):
    with pytest.raises(ConfigError, match="temperature"):
        ContrastiveAligner(temperature=temperature)
