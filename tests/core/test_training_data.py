"""The loop's batches: ready per optimizer step, replayable from any step, sharded evenly across ranks."""

from __future__ import annotations

import pytest
import torch

import xalign
from xalign.errors import TrainingError
from xalign.inference import collator_for
from xalign.training.data import TrainingData

from .toy_data import toy_config


@pytest.fixture
def collator(tiny_registry):
    assembly, _ = xalign.build(toy_config(), registry=tiny_registry)
    return collator_for(assembly)


def training_data(collator, toy_examples, toy_translations, rank: int = 0, world_size: int = 1, **training) -> TrainingData:
    config = toy_config(**training).training
    return TrainingData(toy_examples, toy_translations, collator, config, rank, world_size)


def test_each_step_holds_gradient_accumulation_micro_batches_and_the_last_step_the_rest(collator, toy_examples, toy_translations):
    data = training_data(collator, toy_examples, toy_translations, batch_size=8, gradient_accumulation=4)
    assert len(toy_examples) == 42  # 6 batches of 8 (the last one of 2): steps of 4 and 2 micro-batches
    steps = list(data.epoch(0))
    assert data.steps_per_epoch == len(steps) == 2
    assert [len(step) for step in steps] == [4, 2]
    assert sum(batch["num_labelled"] for step in steps for batch in step) == 42


def test_an_epoch_started_at_step_k_yields_exactly_the_rest_of_the_full_epoch(collator, toy_examples, toy_translations):
    data = training_data(collator, toy_examples, toy_translations, batch_size=8, alignment_batch="random", translations_per_example=1)
    full = list(data.epoch(1))
    resumed = list(data.epoch(1, start=2))
    assert len(resumed) == len(full) - 2
    for expected, actual in zip(full[2:], resumed):
        for first, second in zip(expected, actual):
            assert first.keys() == second.keys()
            assert all(torch.equal(first[key], second[key]) if isinstance(first[key], torch.Tensor) else first[key] == second[key] for key in first)


def test_epochs_are_ordered_differently_but_reproducibly(collator, toy_examples, toy_translations):
    data = training_data(collator, toy_examples, toy_translations)
    assert data.steps(0) == data.steps(0)
    assert data.steps(0) != data.steps(1)


def test_ranks_get_equal_disjoint_shards_that_together_are_the_global_batch(collator, toy_examples, toy_translations):
    ranks = [training_data(collator, toy_examples, toy_translations, rank=rank, world_size=2, batch_size=4) for rank in (0, 1)]
    assert ranks[0].steps(0) == ranks[1].steps(0)  # one global order
    global_batches = [indices for step in ranks[0].steps(0) for indices in step]
    assert len(global_batches) == 42 // 8  # the last 2 rows cannot give both ranks 4: dropped
    assert all(len(indices) == 8 for indices in global_batches)
    shards = [[batch for step in data.epoch(0) for batch in step] for data in ranks]
    assert [len(rank_batches) for rank_batches in shards] == [5, 5]
    for first, second in zip(*shards):
        assert first["num_labelled"] == second["num_labelled"] == 4


def test_batches_are_collated_only_when_their_step_is_reached(collator, toy_examples, toy_translations):
    # A run that stops early (max_steps, a signal) counts only the rows it trained on as truncated.
    collator.max_length = 4  # every toy row is longer than 4 tokens
    data = training_data(collator, toy_examples, toy_translations, batch_size=8)
    steps = data.epoch(0)
    assert data.truncated_rows == 0
    first = next(steps)
    rows = sum(int(batch["input_ids"].shape[0]) for batch in first)
    assert data.truncated_rows == rows


def test_no_examples_is_a_training_error(collator, toy_translations):
    with pytest.raises(TrainingError, match="no training examples"):
        TrainingData([], toy_translations, collator, toy_config().training)


def test_too_few_examples_for_one_global_batch_name_the_fix(collator, toy_examples, toy_translations):
    with pytest.raises(TrainingError, match="do not fill one global batch of 64 .*lower batch_size"):
        training_data(collator, toy_examples[:10], toy_translations, rank=0, world_size=2, batch_size=32)
