"""Fixtures for the performance tests: a tiny random encoder saved as a directory, one thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.workload import _ENGLISH, _TARGET


@pytest.fixture(autouse=True)
def one_torch_thread():
    from xalign.testing import torch_threads

    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def tiny_encoder_path(tmp_path_factory) -> Path:
    """A 2-layer random BERT whose vocabulary covers the synthetic workload's words."""
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("throughput") / "tiny", [*_ENGLISH, *_TARGET, "query:"])
