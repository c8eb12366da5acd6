"""The dataset-loader protocol and the records every loader returns.

Owns the contract between the loaders (one file per dataset in this package) and the
benchmarks runner: what a loader is called, what it returns, and the error raised when a
dataset is not where it should be. Knows nothing of any file format, of tokenizers or of
tensors.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Protocol, Sequence, runtime_checkable

import attrs

from xalign.data.examples import Translation
from xalign.errors import DataError

SPLITS = ("train", "dev", "test")
ON_MISMATCH = ("fail", "skip")


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


@runtime_checkable
class DatasetLoader(Protocol):
    """What the benchmarks runner needs from a dataset.

    ``task`` is ``"joint"`` (intent + slots, :class:`~xalign.data.examples.SlotFillingExample`)
    or ``"pair"`` (pair classification, :class:`~xalign.data.examples.PairExample`).
    ``languages`` are the published languages, English first. Language arguments accept
    any spelling :func:`~benchmarks.datasets.languages.normalize_language` knows.
    """

    name: str
    task: str
    languages: tuple[str, ...]
    published_at: str

    def expected_files(self, data_dir: Path, language: str) -> list[Path]:
        """The train, dev and test files of ``language`` in the published layout."""

    def available_languages(self, data_dir: Path) -> list[str]:
        """The languages whose train, dev and test files are all present."""

    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split (``train``, ``dev`` or ``test``); ``on_mismatch`` is ``"fail"`` or ``"skip"``."""

    def load_translations(
        self, data_dir: Path, language: str, english_train: list, translation_file: Path | None = None
    ) -> TranslationSet:
        """Translations of ``english_train`` into ``language``, from a file or joined on id."""


class MissingDatasetError(DataError):
    """A dataset file is not where it should be; the message lists where it was looked for."""

    def __init__(self, dataset: str, language: str, split: str, looked_at: Sequence[Path], published_at: str):
        self.dataset = dataset
        self.language = language
        self.split = split
        self.looked_at = [Path(path) for path in looked_at]
        self.published_at = published_at
        places = "\n".join(f"  {path}" for path in self.looked_at)
        problem = (
            f"missing data: the {split} split of {dataset} ({language}) was not found; looked for\n{places}\n"
            f"Download {dataset} from {published_at} and unpack it so that one of these files exists."
        )
        super().__init__(problem)


class PublishedFiles:
    """File lookup shared by loaders whose splits sit at known paths.

    A loader using it defines ``name``, ``languages``, ``published_at`` and
    ``candidates(data_dir, language, split) -> list[Path]`` (every path the file may have,
    preferred first); this supplies the protocol's file methods from them.
    """

    def expected_files(self, data_dir: Path, language: str) -> list[Path]:
        """The preferred path of each split of ``language``."""
        return [self.candidates(data_dir, language, split)[0] for split in SPLITS]

    def available_languages(self, data_dir: Path) -> list[str]:
        """The languages whose train, dev and test files are all present."""
        return [
            language
            for language in self.languages
            if all(first_existing(self.candidates(data_dir, language, split)) for split in SPLITS)
        ]

    def locate(self, data_dir: Path, language: str, split: str) -> Path:
        """The file of one split, or a :class:`MissingDatasetError` listing where it was looked for."""
        candidates = self.candidates(data_dir, language, split)
        path = first_existing(candidates)
        if path is None:
            raise MissingDatasetError(self.name, language, split, candidates, self.published_at)
        return path


def check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return split


def check_on_mismatch(on_mismatch: str) -> str:
    if on_mismatch not in ON_MISMATCH:
        raise ValueError(f"on_mismatch must be one of {', '.join(ON_MISMATCH)}, got {on_mismatch!r}")
    return on_mismatch


def first_existing(candidates: Sequence[Path]) -> Path | None:
    """The first of ``candidates`` that is a file, or ``None``."""
    return next((path for path in candidates if path.is_file()), None)


@contextlib.contextmanager
def located(path: Path, line: int) -> Iterator[None]:
    """Turn a ``ValueError`` (or an unlocated :class:`DataError`) raised while parsing one
    line into a :class:`DataError` at ``path:line``."""
    try:
        yield
    except DataError as error:
        if error.path is not None:
            raise
        raise DataError(error.problem, path, line) from error
    except ValueError as error:
        raise DataError(str(error), path, line) from error


def english_ids(english_train: Sequence) -> list[str]:
    """The ids of the English training examples, in order."""
    return [example.id for example in english_train]


def duplicate_ids(examples: Sequence) -> int:
    """How many examples repeat the id of an earlier one (ids read from a file may)."""
    return len(examples) - len({example.id for example in examples})
