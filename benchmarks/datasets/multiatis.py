"""MultiATIS++ (Xu et al. 2020): ATIS intents and slots in nine languages.

Owns reading the published files ``<data_dir>/{train,dev,test}_<LANG>.tsv`` (also under
the release's ``data/`` folder) for EN DE ES FR HI JA PT TR ZH. Each has the header
``id<TAB>utterance<TAB>slot_labels<TAB>intent``; the utterance is space-tokenised (Chinese
and Japanese pre-segmented) and ``slot_labels`` holds one BIO tag per token. A
multi-intent such as ``atis_flight#atis_airfare`` is one class, kept as written.

A few rows (fr zh hi ja pt) have a tag count that differs from the token count.
``on_mismatch="fail"`` raises a :class:`~xalign.errors.DataError` naming file, line and
both counts; ``"skip"`` skips the row, records a
:class:`~xalign.datasets.Skip` and counts it in ``notes["tag_count_mismatch"]``.
Ids are shared across languages, so translations of the English training data are the
target language's training rows with the same id.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import attrs

from benchmarks.datasets.spans import bio_tag_problem
from benchmarks.datasets.translations import duplicate_ids, join_on_id, read_translation_file
from benchmarks.datasets.tsv import check_header, read_lines, split_columns
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

HEADER = ("id", "utterance", "slot_labels", "intent")
SPLITS = ("train", "dev", "test")


@attrs.frozen
class MultiAtisLoader(PublishedFiles):
    """Loader for MultiATIS++ (intents and BIO slots)."""

    name: ClassVar[str] = "multiatis"
    task: ClassVar[str] = "joint"
    languages: ClassVar[tuple[str, ...]] = ("en", "de", "es", "fr", "hi", "ja", "pt", "tr", "zh")
    published_at: ClassVar[str] = "https://catalog.ldc.upenn.edu/LDC2021T04"
    # What its folder may be called under a root holding several datasets (``--dataset all``).
    folder_names: ClassVar[tuple[str, ...]] = ("multiatis", "MultiATIS++", "multiatis++")

    def candidates(self, data_dir: Path, language: str, split: str) -> list[Path]:
        """Every path the ``split`` file of ``language`` may have, in order of preference."""
        language = normalize_language(language, self.languages)
        name = f"{check_split(split)}_{language.upper()}.tsv"
        return [Path(data_dir) / name, Path(data_dir) / "data" / name]



    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split; rows whose tag count differs from their token count fail or are skipped."""
        language = normalize_language(language, self.languages)
        check_on_mismatch(on_mismatch)
        path = self.locate(data_dir, language, split)
        return read_multiatis_file(path, language, on_mismatch)

    def load_translations(
        self,
        data_dir: Path,
        language: str,
        english_train: list,
        translation_file: Path | None = None,
        format: str = "auto",
    ) -> TranslationSet:
        """From ``translation_file`` when given, else the ``language`` training rows joined on id.

        The target file is read with ``on_mismatch="skip"``: its rows with a wrong tag
        count leave their English examples untranslated (``notes["untranslated"]``)
        instead of failing the whole join.
        """
        language = normalize_language(language, self.languages)
        if translation_file is not None:
            return read_translation_file(translation_file, language, english_train, format)
        if language == "en":
            raise ValueError("English is the source language; ask for translations into a target language")
        target = self.load_split(data_dir, language, "train", on_mismatch="skip")
        rows = [(example.id, example.text, None) for example in target.examples]
        return join_on_id(rows, english_train, language, Path(target.files[0]))


def read_multiatis_file(path: Path, language: str, on_mismatch: str = "fail") -> LoadedSplit:
    """Examples of one MultiATIS++ file (see the module docstring)."""
    check_on_mismatch(on_mismatch)
    examples: list[SlotFillingExample] = []
    skipped: list[Skip] = []
    mismatches = 0
    for number, text in check_header(read_lines(path), HEADER, path):
        if not text.strip():
            skipped.append(Skip(str(path), number, "blank line"))
            continue
        example_id, utterance, slot_labels, intent = (column.strip() for column in split_columns(text, 4, path, number))
        if not example_id:
            raise DataError("empty id", path, number)
        if not utterance:
            raise DataError("empty utterance", path, number)
        if not intent:
            raise DataError("empty intent", path, number)
        words, tags = utterance.split(), slot_labels.split()
        for tag in tags:
            problem = bio_tag_problem(tag)
            if problem:
                raise DataError(problem, path, number)
        if len(words) != len(tags):
            problem = f"{len(tags)} slot tags for {len(words)} tokens"
            if on_mismatch == "fail":
                raise DataError(f"{problem}; pass on_mismatch='skip' to skip and count such rows", path, number)
            skipped.append(Skip(str(path), number, problem))
            mismatches += 1
            continue
        examples.append(SlotFillingExample(example_id, words, tags, intent, language))
    notes = {
        "tag_count_mismatch": mismatches,
        "blank_lines": len(skipped) - mismatches,
        "duplicate_ids": duplicate_ids(examples),
    }
    return LoadedSplit(examples, skipped, notes, [str(path)])
