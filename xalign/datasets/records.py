"""The records a dataset loader returns: a loaded split, a skipped line, a set of translations.

Owns what a runner receives from any loader, so that it can train, report what was left
out and say where the data came from. Knows nothing of any file format, of tokenizers or
of tensors; the examples themselves are :mod:`xalign.data.examples` records.
"""

from __future__ import annotations

import attrs

from xalign.data.examples import Translation


@attrs.frozen
class Skip:
    """A line that was read but produced no example, and why."""

    path: str
    line: int
    problem: str


@attrs.frozen
class LoadedSplit:
    """One split of one language: its examples, what was skipped, and counted quirks.

    ``notes`` counts what a reader of the results should know (``misaligned_spans``,
    ``overlapping_slots``, ``empty_sentence`` ...); ``files`` are the files read.
    """

    examples: list
    skipped: list[Skip] = attrs.Factory(list)
    notes: dict[str, int] = attrs.Factory(dict)
    files: list[str] = attrs.Factory(list)


@attrs.frozen
class TranslationSet:
    """Translations of English training examples, keyed by the English example's id.

    ``source`` says in words where they came from: ``"line-aligned file X"``,
    ``"keyed file X"`` or ``"joined on id with X"``. ``notes`` counts what was left out.
    """

    by_id: dict[str, Translation]
    source: str
    notes: dict[str, int] = attrs.Factory(dict)
