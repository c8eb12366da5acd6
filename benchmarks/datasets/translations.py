"""Translations of the English training utterances, the unlabelled side of XeroAlign.

Owns the three ways to get them (design notes, section 4):

- ``line-aligned``: the authors' form (``<lang>/train.tsv``), one translated utterance per
  line, line *i* translating the *i*-th English training example (for sentence pairs:
  ``text<TAB>text_pair``). The line count must equal the English example count.
- ``keyed``: ``id<TAB>text`` (pairs: ``id<TAB>text<TAB>text_pair``), any order, any subset;
  an id that is not an English training id is an error.
- joined on id with the target language's own training file, for datasets whose ids are
  shared across languages (MTOP, PAWS-X, MultiATIS++): see :func:`join_on_id`.

Detection rule for ``format="auto"``: each non-blank line votes. A line with the keyed
number of columns whose first column is the id of an English training example votes
keyed; a line with the line-aligned number of columns votes line-aligned; others abstain.
The file is keyed when keyed votes win, otherwise line-aligned. Votes rather than the first
line alone, so that one damaged line is reported where it is instead of turning the whole
file into the other format.

Translations are matched to English examples by id, so two English training examples with
one id would share one translation (one of them aligned to a sentence it does not mean). A
translation of such an id is a :class:`DataError` at its line, naming the English examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from benchmarks.datasets.tsv import read_lines
from xalign.data.examples import Translation
from xalign.datasets import TranslationSet
from xalign.errors import DataError

TRANSLATION_FORMATS = ("auto", "line-aligned", "keyed")


def english_ids(english_train: Sequence) -> list[str]:
    """The ids of the English training examples, in order."""
    return [example.id for example in english_train]


def duplicate_ids(examples: Sequence) -> int:
    """How many examples repeat the id of an earlier one (ids read from a file may; a join
    on id keeps the first)."""
    return len(examples) - len({example.id for example in examples})


def repeated_ids(ids: Sequence[str]) -> dict[str, list[int]]:
    """Ids held by more than one English example: id -> the examples' 1-based positions."""
    positions: dict[str, list[int]] = {}
    for position, example_id in enumerate(ids, 1):
        positions.setdefault(example_id, []).append(position)
    return {example_id: found for example_id, found in positions.items() if len(found) > 1}


def _shared_id_error(example_id: str, positions: list[int], path: Path, line: int | None) -> DataError:
    ordinals = ", ".join(f"#{position}" for position in positions)
    return DataError(
        f"this translates id {example_id!r}, which {len(positions)} English training examples share ({ordinals}, in file "
        "order); translations are matched to English examples by id, so it cannot say which one it translates. "
        "Give each English training example its own id",
        path,
        line,
    )


def read_translation_file(
    path: Path, language: str, english_train: Sequence, format: str = "auto", pair: bool = False
) -> TranslationSet:
    """Translations into ``language`` of ``english_train`` read from ``path``.

    ``pair`` is true for sentence-pair datasets (PAWS-X), whose lines carry two texts.
    """
    if format not in TRANSLATION_FORMATS:
        raise ValueError(f"translation format must be one of {', '.join(TRANSLATION_FORMATS)}, got {format!r}")
    path = Path(path)
    if not path.is_file():
        raise DataError("translation file not found", path)
    lines = read_lines(path)
    ids = english_ids(english_train)
    if not ids:
        raise ValueError("no English training examples to align translations with")
    if format == "auto":
        format = detect_translation_format(lines, set(ids), pair)
    if format == "keyed":
        return _read_keyed(path, lines, language, ids, pair)
    return _read_line_aligned(path, lines, language, ids, pair)


def detect_translation_format(lines: Sequence[tuple[int, str]], known_ids: set[str], pair: bool = False) -> str:
    """``"keyed"`` or ``"line-aligned"``, by the rule in the module docstring."""
    keyed_columns = 3 if pair else 2
    filled = [text.split("\t") for _, text in lines if text.strip()]
    keyed = sum(len(columns) == keyed_columns and columns[0].strip() in known_ids for columns in filled)
    line_aligned = sum(len(columns) == keyed_columns - 1 for columns in filled)
    return "keyed" if keyed > line_aligned else "line-aligned"


def _texts(columns: list[str], pair: bool) -> tuple[str, str | None]:
    return columns[0].strip(), (columns[1].strip() if pair else None)


