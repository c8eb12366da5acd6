"""The projection-quality check: labels carried onto a labelled translation, scored against its own labels."""

from __future__ import annotations

import json

import pytest
from test_tokenalign_every_dataset import WORDS, mtop
from tokenalign_toy import toy_config, toy_examples

import xalign
from xalign.errors import ConfigError
from xalign_tokenalign.projection_quality import main, parallel_pairs, parse_setting, projection_quality


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("encoder"), WORDS)


def test_a_translation_identical_to_its_english_source_is_projected_exactly_under_every_setting(tiny_encoder_dir):
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), "mse"))
    english = toy_examples()
    copies = [xalign.SlotFillingExample(example.id, example.words, example.slot_tags, example.intent, "de") for example in english]
    every = ["argmax@auto", "argmax@auto/tokens", "argmax@-1", "softmax@1/words", "sinkhorn@-1/tokens"]
    result = projection_quality(assembly, parallel_pairs(english, copies, 100), every, batch_size=3)
    assert result["pairs"] == len(english)
    for setting in every:
        assert result["settings"][setting] == {"span_f1": 100.0, "kept_share": 1.0, "kept_span_f1": 100.0}
    assert 0 <= result["settings"]["model's predictions"]["span_f1"] <= 100


def test_the_command_scores_a_dataset_in_its_published_format(encoder, tmp_path, capsys):
    data = tmp_path / "data"
    mtop(data)
    from xalign.registry import get_registry

    english = get_registry().get("datasets", "mtop").factory().load_split(data, "en", "train").examples
    tags = ("O", *sorted({tag for example in english for tag in example.slot_tags} - {"O"}))
    intents = tuple(sorted({example.intent for example in english}))
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder=str(encoder), aligner="mse", intent_labels=intents, slot_labels=tags, max_length=24))
    assembly, _ = xalign.build(config)
    xalign.save_pretrained(assembly, tmp_path / "model")
    code = main([str(tmp_path / "model"), "--dataset", "mtop", "--data-dir", str(data), "--languages", "es", "--pairs", "5", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["es"]["pairs"] == 5
    assert set(result["es"]["settings"]) == {"model's predictions", "argmax@auto", "argmax@auto/words", "argmax@-1", "softmax@-1", "sinkhorn@-1"}
    code = main([str(tmp_path / "model"), "--dataset", "mtop", "--data-dir", str(data), "--languages", "es", "--pairs", "5"])
    assert code == 0 and "| argmax@auto |" in capsys.readouterr().out


def test_bad_settings_and_data_without_parallel_labels_are_clear_errors(tmp_path, capsys):
    with pytest.raises(ConfigError, match="NORMALISATION@LAYER"):
        parse_setting("argmax")
    with pytest.raises(ConfigError, match="NORMALISATION@LAYER"):
        parse_setting("argmax@middle")
    with pytest.raises(ConfigError, match="units words or tokens"):
        parse_setting("argmax@auto/subwords")
    assert parse_setting("sinkhorn@-1/tokens") == {"normalisation": "sinkhorn", "layer": -1, "units": "tokens"}
    assert parse_setting("argmax@8") == {"normalisation": "argmax", "layer": 8, "units": "tokens"}
    english = toy_examples()
    others = [xalign.SlotFillingExample("other-" + example.id, example.words, example.slot_tags, example.intent, "de") for example in english]
    with pytest.raises(ConfigError, match="no example id occurs in both"):
        parallel_pairs(english, others, 10)
    assert main([str(tmp_path / "missing"), "--languages", "de", "--settings", "argmax"]) == 2
    assert "NORMALISATION@LAYER" in capsys.readouterr().err
