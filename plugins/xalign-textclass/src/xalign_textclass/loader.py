"""``textclass``: sentence classification from your own ``text<TAB>label`` files.

Layout under ``--data-dir``::

    en/train.tsv   en/dev.tsv (optional)   en/test.tsv      English: labelled training data
    de/test.tsv    fr/test.tsv ...                          targets: test data (train.tsv too
                                                            for the target/translate-train modes)
    translations/de/train.tsv                               translations of en/train.tsv:
                                                            line-aligned, or keyed id<TAB>text

Every data line is ``text<TAB>label`` (an optional ``text<TAB>label`` header line is
skipped); ids are ``<lang>-<split>-<line>``, e.g. ``en-train-7``. A malformed line is a
:class:`~xalign.errors.DataError` naming the file, the line and the problem. Follows the
dataset-loader contract of :mod:`xalign.datasets`; ``task = "classification"``
makes the runner use a sequence-classification head over the labels it finds.
"""

from __future__ import annotations

from pathlib import Path

from xalign.datasets import SPLITS, LoadedSplit, MissingDatasetError, TranslationSet, check_split
from xalign.errors import DataError

from xalign_textclass.files import read_examples, read_translations

TRANSLATIONS = "translations"


class TextClassLoader:
    """Loads ``<data_dir>/<lang>/{train,dev,test}.tsv`` and the translations of English train."""

    name = "textclass"
    task = "classification"
    languages = ("en",)  # generic: the languages are the folders of the data directory
    published_at = "your own files (layout: plugins/xalign-textclass/README.md)"
    folder_names = ("textclass",)

    def expected_files(self, data_dir: Path, language: str) -> list[Path]:
        return [Path(data_dir) / language / f"{split}.tsv" for split in SPLITS]

    def available_languages(self, data_dir: Path) -> list[str]:
        """English when it has train and test files; any other folder with a test file."""
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            return []
        found = []
        for folder in sorted(path for path in data_dir.iterdir() if path.is_dir() and path.name != TRANSLATIONS):
            needed = ("train", "test") if folder.name == "en" else ("test",)
            if all((folder / f"{split}.tsv").is_file() for split in needed):
                found.append(folder.name)
        return sorted(found, key=lambda language: language != "en")

    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split; a missing ``dev.tsv`` is an empty split (noted), any other missing file an error.

        ``on_mismatch`` is accepted for the protocol; a malformed line always fails, as
        there is no count to mismatch in a two-column file.
        """
        path = Path(data_dir) / language / f"{check_split(split)}.tsv"
        if not path.is_file():
            if split == "dev":
                return LoadedSplit([], notes={"no_dev_file": 1})
            raise MissingDatasetError(
                "textclass", language, split, [path], self.published_at,
                hint=f"Write text<TAB>label rows, one example per line, to {path}.",
            )
        examples, notes = read_examples(path, language, split)
        return LoadedSplit(examples, notes=notes, files=[str(path)])

    def translation_candidates(self, data_dir: Path, language: str) -> list[Path]:
        root = Path(data_dir) / TRANSLATIONS
        return [root / language / "train.tsv", root / f"{language}.tsv"]

    def load_translations(self, data_dir: Path, language: str, english_train: list, translation_file: Path | None = None) -> TranslationSet:
        """Translations of ``english_train`` into ``language``, from ``translation_file`` or the default places."""
        if translation_file is None:
            candidates = self.translation_candidates(data_dir, language)
            translation_file = next((path for path in candidates if path.is_file()), None)
            if translation_file is None:
                places = ", ".join(str(path) for path in candidates)
                raise DataError(
                    f"no translations of the English training data into {language!r}: looked for {places}; "
                    "write one translation per line (line i translates the i-th row of en/train.tsv) or id<TAB>text lines"
                )
        english_ids = [example.id for example in english_train]
        if not english_ids:
            raise DataError("no English training examples to align translations with")
        by_id, form, notes = read_translations(Path(translation_file), language, english_ids)
        return TranslationSet(by_id, f"{form} file {translation_file}", notes)
