"""Where a dataset's files are: the lookup shared by loaders, and the error when they are absent.

Owns finding a dataset's folder under a root that holds several datasets
(:func:`find_dataset_folder`), finding each split's file among the paths it may have
(:class:`PublishedFiles`), and :class:`MissingDatasetError`, which lists every place
looked at. Knows nothing of what is inside the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from xalign.datasets.loader import SPLITS
from xalign.errors import DataError


class MissingDatasetError(DataError):
    """A dataset file is not where it should be; the message lists where it was looked for."""

    def __init__(self, dataset: str, language: str, split: str, looked_at: Sequence[Path], published_at: str, hint: str | None = None):
        self.dataset = dataset
        self.language = language
        self.split = split
        self.looked_at = [Path(path) for path in looked_at]
        self.published_at = published_at
        places = "\n".join(f"  {path}" for path in self.looked_at)
        problem = (
            f"missing data: the {split} split of {dataset} ({language}) was not found; looked for\n{places}\n"
            + (hint or f"Download {dataset} from {published_at} and unpack it so that one of these files exists.")
        )
        super().__init__(problem)


def first_existing(candidates: Sequence[Path]) -> Path | None:
    """The first of ``candidates`` that is a file, or ``None``."""
    return next((path for path in candidates if path.is_file()), None)


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


def folder_names(loader: object) -> tuple[str, ...]:
    """The names ``loader``'s folder may have under a shared root: its ``folder_names``, else its ``name``."""
    names = getattr(loader, "folder_names", None)
    return tuple(names) if names else (loader.name,)


def find_dataset_folder(root: Path, loader: object) -> Path | None:
    """The folder under ``root`` holding ``loader``'s dataset: the first of its
    :func:`folder_names` that is a directory, or ``None`` when there is none."""
    for name in folder_names(loader):
        folder = Path(root) / name
        if folder.is_dir():
            return folder
    return None
