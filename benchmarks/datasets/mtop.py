"""MTOP (Li et al. 2021), flat version: intents and slots in English, German, Spanish, French, Hindi, Thai.

Owns reading the published files ``<data_dir>/<lang>/{train,eval,test}.txt`` (also under
the release's own ``mtop/`` folder); ``eval`` is the dev split. Rows have 8 tab-separated
columns: id, intent (``IN:GET_WEATHER``, kept as is), slots (comma-separated
``start:end:SL:TYPE``, character offsets, end exclusive, possibly empty), utterance,
domain, locale (``en_XX``), decoupled form, and the tokens JSON
``{"tokens": [...], "tokenSpans": [{"start": s, "length": n}, ...]}``. Slot types lose
their ``SL:`` prefix (``SL:DATE_TIME`` -> ``B-DATE_TIME``); words are the utterance text
at the token spans; slots become BIO by :mod:`benchmarks.datasets.spans`.

The XeroAlign authors' preprocessed copy drops the id column (7 columns) and names the
dev file ``dev.txt``; both are accepted, the column count being read per file. Without
ids, examples are numbered ``<lang>-<split>-<n>`` and translations cannot be joined on id.
With ids, parallel utterances share their id across languages, so translations of the
English training data are the target language's training rows with the same id.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import ClassVar

import attrs

from benchmarks.datasets.spans import JOINT_NOTES, tag_utterance, token_spans_from_json
from benchmarks.datasets.translations import duplicate_ids, join_on_id, read_translation_file
from benchmarks.datasets.tsv import located, read_lines, split_columns
from xalign.data.examples import SlotFillingExample
from xalign.datasets import (
    LoadedSplit,
    PublishedFiles,
    Skip,
    TranslationSet,
    check_on_mismatch,
    check_split,
    normalize_language,
)
from xalign.errors import DataError

FILE_NAMES = {"train": ("train.txt",), "dev": ("eval.txt", "dev.txt"), "test": ("test.txt",)}
PUBLISHED_COLUMNS = 8
AUTHORS_COLUMNS = 7  # the XeroAlign authors' copy: no id column


@attrs.frozen
class MtopFile:
    """One MTOP file read: its split, the raw utterances (parallel to the examples) and
    whether the ids came from the file."""

    split: LoadedSplit
    utterances: list[str]
    has_ids: bool


@attrs.frozen
class MtopLoader(PublishedFiles):
    """Loader for MTOP (flat intents and slots)."""

    name: ClassVar[str] = "mtop"
    task: ClassVar[str] = "joint"
    languages: ClassVar[tuple[str, ...]] = ("en", "de", "es", "fr", "hi", "th")
    published_at: ClassVar[str] = "https://fb.me/mtop_dataset"
    # What its folder may be called under a root holding several datasets (``--dataset all``).
    folder_names: ClassVar[tuple[str, ...]] = ("mtop", "MTOP")

    def candidates(self, data_dir: Path, language: str, split: str) -> list[Path]:
        """Every path the ``split`` file of ``language`` may have, in order of preference."""
        language = normalize_language(language, self.languages)
        roots = [Path(data_dir) / language, Path(data_dir) / "mtop" / language]
        return [root / name for name in FILE_NAMES[check_split(split)] for root in roots]



    def _read(self, data_dir: Path, language: str, split: str) -> MtopFile:
        path = self.locate(data_dir, language, split)
        return read_mtop_file(path, language, split)

    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split. ``on_mismatch`` is accepted for the protocol; tags are computed from
        spans, one per word, so MTOP rows cannot have a tag/word count mismatch."""
        check_on_mismatch(on_mismatch)
        return self._read(data_dir, normalize_language(language, self.languages), split).split

    def load_translations(
        self,
        data_dir: Path,
        language: str,
        english_train: list,
        translation_file: Path | None = None,
        format: str = "auto",
    ) -> TranslationSet:
        """From ``translation_file`` when given, else the ``language`` training rows joined on id."""
        language = normalize_language(language, self.languages)
        if translation_file is not None:
            return read_translation_file(translation_file, language, english_train, format)
        if language == "en":
            raise ValueError("English is the source language; ask for translations into a target language")
        target = self._read(data_dir, language, "train")
        source = Path(target.split.files[0])
        if not target.has_ids:
            raise DataError(
                f"this file has no id column (the authors' {AUTHORS_COLUMNS}-column copy), so it cannot be "
                "joined on id with the English training data; use the published 8-column files or pass "
                "translation_file=",
                source,
            )
        rows = [(example.id, text.strip(), None) for example, text in zip(target.split.examples, target.utterances)]
        return join_on_id(rows, english_train, language, source)


def file_variant(lines: list[tuple[int, str]]) -> int | tuple[int, int]:
    """The column count of the file's variant: 8 (published) or 7 (authors' copy), whichever
    most rows have (8 on a tie), so that one damaged row is reported on its own line instead
    of setting the variant and failing every good row after it. When no row has either
    count, both are allowed and the first row's error names the problem."""
    counts = Counter(text.count("\t") + 1 for _, text in lines if text.strip())
    if not counts[PUBLISHED_COLUMNS] and not counts[AUTHORS_COLUMNS]:
        return (PUBLISHED_COLUMNS, AUTHORS_COLUMNS)
    return PUBLISHED_COLUMNS if counts[PUBLISHED_COLUMNS] >= counts[AUTHORS_COLUMNS] else AUTHORS_COLUMNS


def read_mtop_file(path: Path, language: str, split: str) -> MtopFile:
    """Examples of one MTOP file, 8 columns (published) or 7 (authors' copy), see the module docstring."""
    examples: list[SlotFillingExample] = []
    utterances: list[str] = []
    skipped: list[Skip] = []
    notes = {key: 0 for key in JOINT_NOTES}
    lines = read_lines(path)
    columns_per_line = file_variant(lines)
    for number, text in lines:
        if not text.strip():
            skipped.append(Skip(str(path), number, "blank line"))
            continue
        columns = split_columns(text, columns_per_line, path, number)
        with located(path, number):
            if columns_per_line == PUBLISHED_COLUMNS:
                example_id, *columns = columns
                example_id = example_id.strip()
                if not example_id:
                    raise ValueError("empty id")
            else:
                example_id = f"{language}-{split}-{len(examples) + 1}"
            intent, slot_field, utterance, _domain, locale, _decoupled, tokens_json = columns
            found = normalize_language(locale)
            if found != language:
                raise ValueError(f"locale {locale!r} is not the language of this file ({language})")
            try:
                tokens, token_spans = token_spans_from_json(json.loads(tokens_json))
            except (json.JSONDecodeError, RecursionError) as error:  # RecursionError: nested too deeply
                raise ValueError(f"bad tokens JSON ({error})") from None
            words, tags = tag_utterance(utterance, slot_field, tokens, token_spans, notes, type_prefix="SL:")
            if not intent.strip():
                raise ValueError("empty intent")
            examples.append(SlotFillingExample(example_id, words, tags, intent.strip(), language))
            utterances.append(utterance)
    notes["duplicate_ids"] = duplicate_ids(examples)
    split_data = LoadedSplit(examples, skipped, notes, [str(path)])
    return MtopFile(split_data, utterances, columns_per_line != AUTHORS_COLUMNS)
