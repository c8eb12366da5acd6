"""One schema, several layers: defaults < preset < file < flags, each value with its source."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xalign
from xalign.errors import ConfigError
from xalign.layers import ConfigLayers, config_with_overrides, flatten, parse_assignment, unflatten
from xalign.presets import PRESETS


def test_every_preset_key_is_a_key_of_the_one_schema():
    layers = ConfigLayers.from_defaults()
    for preset in PRESETS.values():
        layers.check_names(list(preset.values), f"preset {preset.name}")  # raises on a stale key
        layers.apply(preset.values, f"preset {preset.name}")
        layers.xalign_config()  # and every value passes validation


def test_defaults_come_from_the_config_classes_themselves():
    layers = ConfigLayers.from_defaults()
    assert layers.xalign_config() == xalign.XalignConfig()
    assert set(layers.sources.values()) == {"default"}


def test_later_layers_win_and_record_their_source():
    layers = ConfigLayers.from_defaults()
    layers.apply(PRESETS["cpu"].values, "preset cpu")
    layers.apply({"training.learning_rate": 3e-4}, "file run.yaml")
    layers.apply({"training.epochs": 5}, "flag")
    config = layers.xalign_config()
    assert (config.training.learning_rate, config.training.epochs, config.model.max_length) == (3e-4, 5, 64)
    assert layers.sources["training.learning_rate"] == "file run.yaml"
    assert layers.sources["training.epochs"] == "flag"
    assert layers.sources["model.max_length"] == "preset cpu"
    assert layers.sources["training.seed"] == "default"


def test_a_refinement_does_not_undo_what_the_user_set():
    layers = ConfigLayers.from_defaults()
    layers.apply({"training.epochs": 7}, "flag")
    layers.apply({"training.epochs": 5, "training.batch_size": 10}, "preset paper", only_from=("default",))
    assert layers.values["training.epochs"] == 7 and layers.values["training.batch_size"] == 10


def test_unknown_keys_are_all_reported_with_a_suggestion():
    layers = ConfigLayers.from_defaults()
    with pytest.raises(ConfigError) as error:
        layers.apply({"training.weight_decy": 0, "optim.lr": 1}, "flags")
    message = str(error.value)
    assert "'training.weight_decy': unknown key; did you mean 'training.weight_decay'?" in message
    assert "unknown section 'optim'" in message


def test_every_invalid_value_is_reported_at_once_across_sections():
    layers = ConfigLayers.from_defaults()
    layers.apply({"training.learning_rate": math.inf, "model.max_length": 0}, "flag")
    with pytest.raises(ConfigError) as error:
        layers.xalign_config()
    assert "TrainingConfig.learning_rate must be a finite positive number, got inf" in str(error.value)
    assert "ModelConfig.max_length must be a positive integer, got 0" in str(error.value)


@pytest.mark.parametrize("text, expected", [
    ("training.weight_decay=0", ("training.weight_decay", 0)),
    ("training.learning_rate=1e-4", ("training.learning_rate", 1e-4)),
    ("model.freeze_word_embeddings=true", ("model.freeze_word_embeddings", True)),
    ("model.pooler=null", ("model.pooler", None)),
    ("training.align_languages=de,fr", ("training.align_languages", "de,fr")),
    ("training.max-steps = 10", ("training.max_steps", 10)),
])
def test_assignments_parse_json_values_and_keep_other_text(text, expected):
    assert parse_assignment(text) == expected


def test_an_assignment_without_equals_says_how_to_write_one():
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_assignment("training.epochs")


def test_non_string_keys_are_refused_by_name():
    with pytest.raises(ConfigError, match="not a name"):
        flatten({1: {"epochs": 2}})
    with pytest.raises(ConfigError, match="not field names"):
        xalign.XalignConfig.from_dict({"training": {None: 1}})


def test_python_overrides_use_the_same_dotted_names():
    config = config_with_overrides(xalign.XalignConfig(), {"training.weight_decay": 0.0, "model.aligner": "cosine"})
    assert config.training.weight_decay == 0.0 and config.model.aligner == "cosine"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["model", "training", "benchmark"]),
                       st.dictionaries(st.text("abcdefgh_", min_size=1, max_size=8), st.integers() | st.text(max_size=5), max_size=4),
                       max_size=3))
def test_flatten_and_unflatten_are_inverse(nested):
    nested = {section: fields for section, fields in nested.items() if fields}
    assert unflatten(flatten(nested)) == nested


@pytest.mark.parametrize("values, problem", [
    ({"training.seed": 2**64}, "TrainingConfig.seed must be below 2**64"),
    ({"training.learning_rate": math.inf}, "TrainingConfig.learning_rate must be a finite positive number"),
    ({"training.alignment_weight": math.inf}, "TrainingConfig.alignment_weight must be a finite number >= 0"),
    ({"model.aligner": "mse:1e999"}, "weight 1e999 of 'mse' is not a finite number"),
])
def test_values_that_used_to_fail_only_after_training_are_refused_up_front(values, problem):
    with pytest.raises(ConfigError, match=problem.replace("*", r"\*")):
        config_with_overrides(xalign.XalignConfig(), values)
