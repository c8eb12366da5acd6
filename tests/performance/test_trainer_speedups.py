"""The trainer's speed techniques keep its results: exact length grouping, fused optimizers."""

from __future__ import annotations

import pytest
import torch

from benchmarks import workload as workloads
from xalign.config import TrainingConfig
from xalign.data.collate import Collator
from xalign.heads import LabelSpace
from xalign.training.data import epoch_batches, parallel_items
from xalign.training.optimisation import make_optimizer


@pytest.fixture(scope="module")
def collator_and_items(tiny_encoder_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(tiny_encoder_path))
    pool = workloads.synthetic("mtop", 300, tokenizer)
    intents, tags = pool.labels()
    collator = Collator(tokenizer, LabelSpace(intents, tags), text_prefix="query: ")
    return collator, parallel_items(pool.examples, pool.translations_for_training())


def test_collator_lengths_are_the_longest_row_each_item_brings_to_a_batch(collator_and_items):
    collator, items = collator_and_items
    lengths = collator.lengths(items)
    for item, length in zip(items[:50], lengths):
        batch = collator([item])
        assert batch["input_ids"].shape[1] == length


def test_grouping_by_exact_length_pads_less_than_random_batches(collator_and_items):
    collator, items = collator_and_items
    lengths = collator.lengths(items)

    def pad_fraction(grouped: bool) -> float:
        real = padded = 0
        for indices in epoch_batches(lengths, 32, seed=1, epoch=0, group_by_length=grouped):
            batch = collator([items[index] for index in indices])
            real += int(batch["attention_mask"].sum())
            padded += batch["attention_mask"].numel()
        return 1 - real / padded

    assert pad_fraction(True) < 0.6 * pad_fraction(False)


@pytest.mark.parametrize("name", ["adam", "adamw"])
def test_the_optimizer_is_fused_on_the_cpu_where_pytorch_supports_it(name):
    model = torch.nn.Linear(4, 3)
    optimizer = make_optimizer(model, TrainingConfig(optimizer=name), torch.device("cpu"))
    try:
        type(optimizer)([torch.nn.Parameter(torch.zeros(1))], fused=True)
        supported = True
    except (RuntimeError, TypeError, ValueError):
        supported = False
    assert bool(optimizer.defaults.get("fused")) is supported


def test_fused_and_unfused_adamw_take_the_same_steps():
    torch.manual_seed(0)
    reference = torch.nn.Linear(16, 8)
    fused = torch.nn.Linear(16, 8)
    fused.load_state_dict(reference.state_dict())
    optimizers = [torch.optim.AdamW(reference.parameters(), lr=1e-2, weight_decay=0.0, foreach=False), make_optimizer(fused, TrainingConfig(learning_rate=1e-2, weight_decay=0.0), torch.device("cpu"))]
    for _ in range(5):
        inputs = torch.randn(4, 16)
        for model, optimizer in zip((reference, fused), optimizers):
            optimizer.zero_grad()
            model(inputs).pow(2).mean().backward()
            optimizer.step()
    for left, right in zip(reference.parameters(), fused.parameters()):
        torch.testing.assert_close(left, right, rtol=1e-5, atol=1e-6)
