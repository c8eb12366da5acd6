"""Configs: every bad field reported at once, lossless round trips, and names checked before weights load."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xalign
from xalign import builder
from xalign.config import ModelConfig, TrainingConfig, XalignConfig
from xalign.errors import ConfigError
from xalign.testing import fresh_registry


def test_every_bad_value_is_reported_at_once_naming_its_field():
    with pytest.raises(ConfigError) as caught:
        ModelConfig(dropout=1.5, max_length=0, overlong="wrap", slot_labels=("O", "O"))
    message = str(caught.value)
    for field in ("ModelConfig.dropout", "ModelConfig.max_length", "ModelConfig.overlong", "ModelConfig.slot_labels"):
        assert field in message
    assert "1.5" in message and "'wrap'" in message
    with pytest.raises(ConfigError) as caught:
        TrainingConfig(epochs=0, learning_rate=-1.0, batch_size=True, alignment_batch="shuffled")
    message = str(caught.value)
    for field in ("TrainingConfig.epochs", "TrainingConfig.learning_rate", "TrainingConfig.batch_size", "TrainingConfig.alignment_batch"):
        assert field in message
    assert "TrainingConfig.seed" not in message  # only the bad fields


def test_config_error_is_a_value_error_for_callers_that_catch_those():
    with pytest.raises(ValueError):
        TrainingConfig(epochs=-3)


def non_default_config() -> XalignConfig:
    return XalignConfig(
        model=ModelConfig(
            encoder="xlmr-base", pooler="mean", aligner="mse:1.0,cosine:0.5", head="joint-intent-slot",
            intent_labels=("alarm", "music"), slot_labels=("O", "B-TIME", "I-TIME"), text_prefix="query: ",
            dropout=0.2, max_length=64, overlong="error", slot_subwords="all",
        ),
        training=TrainingConfig(
            epochs=7, learning_rate=3e-5, batch_size=16, gradient_accumulation=2, alignment_weight=0.5,
            alignment_batch="random", align_languages=("de", "fr"), max_steps=100, checkpoint_every=10, on_nonfinite="skip",
        ),
    )


def test_config_round_trips_through_a_dict():
    config = non_default_config()
    data = config.to_dict()
    assert data["model"]["slot_labels"] == ["O", "B-TIME", "I-TIME"]  # JSON-ready lists
    assert XalignConfig.from_dict(data) == config
    assert XalignConfig.from_dict(json.loads(json.dumps(data))) == config


def test_config_round_trips_through_json_and_yaml_files(tmp_path):
    config = non_default_config()
    config.to_json(tmp_path / "run.json")
    config.to_yaml(tmp_path / "run.yaml")
    assert XalignConfig.load(tmp_path / "run.json") == config
    assert XalignConfig.load(tmp_path / "run.yaml") == config
    assert XalignConfig.load(tmp_path / "run.yaml") == XalignConfig.load(tmp_path / "run.json")


def test_a_hand_written_yaml_file_loads_with_defaults_for_missing_fields(tmp_path):
    path = tmp_path / "hand.yml"
    path.write_text("model:\n  encoder: mbert\n  intent_labels: [a, b]\ntraining:\n  epochs: 2\n", encoding="utf-8")
    config = XalignConfig.load(path)
    assert config.model.encoder == "mbert" and config.model.intent_labels == ("a", "b")
    assert config.training.epochs == 2 and config.training.batch_size == TrainingConfig().batch_size


@settings(max_examples=40, deadline=None)
@given(
    epochs=st.integers(1, 1000),
    learning_rate=st.floats(1e-8, 1.0),
    alignment_weight=st.floats(0, 100),
    labels=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=","), min_size=1, max_size=8), max_size=5, unique=True),
    max_steps=st.none() | st.integers(1, 10**6),
)
def test_any_valid_config_round_trips_through_json(epochs, learning_rate, alignment_weight, labels, max_steps):
    config = XalignConfig(
        model=ModelConfig(intent_labels=tuple(labels)),
        training=TrainingConfig(epochs=epochs, learning_rate=learning_rate, alignment_weight=alignment_weight, max_steps=max_steps),
    )
    assert XalignConfig.from_dict(json.loads(config.to_json())) == config


def test_unknown_keys_are_rejected_by_name(tmp_path):
    with pytest.raises(ConfigError, match="ModelConfig: unknown field.*encodr"):
        XalignConfig.from_dict({"model": {"encodr": "mbert"}})
    with pytest.raises(ConfigError, match="XalignConfig: unknown field.*trainig"):
        XalignConfig.from_dict({"model": {}, "trainig": {}})
    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"training": {"epoch": 3}}), encoding="utf-8")
    with pytest.raises(ConfigError, match="TrainingConfig: unknown field.*epoch"):
        XalignConfig.load(path)


def test_a_config_file_that_is_not_valid_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("model: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.yaml"):
        XalignConfig.load(path)


@pytest.fixture
def no_weight_loading(monkeypatch):
    """Fail the test if the builder gets as far as loading an encoder."""

    def refuse(*args, **kwargs):
        raise AssertionError("weights were loaded before the config was validated")

    monkeypatch.setattr(builder, "load_encoder", refuse)


def test_build_reports_unknown_aligner_and_encoder_together_before_loading_weights(no_weight_loading):
    config = ModelConfig(encoder="xlmr-bas", aligner="mes", pooler="cls", intent_labels=("a",), slot_labels=("O",))
    with pytest.raises(ConfigError) as caught:
        xalign.build(config, registry=fresh_registry())
    message = str(caught.value)
    assert "ModelConfig.aligner" in message and "Did you mean 'mse'?" in message
    assert "ModelConfig.encoder" in message and "Did you mean 'xlmr-base'?" in message


def test_build_reports_a_missing_encoder_path_with_the_unknown_aligner(tmp_path, no_weight_loading):
    missing = tmp_path / "no-such-encoder"
    config = ModelConfig(encoder=str(missing), aligner="mes", head="jont-intent-slot", intent_labels=("a",), slot_labels=("O",))
    with pytest.raises(ConfigError) as caught:
        xalign.build(config, registry=fresh_registry())
    message = str(caught.value)
    assert "ModelConfig.aligner" in message and "'mes'" in message
    assert "ModelConfig.head" in message and "Did you mean 'joint-intent-slot'?" in message
    assert "ModelConfig.encoder" in message and str(missing) in message


def test_a_bad_aligner_spec_is_reported_as_a_config_error(no_weight_loading):
    with pytest.raises(ConfigError, match="ModelConfig.aligner.*twice"):  # by the config itself, or at the latest by build
        config = ModelConfig(encoder="xlmr-base", aligner="mse:1,mse:2", intent_labels=("a",), slot_labels=("O",))
        xalign.build(config, registry=fresh_registry())


def test_an_unknown_weighting_is_reported_under_the_training_config(no_weight_loading):
    config = XalignConfig(model=ModelConfig(encoder="xlmr-base", intent_labels=("a",), slot_labels=("O",)), training=TrainingConfig(weighting="fixd"))
    with pytest.raises(ConfigError, match=r"TrainingConfig\.weighting: unknown weighting 'fixd'.*Did you mean 'fixed'"):
        xalign.build(config, registry=fresh_registry())
