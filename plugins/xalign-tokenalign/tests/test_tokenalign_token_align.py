"""token-align: zero for identical copies, never negative, blind to padding, gradients where allowed."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenalign_toy import make_context

from xalign.errors import ConfigError
from xalign_tokenalign import TokenAlignAligner

HIDDEN = 8


def pair_batch(masks: torch.Tensor) -> dict:
    """Rows: ``pairs`` English rows, then one translation each; ``masks`` [rows, seq] marks the word tokens."""
    pairs = masks.shape[0] // 2
    return {"attention_mask": masks.long(), "text_mask": masks.long(), "num_source": pairs, "num_labelled": pairs,
            "translation_source_index": torch.arange(pairs)}


def loss(states: torch.Tensor, masks: torch.Tensor, temperature: float = 0.05) -> torch.Tensor:
    pairs = states.shape[0] // 2
    context = make_context(states, pair_batch(masks), torch.arange(pairs), torch.arange(pairs, 2 * pairs))
    return TokenAlignAligner(temperature)(None, None, context=context)


def random_pairs(seed: int, pairs: int, length: int):
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator)
    lengths = torch.randint(1, length + 1, (2 * pairs,), generator=generator)
    masks = torch.arange(length)[None, :] < lengths[:, None]
    return states, masks, generator


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 7), st.sampled_from([0.01, 0.05, 0.3, 2.0]), st.integers(0, 2**16))
def test_token_align_is_zero_when_each_translation_is_an_identical_copy(pairs, length, temperature, seed):
    states, masks, _ = random_pairs(seed, pairs, length)
    states[pairs:], masks[pairs:] = states[:pairs], masks[:pairs]
    assert loss(states, masks, temperature).item() == pytest.approx(0.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 7), st.sampled_from([0.01, 0.05, 0.3, 2.0]), st.integers(0, 2**16))
def test_token_align_is_never_negative_and_positive_for_different_sentences(pairs, length, temperature, seed):
    states, masks, _ = random_pairs(seed, pairs, length)
    value = loss(states, masks, temperature).item()
    assert value > 0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**16))
def test_token_align_is_unchanged_by_padding_and_masked_tokens_whatever_their_states(pairs, length, extra, seed):
    states, masks, generator = random_pairs(seed, pairs, length)
    plain = loss(states, masks).item()
    padded_states = torch.cat([states, 100 * torch.randn(2 * pairs, extra, HIDDEN, generator=generator)], dim=1)
    padded_masks = torch.cat([masks, torch.zeros(2 * pairs, extra, dtype=torch.bool)], dim=1)
    assert loss(padded_states, padded_masks).item() == pytest.approx(plain, rel=1e-4, abs=1e-6)
    # a masked position inside the row (a special token) is ignored the same way
    special = torch.cat([torch.zeros(2 * pairs, 1, dtype=torch.bool), masks], dim=1)
    special_states = torch.cat([100 * torch.randn(2 * pairs, 1, HIDDEN, generator=generator), states], dim=1)
    assert loss(special_states, special).item() == pytest.approx(plain, rel=1e-4, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.integers(2, 5), st.integers(1, 6), st.integers(0, 2**16))
def test_token_align_does_not_depend_on_the_order_of_the_pairs(pairs, length, seed):
    states, masks, generator = random_pairs(seed, pairs, length)
    order = torch.randperm(pairs, generator=generator)
    rows = torch.cat([order, pairs + order])
    assert loss(states[rows], masks[rows]).item() == pytest.approx(loss(states, masks).item(), rel=1e-5)


def test_token_align_gradient_reaches_word_tokens_of_both_sides_and_nothing_masked():
    states, masks, _ = random_pairs(3, 3, 6)
    masks[:, 0] = False  # a leading special token on every row
    masks[:, 1] = True
    states.requires_grad_(True)
    loss(states, masks).backward()
    gradient = states.grad.abs().sum(dim=-1)
    assert bool((gradient[masks] > 0).all())
    assert bool((gradient[~masks] == 0).all())


def test_token_align_pulls_each_token_towards_its_counterpart():
    torch.manual_seed(0)
    english = torch.randn(1, 5, HIDDEN)
    translation = (english[:, [2, 0, 4, 1, 3]] + 0.3 * torch.randn(1, 5, HIDDEN)).requires_grad_(True)
    masks = torch.ones(2, 5, dtype=torch.bool)
    optimiser = torch.optim.SGD([translation], lr=0.5)
    before = loss(torch.cat([english, translation]), masks).item()
    for _ in range(30):
        optimiser.zero_grad()
        loss(torch.cat([english, translation]), masks).backward()
        optimiser.step()
    after = loss(torch.cat([english, translation]), masks).item()
    assert after < before / 2
    cosine = torch.nn.functional.cosine_similarity(english[0][:, None], translation.detach()[0][None], dim=-1)
    assert cosine.argmax(dim=1).tolist() == [1, 3, 0, 4, 2]  # each English token closest to its own translation


def test_token_align_is_a_zero_with_a_graph_when_a_side_has_no_words():
    states = torch.randn(2, 3, HIDDEN, requires_grad=True)
    masks = torch.tensor([[True, True, False], [False, False, False]])
    value = loss(states, masks)
    assert value.item() == 0.0
    value.backward()
    assert states.grad is not None


def test_token_align_falls_back_to_the_attention_mask_without_first_and_last_token():
    states, _, _ = random_pairs(5, 2, 6)
    attention = torch.ones(4, 6, dtype=torch.long)
    attention[1, 4:] = 0
    words = attention.bool().clone()
    words[:, 0] = False
    words[torch.arange(4), attention.sum(dim=1) - 1] = False
    without = {"attention_mask": attention, "num_source": 2, "num_labelled": 2}
    context = make_context(states, without, torch.arange(2), torch.arange(2, 4))
    assert TokenAlignAligner()(None, None, context=context).item() == pytest.approx(loss(states, words).item(), rel=1e-6)


@pytest.mark.parametrize("temperature", [0, -1.0, True, "warm"])
def test_token_align_refuses_a_temperature_that_is_not_a_positive_number(temperature):
    with pytest.raises(ConfigError, match="temperature"):
        TokenAlignAligner(temperature)


def test_token_align_without_a_context_says_what_it_needs():
    with pytest.raises(TypeError, match="context"):
        TokenAlignAligner()(torch.zeros(1, 2), torch.zeros(1, 2))
