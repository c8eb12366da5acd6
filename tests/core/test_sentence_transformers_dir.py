"""A sentence-transformers model directory works as an encoder, with its pooling and prompt."""

from __future__ import annotations

import json

import xalign
from xalign.testing import save_tiny_encoder


def test_a_sentence_transformers_directory_brings_its_pooling_mode_and_default_prompt(tmp_path):
    directory = save_tiny_encoder(tmp_path / "st-model", ["hello", "world", "query:"])
    (directory / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]), encoding="utf-8")
    (directory / "1_Pooling").mkdir()
    (directory / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 32, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}), encoding="utf-8")
    (directory / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: ", "document": ""}, "default_prompt_name": "query"}), encoding="utf-8")

    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(directory), head="sequence-classification", intent_labels=("a", "b")))

    assert assembly.config.model.pooler == "mean"
    assert assembly.text_prefix == "query: "
    assert type(assembly.pooler).__name__ == "MeanPooler"


def test_an_explicit_pooler_overrides_the_directory_default(tmp_path):
    directory = save_tiny_encoder(tmp_path / "plain", ["hello"])
    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(directory), pooler="mean", head="sequence-classification", intent_labels=("a",)))
    assert assembly.config.model.pooler == "mean"
    assert assembly.text_prefix == ""
