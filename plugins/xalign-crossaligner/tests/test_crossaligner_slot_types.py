"""slot-types (the authors' formulation): flattened slot logits, "O" among the targets, padding that changes nothing."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import xalign
from crossaligner_toy import INTENTS, SLOT_LABELS, make_context
from xalign.errors import ConfigError, ModelNotFoundError
from xalign_crossaligner import SlotTypesAligner
from xalign_crossaligner.slot_types import DEFAULT_MAX_LENGTH, slot_type, slot_types

HIDDEN = 8
IGNORE = -100
MAX_LENGTH = 10
LABELS = xalign.LabelSpace(INTENTS, SLOT_LABELS)  # tag ids: 0 O, 1 B-TIME, 2 I-TIME, 3 B-GENRE, 4 B-CITY


def aligner(seed: int = 0, max_length: int = MAX_LENGTH) -> SlotTypesAligner:
    torch.manual_seed(seed)
    return SlotTypesAligner(LABELS, max_length=max_length)


def head(name: str = "joint-intent-slot", seed: int = 1):
    """A real task head from the registry, without dropout so that it is deterministic."""
    torch.manual_seed(seed)
    return xalign.get_registry().get("heads", name).factory(HIDDEN, LABELS, 0.0)


def batch_of(states, mask, slot_labels, task_head=None, source_rows=None, target_rows=None):
    """A context whose first ``len(slot_labels)`` rows are English and whose pairs default to (i, pairs + i)."""
    pairs = slot_labels.shape[0]
    source_rows = torch.arange(pairs) if source_rows is None else torch.as_tensor(source_rows)
    target_rows = torch.arange(pairs, 2 * pairs) if target_rows is None else torch.as_tensor(target_rows)
    batch = {"attention_mask": mask, "slot_labels": slot_labels, "num_source": pairs, "num_labelled": pairs}
    embeddings = torch.zeros(states.shape[0], HIDDEN)
    return make_context(states, embeddings, batch, source_rows, target_rows, task_head if task_head is not None else head())


def test_slot_types_are_bare_types_without_bio_prefixes():
    assert [slot_type(tag) for tag in ("O", "B-TIME", "I-TIME", "CITY", "I-X-Y")] == [None, "TIME", "TIME", "CITY", "X-Y"]
    assert slot_types(SLOT_LABELS) == ("CITY", "GENRE", "TIME")


def test_targets_are_o_and_the_bare_types_of_the_english_tags_and_ignore_unlabelled_positions():
    module = aligner()
    assert module.labels == ("O", "CITY", "GENRE", "TIME")
    tags = torch.tensor([
        [IGNORE, 0, 1, 2, IGNORE],  # O TIME
        [IGNORE, 4, 0, 1, IGNORE],  # CITY O TIME
        [IGNORE, 3, IGNORE, IGNORE, IGNORE],  # GENRE alone: no O word
        [IGNORE] * 5,
    ])
    assert module.present(tags).tolist() == [[1, 0, 0, 1], [1, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 0]]


def test_slot_types_matches_the_formula_flattened_slot_logits_padded_to_max_length_both_sides_summed():
    module, task_head = aligner(), head()
    states = torch.randn(5, 4, HIDDEN)  # rows 0-1 English, 2-4 translations (row 0 translated twice)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 1], [1, 1, 1, 0]])
    tags = torch.tensor([[IGNORE, 0, 1, IGNORE], [IGNORE, 3, 0, IGNORE]])
    context = batch_of(states, mask, tags, task_head, source_rows=[0, 0, 1], target_rows=[2, 3, 4])
    loss = module(None, None, context=context)

    def side(rows, targets):
        slots = task_head.slots.classifier(states[rows]) * mask[rows].unsqueeze(-1)
        padded = torch.zeros(len(rows), MAX_LENGTH, len(SLOT_LABELS))
        padded[:, :4] = slots
        return torch.nn.functional.binary_cross_entropy_with_logits(module.classifier(padded.flatten(1)), targets)

    english_targets = torch.tensor([[1.0, 0, 0, 1], [1.0, 0, 1, 0]])  # O+TIME, O+GENRE
    expected = side([0, 1], english_targets) + side([2, 3, 4], english_targets[[0, 0, 1]])  # English rows once each
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16))
def test_slot_types_loss_is_unchanged_by_extra_padding_whatever_the_padded_states_hold(pairs, length, extra, seed):
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator)
    mask = torch.ones(2 * pairs, length, dtype=torch.long)
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length), generator=generator)
    module, task_head = aligner(), head()
    plain = module(None, None, context=batch_of(states, mask, tags, task_head)).item()
    padded_states = torch.cat([states, 100 * torch.randn(2 * pairs, extra, HIDDEN, generator=generator)], dim=1)
    padded_mask = torch.cat([mask, torch.zeros(2 * pairs, extra, dtype=torch.long)], dim=1)
    padded_tags = torch.cat([tags, torch.full((pairs, extra), IGNORE)], dim=1)
    padded = module(None, None, context=batch_of(padded_states, padded_mask, padded_tags, task_head)).item()
    assert padded == pytest.approx(plain, rel=1e-5, abs=1e-6)


def test_slot_types_weighs_each_position_on_its_own_as_the_authors_layer_does():
    module, task_head = aligner(), head()
    states = torch.randn(2, 3, HIDDEN)
    tags = torch.tensor([[IGNORE, 3, 0]])
    mask = torch.ones(2, 3, dtype=torch.long)
    loss = module(None, None, context=batch_of(states, mask, tags, task_head)).item()
    shifted = torch.cat([torch.zeros(2, 1, HIDDEN), states], dim=1)  # the same tokens, one position later
    shifted_mask = torch.cat([torch.zeros(2, 1, dtype=torch.long), mask], dim=1)
    shifted_tags = torch.cat([torch.full((1, 1), IGNORE), tags], dim=1)
    assert module(None, None, context=batch_of(shifted, shifted_mask, shifted_tags, task_head)).item() != pytest.approx(loss, rel=1e-4)


def test_slot_types_trains_the_encoder_side_of_both_rows_the_task_slot_classifier_and_its_own_layer():
    module, task_head = aligner(), head()
    states = torch.randn(4, 3, HIDDEN, requires_grad=True)
    context = batch_of(states, torch.ones(4, 3, dtype=torch.long), torch.tensor([[0, 1, 2], [0, 4, 0]]), task_head)
    module(None, None, context=context).backward()
    assert all(states.grad[row].abs().sum() > 0 for row in range(4))
    assert task_head.slots.classifier.weight.grad.abs().sum() > 0
    assert module.classifier.weight.grad.abs().sum() > 0


def test_slot_types_without_a_labelled_english_row_is_a_zero_that_keeps_the_graph():
    states = torch.randn(4, 3, HIDDEN, requires_grad=True)
    context = batch_of(states, torch.ones(4, 3, dtype=torch.long), torch.zeros(0, 3, dtype=torch.long), source_rows=[0, 1], target_rows=[2, 3])
    loss = aligner()(None, None, context=context)
    assert loss.item() == 0.0 and loss.requires_grad


def test_a_batch_longer_than_max_length_is_refused_with_the_fix():
    states = torch.randn(2, 4, HIDDEN)
    context = batch_of(states, torch.ones(2, 4, dtype=torch.long), torch.zeros(1, 4, dtype=torch.long))
    with pytest.raises(ConfigError, match="max_length=3"):
        aligner(max_length=3)(None, None, context=context)


def test_slot_types_owns_one_linear_layer_over_max_length_times_tags():
    module = aligner(max_length=7)
    assert [name for name, _ in module.named_parameters()] == ["classifier.weight", "classifier.bias"]
    assert (module.classifier.in_features, module.classifier.out_features) == (7 * len(SLOT_LABELS), 4)
    assert "tag_to_label" not in module.state_dict()  # derived from the saved label names
    assert SlotTypesAligner(LABELS).max_length == DEFAULT_MAX_LENGTH == xalign.ModelConfig().max_length


@pytest.mark.parametrize("max_length", [0, -3, 2.5, True, "64"])
def test_slot_types_rejects_a_max_length_that_is_not_a_positive_integer(max_length):
    with pytest.raises(ConfigError, match="max_length"):
        SlotTypesAligner(LABELS, max_length=max_length)


def test_slot_types_without_slot_labels_or_slot_logits_says_what_it_needs():
    with pytest.raises(ConfigError, match="slot labels"):
        SlotTypesAligner(xalign.LabelSpace(INTENTS, ()))
    context = batch_of(torch.randn(2, 2, HIDDEN), torch.ones(2, 2, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    context.batch.pop("slot_labels")
    with pytest.raises(ConfigError, match="slot labels"):
        aligner()(None, None, context=context)
    intent_only = batch_of(torch.randn(2, 2, HIDDEN), torch.ones(2, 2, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long), head("sequence-classification"))
    with pytest.raises(ConfigError, match="slot logits"):
        aligner()(None, None, context=intent_only)
    with pytest.raises(TypeError, match="context"):
        aligner()(None, None)


def test_loading_weights_of_the_masked_mean_variant_names_slot_types_mean():
    old = {"classifier.weight": torch.zeros(3, HIDDEN), "classifier.bias": torch.zeros(3)}  # slot-types of version 0.1
    with pytest.raises(ModelNotFoundError, match="slot-types-mean"):
        aligner().load_state_dict(old)
