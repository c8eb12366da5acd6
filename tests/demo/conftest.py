"""Fixtures for the demo-dataset tests: the default dataset, written once per session."""

from __future__ import annotations

import pytest
from demo_files import Demo, load_demo

from benchmarks.demo import write_demo_dataset


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Demo:
    """The default dataset (seed 0, default sizes), written once for the session."""
    directory = tmp_path_factory.mktemp("demo")
    return load_demo(directory, write_demo_dataset(directory))
