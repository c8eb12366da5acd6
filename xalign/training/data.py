"""Which examples go into which step, collated: the training loop's only source of batches.

:class:`TrainingData` pairs every English example with its translations, fixes the order of
each epoch from ``(seed, epoch)`` alone, cuts it into optimizer steps of
``gradient_accumulation`` micro-batches, gives this process its shard of every micro-batch
and collates it. A resumed run therefore replays exactly the batches an uninterrupted run
would have seen. This module knows nothing of devices, models or losses.
"""

from __future__ import annotations

import copy
import logging
import math
import random
from typing import Iterator, Mapping, Sequence

from xalign.config import TrainingConfig
from xalign.data.collate import Collator, ParallelItem
from xalign.data.examples import Translation
from xalign.errors import TrainingError


logger = logging.getLogger(__name__)


class TrainingData:
    """Per optimizer step, this process's collated micro-batches, in an order fixed by ``(seed, epoch)``.

    ``epoch(epoch, start)`` yields one list of collated batches per optimizer step (the
    ``gradient_accumulation`` micro-batches of that step, each this rank's shard of a global
    batch of ``batch_size × world_size`` rows), from step ``start`` of the epoch on; batches are
    collated lazily, one step at a time, so the truncation count covers only what was trained on.
    """

    def __init__(
        self,
        examples: Sequence,
        translations: Mapping[str, Mapping[str, Translation]],
        collator: Collator,
        config: TrainingConfig,
        rank: int = 0,
        world_size: int = 1,
    ):
        if not examples:
            raise TrainingError("no training examples were given")
        self.collator = collator
        self.config = config
        self.rank, self.world_size = rank, world_size
        self.items = parallel_items(examples, translations, config.align_languages)
        self.translation_counts = translation_coverage(self.items, translations, config.align_languages)
        # The reference recipe's alignment batch is drawn apart from the task batch: the task
        # rows then carry no translations (random_alignment_items adds the aligned rows).
        self.task_items = [ParallelItem(item.example) for item in self.items] if config.alignment_batch == "random" else self.items
        # Exact subword counts (one tokenizer pass) group rows far better than a character
        # proxy: 11 % padding instead of 22 % on the demo data at batch 32 (docs/performance.md).
        self.lengths = collator.lengths(self.items) if config.group_by_length else [0] * len(self.items)
        self.global_batch = config.batch_size * world_size
        # Data-parallel runs drop a last global batch that cannot give every rank ``batch_size``
        # rows: the ranks' losses are means over equal shards, so their average is the mean
        # over the global batch, exactly as in one process (tests/performance/test_distributed.py).
        self.drop_last = world_size > 1
        batches = len(self.items) // self.global_batch if self.drop_last else math.ceil(len(self.items) / self.global_batch)
        if batches == 0:
            raise TrainingError(
                f"{len(self.items)} training examples do not fill one global batch of {self.global_batch} "
                f"({world_size} processes x batch_size {config.batch_size}); lower batch_size or use fewer processes"
            )
        self.steps_per_epoch = math.ceil(batches / config.gradient_accumulation)

    @property
    def truncated_rows(self) -> int:
        """Rows cut to ``max_length`` by this object's collator so far."""
        return self.collator.truncated.rows

    def steps(self, epoch: int) -> list[list[list[int]]]:
        """The epoch's optimizer steps, each a list of micro-batches of global item indices."""
        config = self.config
        batches = epoch_batches(self.lengths, self.global_batch, config.seed, epoch, config.group_by_length, self.drop_last)
        accumulation = config.gradient_accumulation
        return [batches[start : start + accumulation] for start in range(0, len(batches), accumulation)]

    def epoch(self, epoch: int, start: int = 0) -> Iterator[list[dict]]:
        """Collated micro-batches of this rank, one list per optimizer step, from step ``start`` on."""
        steps = self.steps(epoch)
        for position in range(start, len(steps)):
            global_step = epoch * self.steps_per_epoch + position
            yield [self._collate(indices, epoch, global_step, micro) for micro, indices in enumerate(steps[position])]

    def probe(self) -> dict:
        """This rank's first micro-batch of the first epoch, collated without counting its
        truncated rows (for a dry run before training; see :mod:`xalign.training.distributed`)."""
        counter = self.collator.truncated
        self.collator.truncated = copy.copy(counter)
        try:
            return self._collate(self.steps(0)[0][0], 0, 0, 0)
        finally:
            self.collator.truncated = counter

    def has_untranslated_rows(self) -> bool:
        """Whether a step's batch may hold no translation while others do (paired rows, partial coverage)."""
        return self.config.alignment_batch != "random" and any(item.translations for item in self.items) and any(not item.translations for item in self.items)

    def _collate(self, indices: Sequence[int], epoch: int, global_step: int, micro: int) -> dict:
        config = self.config
        shard = indices[self.rank :: self.world_size]
        items = [sample_translations(self.task_items[i], config.translations_per_example, config.seed, epoch, i) for i in shard]
        if config.alignment_batch != "random":
            return self.collator(items)
        # One draw per (step, micro-batch, rank): every rank aligns different rows.
        draw = global_step * 1000 + micro * self.world_size + self.rank
        return self.collator(items + random_alignment_items(self.items, len(items), config.seed, draw), num_labelled=len(items))


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


def translation_coverage(items: Sequence[ParallelItem], translations: Mapping[str, Mapping[str, Translation]], languages: Sequence[str] = ()) -> dict[str, int]:
    """How many English examples each language's translations pair with.

    Translations that join no example (ids of another file, a language code in another
    case) would silently turn XeroAlign into zero-shot training: that is an error, and a
    partial join is a warning with the counts.
    """
    chosen = list(languages) or sorted(translations)
    missing = [language for language in chosen if language not in translations]
    if missing:
        raise TrainingError(f"align_languages names {', '.join(missing)}, but translations were given for {', '.join(sorted(translations)) or 'no language'}")
    counts = {language: sum(1 for item in items if item.example.id in translations.get(language, {})) for language in chosen}
    if not translations:
        return counts
    sizes = {language: len(translations[language]) for language in chosen}
    if chosen and not any(counts.values()):
        examples = ", ".join(repr(item.example.id) for item in items[:3])
        given = ", ".join(f"{language}: {sizes[language]} (e.g. id {next(iter(translations[language]), None)!r})" for language in chosen)
        raise TrainingError(
            f"no translation matches an English training example: translations {given}; English ids e.g. {examples}. "
            "Translations are keyed by the id of the English example they translate; check the ids (and the language codes)"
        )
    for language, count in counts.items():
        if count < len(items):
            logger.warning("translations %s: %d of %d English training examples have one; the rest train the task only", language, count, len(items))
    return counts


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
