"""Soft alignments and their statistics; the collator's text mask the aligners rely on."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenalign_toy import TOY_VOCABULARY

import xalign
from xalign.data.collate import Collator, ParallelItem
from xalign.data.examples import ClassificationExample, SlotFillingExample, Translation
from xalign_tokenalign.alignment import alignment_statistics, cosine_cost, mean_over_units, sinkhorn_plan, softmax_alignments, word_units

HIDDEN = 8


def random_masks(generator, pairs: int, length: int) -> torch.Tensor:
    lengths = torch.randint(1, length + 1, (pairs,), generator=generator)
    return torch.arange(length)[None, :] < lengths[:, None]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_sinkhorn_plan_has_uniform_marginals_and_nothing_on_masked_positions(pairs, n, m, seed):
    generator = torch.Generator().manual_seed(seed)
    source_mask, target_mask = random_masks(generator, pairs, n), random_masks(generator, pairs, m)
    cost = cosine_cost(torch.randn(pairs, n, HIDDEN, generator=generator), torch.randn(pairs, m, HIDDEN, generator=generator))
    expected_rows = source_mask.float() / source_mask.sum(dim=1, keepdim=True)
    expected_columns = target_mask.float() / target_mask.sum(dim=1, keepdim=True)
    # The last half-step rescales columns, so they are exact at any temperature; rows converge
    # geometrically at a rate set by exp(-cost range / temperature): at 0.3, 200 iterations
    # reach float precision; at the sharper 0.1 a 2x2 plan can still be 1e-3 off.
    for temperature, row_tolerance in ((0.3, 1e-4), (0.1, 1e-2)):
        plan = sinkhorn_plan(cost, source_mask, target_mask, temperature=temperature, iterations=200)
        assert torch.allclose(plan.sum(dim=1), expected_columns, atol=1e-5)
        assert torch.allclose(plan.sum(dim=2), expected_rows, atol=row_tolerance)
        assert not plan[~(source_mask[:, :, None] & target_mask[:, None, :])].any()


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2**16))
def test_softmax_alignments_are_row_stochastic_on_words_and_zero_elsewhere(pairs, n, m, seed):
    generator = torch.Generator().manual_seed(seed)
    source_mask, target_mask = random_masks(generator, pairs, n), random_masks(generator, pairs, m)
    cost = cosine_cost(torch.randn(pairs, n, HIDDEN, generator=generator), torch.randn(pairs, m, HIDDEN, generator=generator))
    forward, backward = softmax_alignments(cost, source_mask, target_mask, 0.05)
    assert torch.allclose(forward.sum(dim=2), source_mask.float(), atol=1e-5)
    assert torch.allclose(backward.sum(dim=2), target_mask.float(), atol=1e-5)


def test_statistics_tell_a_word_alignment_from_noise():
    torch.manual_seed(0)
    pairs, length = 8, 7
    english = torch.randn(pairs, length, HIDDEN)
    translation = english + 0.2 * torch.randn(pairs, length, HIDDEN)
    masks = torch.ones(pairs, length, dtype=torch.bool)
    true = alignment_statistics(cosine_cost(english, translation), masks, masks, 0.05)
    noise = alignment_statistics(cosine_cost(english, translation.roll(1, dims=0)), masks, masks, 0.05)
    assert true["entropy"] < noise["entropy"] / 10
    assert true["diagonal_distance"] < 0.01 and noise["diagonal_distance"] > 0.25  # ~1/3 for random placement
    assert true["mutual_argmax"] == 1.0 > noise["mutual_argmax"]
    assert true["hub_share"] == pytest.approx(1 / length) and noise["hub_share"] > 2 / length


def test_text_mask_marks_words_only_not_specials_prefix_or_padding():
    from xalign.testing import tiny_tokenizer

    tokenizer = tiny_tokenizer(TOY_VOCABULARY)
    collator = Collator(tokenizer, xalign.LabelSpace(("alarm",), ("O", "B-TIME")), text_prefix="query: ")
    example = SlotFillingExample(id="1", words=("wake", "me", "zzz"), slot_tags=("O", "O", "B-TIME"), intent="alarm")
    batch = collator([ParallelItem(example, (Translation("1", "de", "weck mich"),))])
    for row, words in ((0, ["wake", "me", "[UNK]"]), (1, ["weck", "mich"])):
        tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][row].tolist())
        assert tokens[1:3] == ["query", ":"]
        assert [token for token, keep in zip(tokens, batch["text_mask"][row].tolist()) if keep] == words
    # without a prefix, nothing but specials and padding is masked; unknown words are text
    plain = Collator(tokenizer, xalign.LabelSpace(("alarm",), ()), label_slots=False)
    batch = plain([ParallelItem(ClassificationExample("2", "query: wake ß"))], with_labels=False)
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    assert [token for token, keep in zip(tokens, batch["text_mask"][0].tolist()) if keep] == tokens[1:-1]


def units_oracle(starts: list[int], text: list[int], max_pieces: int) -> list[int]:
    """Word units by hand: runs from each start over the following text pieces; a run longer than max_pieces is split."""
    units, run = [0] * len(text), []
    runs = []
    for position, (start, inside) in enumerate(zip(starts, text)):
        if not inside:
            continue
        if start or not run:
            run = [position]
            runs.append(run)
        else:
            run.append(position)
    for run in runs:
        for position in run if len(run) > max_pieces else run[:1]:
            units[position] = 1
    return units


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=12), st.integers(1, 4), st.integers(0, 2**16))
def test_word_units_and_their_mean_states_follow_the_words_and_ignore_padding(positions, max_pieces, seed):
    starts = torch.tensor([[int(start) for start, _ in positions]])
    text = torch.tensor([[int(inside) for _, inside in positions]])
    units = word_units(starts, text, max_pieces)
    assert units[0].long().tolist() == units_oracle(starts[0].tolist(), text[0].tolist(), max_pieces)
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(1, len(positions), 3, generator=generator)
    pooled = mean_over_units(states, units, text)
    members = torch.cumsum(units.long(), dim=1) * text
    for position in units[0].nonzero().flatten().tolist():
        same = (members[0] == members[0, position]).nonzero().flatten()
        assert torch.allclose(pooled[0, position], states[0, same].mean(dim=0), atol=1e-6)
    noise = torch.where(text.bool()[:, :, None], states, torch.randn(states.shape, generator=generator) * 100)
    assert torch.allclose(mean_over_units(noise, units, text)[units], pooled[units], atol=1e-5)
