"""The built-in demo dataset as a registered dataset named ``demo``.

The files are generated on first use (deterministically) in MTOP's flat format and then
read by the real MTOP loader, so the demo exercises the same code path as MTOP itself.
Translations for alignment come from the generated line-aligned ``translations/<lang>/train.tsv``.
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.datasets.mtop import MtopLoader
from xalign.datasets import LoadedSplit, TranslationSet

DEMO_SEED = 0


def default_demo_dir() -> Path:
    root = Path(os.environ.get("XALIGN_CACHE", Path.home() / ".cache" / "xalign"))
    return root / f"demo-data-seed{DEMO_SEED}"


def ensure_demo_data(directory: Path) -> Path:
    """Generate the demo files into ``directory`` unless they are already there."""
    from benchmarks.demo.generate import write_demo_dataset

    if not (directory / "en" / "train.txt").is_file() or not (directory / "translations").is_dir():
        write_demo_dataset(directory, seed=DEMO_SEED)
    return directory


class DemoLoader:
    """MTOP-format synthetic task-oriented data; generated where ``data_dir`` points."""

    name = "demo"
    task = "joint"
    published_at = "generated locally by benchmarks.demo (python -m benchmarks.demo DIR)"
    folder_names = ("demo",)

    def __init__(self) -> None:
        self._mtop = MtopLoader()
        self.languages = ("en", "de", "es", "fr", "hi", "th")

    def _dir(self, data_dir: Path | None) -> Path:
        return ensure_demo_data(Path(data_dir) if data_dir is not None else default_demo_dir())

    def expected_files(self, data_dir: Path, language: str) -> list[Path]:
        return self._mtop.expected_files(self._dir(data_dir), language)

    def available_languages(self, data_dir: Path) -> list[str]:
        return self._mtop.available_languages(self._dir(data_dir))

    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        return self._mtop.load_split(self._dir(data_dir), language, split, on_mismatch)

    def load_translations(self, data_dir: Path, language: str, english_train: list, translation_file: Path | None = None) -> TranslationSet:
        directory = self._dir(data_dir)
        if translation_file is None:
            translation_file = directory / "translations" / language / "train.tsv"
        return self._mtop.load_translations(directory, language, english_train, translation_file)
