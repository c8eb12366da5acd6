"""Fixtures for the tests of models that leave xalign: a tiny encoder directory and a model trained on it.

Everything is built in code on a tiny random BERT (xalign.testing); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import xalign
from xalign.data.examples import SlotFillingExample, Translation
from xalign.testing import save_tiny_encoder, torch_threads

INTENTS = ("alarm", "music")
SLOT_LABELS = ("O", "B-TIME", "I-TIME", "B-GENRE")
EXAMPLES = [
    SlotFillingExample(id="0", words=("wake", "me", "at", "seven", "am"), slot_tags=("O", "O", "O", "B-TIME", "I-TIME"), intent="alarm"),
    SlotFillingExample(id="1", words=("play", "some", "jazz"), slot_tags=("O", "O", "B-GENRE"), intent="music"),
    SlotFillingExample(id="2", words=("set", "an", "alarm", "for", "six"), slot_tags=("O", "O", "O", "O", "B-TIME"), intent="alarm"),
    SlotFillingExample(id="3", words=("play", "rock", "music"), slot_tags=("O", "B-GENRE", "O"), intent="music"),
]
TRANSLATIONS = {"de": {"0": Translation("0", "de", "weck mich um sieben uhr"), "1": Translation("1", "de", "spiel etwas jazz"),
                       "2": Translation("2", "de", "stelle einen wecker für sechs"), "3": Translation("3", "de", "spiel rock musik")}}
WORDS = sorted({word for example in EXAMPLES for word in example.words} | {w for t in TRANSLATIONS["de"].values() for w in t.text.split()} | {"query", ":"})


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Tiny models gain nothing from threads, and the cores are shared."""
    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory) -> Path:
    return save_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"), WORDS)


def model_config(encoder_dir: Path, pooler: str = "mean", text_prefix: str | None = "query: ") -> xalign.XalignConfig:
    return xalign.XalignConfig(
        model=xalign.ModelConfig(encoder=str(encoder_dir), pooler=pooler, text_prefix=text_prefix, intent_labels=INTENTS, slot_labels=SLOT_LABELS),
        training=xalign.TrainingConfig(epochs=1, batch_size=2, device="cpu", progress=False, learning_rate=1e-3),
    )


@pytest.fixture(scope="session")
def trained_model_dir(tmp_path_factory, encoder_dir) -> Path:
    """A model trained by xalign.train (one epoch, XeroAlign on German) and saved by the trainer."""
    with torch_threads(1):
        assembly, _ = xalign.build(model_config(encoder_dir))
        result = xalign.train(assembly, EXAMPLES, TRANSLATIONS, output_dir=tmp_path_factory.mktemp("run") / "run")
    return Path(result.model_dir)
