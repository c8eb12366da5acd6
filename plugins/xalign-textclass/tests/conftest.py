"""Fixtures for the textclass plugin's tests: files in the real format, written per test."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

EXAMPLE_DATA = Path(__file__).resolve().parents[1] / "examples" / "sentiment"


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write("en/train.tsv", text)`` writes UTF-8 text (or raw bytes) under ``tmp_path``."""

    def write_file(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write_file


@pytest.fixture(scope="session")
def example_data() -> Path:
    """The plugin's example data set (plugins/xalign-textclass/examples/sentiment)."""
    return EXAMPLE_DATA
