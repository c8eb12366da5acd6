"""A named encoder absent from an empty, offline Hugging Face cache fails with a fix-it message."""

from __future__ import annotations

import pytest

import xalign
from xalign.config import ModelConfig
from xalign.errors import ModelNotFoundError


@pytest.fixture
def empty_offline_cache(tmp_path, monkeypatch):
    """An empty Hugging Face cache under ``tmp_path``, offline."""
    from huggingface_hub import constants

    cache = tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("XALIGN_ALLOW_DOWNLOAD", raising=False)
    # huggingface_hub reads those variables once, at import; transformers and xalign look
    # the cache up through these module constants at call time.
    monkeypatch.setattr(constants, "HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return cache


def test_missing_named_encoder_names_the_model_the_cache_and_the_ways_to_provide_it(empty_offline_cache):
    with pytest.raises(ModelNotFoundError) as caught:
        xalign.build(ModelConfig(encoder="xlmr-base", intent_labels=("a", "b"), slot_labels=("O", "B-X")))
    message = str(caught.value)
    assert "'xlm-roberta-base'" in message
    assert str(empty_offline_cache) in message
    assert "local directory" in message and "XALIGN_ALLOW_DOWNLOAD=1" in message
    assert "hf download xlm-roberta-base" in message  # huggingface_hub's current CLI (huggingface-cli is gone)
    assert isinstance(caught.value, OSError)  # callers catching OSError from transformers still catch it
    assert not any(empty_offline_cache.rglob("*.safetensors"))  # nothing was fetched


def test_a_missing_encoder_directory_is_reported_as_model_not_found(empty_offline_cache, tmp_path):
    empty = tmp_path / "empty-encoder"
    empty.mkdir()
    with pytest.raises(ModelNotFoundError, match="empty-encoder"):
        xalign.build(ModelConfig(encoder=str(empty), intent_labels=("a",), slot_labels=("O",)))
