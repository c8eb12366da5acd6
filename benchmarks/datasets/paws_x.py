"""PAWS-X (Yang et al. 2019): paraphrase identification in English, German, Spanish, French, Japanese, Korean, Chinese.

Owns reading the published files ``<data_dir>/<lang>/`` (also under the release's own
``x-final/`` folder): ``train.tsv`` for English, ``translated_train.tsv`` (machine
translated) for the others, and ``dev_2k.tsv`` and ``test_2k.tsv``. Each has the header
``id<TAB>sentence1<TAB>sentence2<TAB>label`` and rows with label ``0`` or ``1``.

Some translated rows have an empty sentence: they are skipped and counted
(``notes["empty_sentence"]``, one :class:`~xalign.datasets.Skip` each), as the
XeroAlign authors' preprocessing also drops them. Ids are shared across languages, so
the translations of the English training pairs are the translated training rows with
the same id.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import attrs

from benchmarks.datasets.translations import duplicate_ids, join_on_id, read_translation_file
from benchmarks.datasets.tsv import check_header, read_lines, split_columns
from xalign.data.examples import PairExample
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

HEADER = ("id", "sentence1", "sentence2", "label")
LABELS = ("0", "1")


@attrs.frozen
class PawsXLoader(PublishedFiles):
    """Loader for PAWS-X (sentence-pair classification)."""

    name: ClassVar[str] = "paws-x"
    task: ClassVar[str] = "pair"
    languages: ClassVar[tuple[str, ...]] = ("en", "de", "es", "fr", "ja", "ko", "zh")
    published_at: ClassVar[str] = "https://github.com/google-research-datasets/paws/tree/master/pawsx"
    # What its folder may be called under a root holding several datasets (``--dataset all``).
    folder_names: ClassVar[tuple[str, ...]] = ("paws-x", "pawsx", "x-final")
    # Target-language training files are machine translations of English train, with its
    # labels: the paper's translate-train mode trains on them.
    machine_translated_train: ClassVar[bool] = True

    def candidates(self, data_dir: Path, language: str, split: str) -> list[Path]:
        """Every path the ``split`` file of ``language`` may have, in order of preference."""
        language = normalize_language(language, self.languages)
        train = "train.tsv" if language == "en" else "translated_train.tsv"
        name = {"train": train, "dev": "dev_2k.tsv", "test": "test_2k.tsv"}[check_split(split)]
        return [Path(data_dir) / language / name, Path(data_dir) / "x-final" / language / name]

    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split. ``on_mismatch`` is accepted for the protocol; pairs have no tags to mismatch."""
        language = normalize_language(language, self.languages)
        check_on_mismatch(on_mismatch)
        path = self.locate(data_dir, language, split)
        return read_paws_x_file(path, language)

    def load_translations(
        self,
        data_dir: Path,
        language: str,
        english_train: list,
        translation_file: Path | None = None,
        format: str = "auto",
    ) -> TranslationSet:
        """From ``translation_file`` (lines carry both sentences) when given, else
        ``translated_train.tsv`` of ``language`` joined on id."""
        language = normalize_language(language, self.languages)
        if translation_file is not None:
            return read_translation_file(translation_file, language, english_train, format, pair=True)
        if language == "en":
            raise ValueError("English is the source language; ask for translations into a target language")
        target = self.load_split(data_dir, language, "train")
        rows = [(example.id, example.text, example.text_pair) for example in target.examples]
        return join_on_id(rows, english_train, language, Path(target.files[0]))


def read_paws_x_file(path: Path, language: str) -> LoadedSplit:
    """Sentence pairs of one PAWS-X file (see the module docstring)."""
    examples: list[PairExample] = []
    skipped: list[Skip] = []
    for number, text in check_header(read_lines(path), HEADER, path):
        if not text.strip():
            skipped.append(Skip(str(path), number, "blank line"))
            continue
        example_id, sentence, sentence_pair, label = split_columns(text, 4, path, number)
        example_id, label = example_id.strip(), label.strip()
        if not example_id:
            raise DataError("empty id", path, number)
        if label not in LABELS:
            raise DataError(f"label {label!r} is not 0 or 1", path, number)
        if not sentence.strip() or not sentence_pair.strip():
            which = "sentence1" if not sentence.strip() else "sentence2"
            skipped.append(Skip(str(path), number, f"empty {which}"))
            continue
        examples.append(PairExample(example_id, sentence.strip(), sentence_pair.strip(), label, language))
    notes = {
        "empty_sentence": sum(skip.problem.startswith("empty sentence") for skip in skipped),
        "blank_lines": sum(skip.problem == "blank line" for skip in skipped),
        "duplicate_ids": duplicate_ids(examples),
    }
    return LoadedSplit(examples, skipped, notes, [str(path)])
