"""slot-types-mean (the masked-mean variant): the multi-hot targets, padding that changes nothing, both sides, clear errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import xalign
from crossaligner_toy import INTENTS, SLOT_LABELS, make_context
from xalign.errors import ConfigError
from xalign_crossaligner import SlotTypesMeanAligner

HIDDEN = 8
IGNORE = -100
LABELS = xalign.LabelSpace(INTENTS, SLOT_LABELS)  # O, B-TIME, I-TIME, B-GENRE, B-CITY


def aligner(seed: int = 0) -> SlotTypesMeanAligner:
    torch.manual_seed(seed)
    return SlotTypesMeanAligner(HIDDEN, LABELS)


def test_mean_variant_present_marks_each_type_of_the_english_tags_once_and_ignores_o_and_padding():
    module = aligner()
    # tag ids: 0 O, 1 B-TIME, 2 I-TIME, 3 B-GENRE, 4 B-CITY; types: CITY, GENRE, TIME
    tags = torch.tensor([[IGNORE, 0, 1, 2, IGNORE], [IGNORE, 4, 0, 1, IGNORE], [IGNORE, 0, 0, IGNORE, IGNORE]])
    assert module.present(tags).tolist() == [[0, 0, 1], [1, 0, 1], [0, 0, 0]]


def batch_of(token_states, mask, slot_labels):
    pairs = slot_labels.shape[0]
    batch = {"attention_mask": mask, "slot_labels": slot_labels, "num_source": pairs, "num_labelled": pairs}
    return make_context(token_states, None, batch, torch.arange(pairs), torch.arange(pairs, 2 * pairs))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**16))
def test_slot_types_mean_loss_is_unchanged_by_extra_padding_whatever_the_padded_states_hold(pairs, length, extra, seed):
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator)
    mask = torch.ones(2 * pairs, length, dtype=torch.long)
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length), generator=generator)
    module = aligner()
    plain = module(None, None, context=batch_of(states, mask, tags)).item()
    padded_states = torch.cat([states, 100 * torch.randn(2 * pairs, extra, HIDDEN, generator=generator)], dim=1)
    padded_mask = torch.cat([mask, torch.zeros(2 * pairs, extra, dtype=torch.long)], dim=1)
    padded_tags = torch.cat([tags, torch.full((pairs, extra), IGNORE)], dim=1)
    assert module(None, None, context=batch_of(padded_states, padded_mask, padded_tags)).item() == pytest.approx(plain, rel=1e-5, abs=1e-6)


def test_slot_types_mean_learns_from_both_the_english_rows_and_their_translations():
    states = torch.randn(4, 3, HIDDEN, requires_grad=True)
    context = batch_of(states, torch.ones(4, 3, dtype=torch.long), torch.tensor([[0, 1, 2], [0, 4, 0]]))
    aligner()(None, None, context=context).backward()
    assert all(states.grad[row].abs().sum() > 0 for row in range(4))


def test_slot_types_mean_matches_bce_on_the_masked_mean_of_each_side():
    module = aligner()
    states = torch.randn(2, 4, HIDDEN)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 0]])
    tags = torch.tensor([[IGNORE, 3, IGNORE, IGNORE]])  # GENRE
    loss = module(None, None, context=batch_of(states, mask, tags))
    pooled = torch.stack([states[0, :2].mean(0), states[1, :3].mean(0)])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(module.classifier(pooled), torch.tensor([[0.0, 1.0, 0.0]] * 2))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_slot_types_mean_owns_its_classifier_from_construction():
    module = aligner()
    assert [name for name, _ in module.named_parameters()] == ["classifier.weight", "classifier.bias"]
    assert module.classifier.out_features == 3
    assert "tag_to_type" not in module.state_dict()  # derived from the saved label names


def test_slot_types_mean_without_slot_labels_says_what_it_needs():
    with pytest.raises(ConfigError, match="slot labels"):
        SlotTypesMeanAligner(HIDDEN, xalign.LabelSpace(INTENTS, ()))
    context = batch_of(torch.randn(2, 2, HIDDEN), torch.ones(2, 2, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    context.batch.pop("slot_labels")
    with pytest.raises(ConfigError, match="slot labels"):
        aligner()(None, None, context=context)