def _read_line_aligned(
    path: Path, lines: list[tuple[int, str]], language: str, ids: list[str], pair: bool
) -> TranslationSet:
    while lines and not lines[-1][1].strip():  # blank lines at the end translate nothing
        lines = lines[:-1]
    if len(lines) != len(ids):
        raise DataError(
            f"{len(lines)} lines in a line-aligned translation file for {len(ids)} English training "
            "examples; line i must translate English example i, so the counts must be equal",
            path,
        )
    columns_per_line = 2 if pair else 1
    by_id: dict[str, Translation] = {}
    empty = 0
    shared = repeated_ids(ids)
    for (number, text), example_id in zip(lines, ids):
        if example_id in shared:
            raise _shared_id_error(example_id, shared[example_id], path, number)
        columns = text.split("\t")
        if len(columns) != columns_per_line:
            raise DataError(
                f"a line-aligned translation line holds {columns_per_line} tab-separated text(s), found "
                f"{len(columns)} (in a keyed file the first column must be an English training id)",
                path,
                number,
            )
        text, text_pair = _texts(columns, pair)
        if not text or (pair and not text_pair):
            empty += 1
            continue
        by_id[example_id] = Translation(id=example_id, language=language, text=text, text_pair=text_pair)
    notes = {"empty_translations": empty, "untranslated": len(set(ids)) - len(by_id)}
    return TranslationSet(by_id, f"line-aligned file {path}", notes)


def _read_keyed(path: Path, lines: list[tuple[int, str]], language: str, ids: list[str], pair: bool) -> TranslationSet:
    known = set(ids)
    shared = repeated_ids(ids)
    columns_per_line = 3 if pair else 2
    by_id: dict[str, Translation] = {}
    first_line: dict[str, int] = {}
    blank = empty = 0
    for number, text in lines:
        if not text.strip():
            blank += 1
            continue
        columns = text.split("\t")
        if len(columns) != columns_per_line:
            raise DataError(
                f"a keyed translation line holds {columns_per_line} tab-separated columns (id, text"
                f"{', text_pair' if pair else ''}), found {len(columns)}",
                path,
                number,
            )
        example_id = columns[0].strip()
        if example_id not in known:
            raise DataError(f"id {example_id!r} is not the id of an English training example", path, number)
        if example_id in first_line:
            problem = f"id {example_id!r} is translated twice (first on line {first_line[example_id]})"
            raise DataError(problem, path, number)
        if example_id in shared:
            raise _shared_id_error(example_id, shared[example_id], path, number)
        first_line[example_id] = number
        translated, translated_pair = _texts(columns[1:], pair)
        if not translated or (pair and not translated_pair):
            empty += 1
            continue
        by_id[example_id] = Translation(id=example_id, language=language, text=translated, text_pair=translated_pair)
    notes = {"blank_lines": blank, "empty_translations": empty, "untranslated": len(known) - len(by_id)}
    return TranslationSet(by_id, f"keyed file {path}", notes)


def join_on_id(
    rows: Sequence[tuple[str, str, str | None]], english_train: Sequence, language: str, source_path: Path
) -> TranslationSet:
    """Translations from the target language's own training rows ``(id, text, text_pair)``.

    Only rows whose id is an English training id are kept; the first row wins for an id
    that occurs twice. No shared id at all is an error: the files are not parallel.
    """
    known = set(english_ids(english_train))
    shared = repeated_ids(english_ids(english_train))
    by_id: dict[str, Translation] = {}
    target_only = duplicates = 0
    for row_id, text, text_pair in rows:
        if row_id in shared:
            raise _shared_id_error(row_id, shared[row_id], source_path, None)
        if row_id not in known:
            target_only += 1
        elif row_id in by_id:
            duplicates += 1
        else:
            by_id[row_id] = Translation(id=row_id, language=language, text=text, text_pair=text_pair)
    if not by_id:
        raise DataError(
            "no id in this file is the id of an English training example, so it cannot be joined on id; "
            "pass translation_file= (line-aligned or keyed) instead",
            source_path,
        )
    notes = {"untranslated": len(known) - len(by_id), "target_only": target_only, "duplicate_ids": duplicates}
    source = f"joined on id with {source_path} ({len(by_id)} of {len(known)} English training examples)"
    return TranslationSet(by_id, source, notes)
