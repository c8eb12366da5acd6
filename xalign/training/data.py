"""Which examples go into which step: parallel items, length-grouped and reproducible order.

The order of an epoch depends only on ``(seed, epoch)``, so a resumed run replays exactly
the batches an uninterrupted run would have seen.
"""

from __future__ import annotations

import random
from typing import Mapping, Sequence

from xalign.data.collate import ParallelItem
from xalign.data.examples import Translation


def parallel_items(examples: Sequence, translations: Mapping[str, Mapping[str, Translation]], languages: Sequence[str] = ()) -> list[ParallelItem]:
    """Pair every English example with its translations in ``languages`` (all when empty).

    Examples with no translation still train the task; they add nothing to the alignment loss.
    """
    chosen = list(languages) or sorted(translations)
    items = []
    for example in examples:
        found = tuple(translations[language][example.id] for language in chosen if example.id in translations.get(language, {}))
        items.append(ParallelItem(example, found))
    return items


def epoch_batches(lengths: Sequence[int], batch_size: int, seed: int, epoch: int, group_by_length: bool = True, drop_last: bool = False) -> list[list[int]]:
    """Batches of indices for one epoch.

    With ``group_by_length``, indices are shuffled, cut into windows of 50 batches, each
    window sorted by length and cut into batches, and the batches shuffled again: rows of
    similar length share a batch (little padding) while the order stays random.
    """
    rng = random.Random(f"{seed}:{epoch}")
    order = list(range(len(lengths)))
    rng.shuffle(order)
    if group_by_length:
        window = batch_size * 50
        grouped = []
        for start in range(0, len(order), window):
            grouped += sorted(order[start : start + window], key=lambda index: lengths[index])
        order = grouped
    batches = [order[start : start + batch_size] for start in range(0, len(order), batch_size)]
    if drop_last and batches and len(batches[-1]) < batch_size:
        batches.pop()
    if group_by_length:
        rng.shuffle(batches)
    return batches


def random_alignment_items(items: Sequence[ParallelItem], count: int, seed: int, step: int) -> list[ParallelItem]:
    """The reference code's alignment batch: drawn at random, independent of the task batch."""
    rng = random.Random(f"{seed}:align:{step}")
    with_translations = [item for item in items if item.translations]
    if not with_translations:
        return []
    return [rng.choice(with_translations) for _ in range(count)]


def sample_translations(item: ParallelItem, count: int | None, seed: int, epoch: int, index: int) -> ParallelItem:
    """Keep ``count`` of the item's translations, drawn reproducibly per (seed, epoch, example)."""
    if count is None or len(item.translations) <= count:
        return item
    rng = random.Random(f"{seed}:{epoch}:{index}")
    return ParallelItem(item.example, tuple(rng.sample(item.translations, count)))
