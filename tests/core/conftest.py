"""Shared fixtures for the core tests: the toy parallel set, a tiny random encoder, one torch thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from xalign.data.examples import SlotFillingExample, Translation

from .toy_data import TOY_EXAMPLES, TOY_TRANSLATIONS, TOY_VOCABULARY


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Run the tiny models on one intra-op thread.

    Their matrices are far too small to gain from threads, and on shared, busy cores the
    extra threads spin against other processes: training was ~10x slower with two threads.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def toy_examples() -> list[SlotFillingExample]:
    return list(TOY_EXAMPLES)


@pytest.fixture
def toy_translations() -> dict[str, dict[str, Translation]]:
    return {language: dict(by_id) for language, by_id in TOY_TRANSLATIONS.items()}


@pytest.fixture
def tiny_registry():
    """A registry of its own with ``tiny-random`` (a 2-layer random BERT over the toy vocabulary)."""
    from xalign.testing import TinyEncoderPlugin, fresh_registry

    return fresh_registry(TinyEncoderPlugin(TOY_VOCABULARY))


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory) -> Path:
    """The tiny random encoder saved as an ordinary Hugging Face directory."""
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"), TOY_VOCABULARY)
