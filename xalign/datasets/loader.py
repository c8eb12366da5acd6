"""The dataset-loader protocol: what a registered dataset is asked, and the arguments it accepts.

Owns the contract between a loader (registered through ``xalign_register_datasets``) and
the runner that calls it: the methods, the split names, the ``on_mismatch`` choices.
Knows nothing of any file format, of any particular dataset, of tokenizers or of tensors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from xalign.datasets.records import LoadedSplit, TranslationSet

SPLITS = ("train", "dev", "test")
ON_MISMATCH = ("fail", "skip")


@runtime_checkable
class DatasetLoader(Protocol):
    """What a runner needs from a dataset.

    ``task`` is ``"joint"`` (intent + slots, :class:`~xalign.data.examples.SlotFillingExample`),
    ``"pair"`` (pair classification, :class:`~xalign.data.examples.PairExample`) or
    ``"classification"`` (:class:`~xalign.data.examples.ClassificationExample`).
    ``languages`` are the published languages, English first. Language arguments accept
    any spelling :func:`~xalign.datasets.languages.normalize_language` knows.

    Optional: ``folder_names``, the names the dataset's folder may have under a root that
    holds several datasets (see :func:`~xalign.datasets.files.find_dataset_folder`); a
    loader without it is looked for under its ``name``.
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


def check_split(split: str) -> str:
    """``split`` itself, or a ``ValueError`` naming the splits a loader knows."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    return split


def check_on_mismatch(on_mismatch: str) -> str:
    """``on_mismatch`` itself, or a ``ValueError`` naming the accepted choices."""
    if on_mismatch not in ON_MISMATCH:
        raise ValueError(f"on_mismatch must be one of {', '.join(ON_MISMATCH)}, got {on_mismatch!r}")
    return on_mismatch
