"""Fixtures for the token-alignment plugin's tests (helpers live in ``tokenalign_toy``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tokenalign_toy import TOY_VOCABULARY


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    """A 2-layer random BERT over the toy vocabulary, saved as a Hugging Face directory."""
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"), TOY_VOCABULARY)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny models gain nothing from threads; on shared cores extra threads spin against other work."""
    from xalign.testing import torch_threads

    with torch_threads(1):
        yield
