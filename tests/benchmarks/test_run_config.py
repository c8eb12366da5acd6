"""The runner's configuration: one schema, presets per dataset, and ``--print-config``."""

from __future__ import annotations

import json

import pytest

from benchmarks.experiment import config_for_mode
from benchmarks.paper import PAPER_DATASET_VALUES
from benchmarks.run import main, parser, run_configs


def printed(capsys, *arguments: str) -> dict:
    assert main([*arguments, "--print-config"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("dataset", ["paws-x", "mtop", "mtod", "multiatis"])
def test_each_paper_dataset_prints_the_paper_presets_values(dataset, capsys, tmp_path):
    shown = printed(capsys, "--dataset", dataset, "--data-dir", str(tmp_path))
    config, sources = shown["config"], shown["sources"]
    assert shown["benchmark"]["preset"] == "paper"
    expected = PAPER_DATASET_VALUES[dataset]
    assert config["model"]["max_length"] == expected["model.max_length"]
    assert config["training"]["learning_rate"] == expected["training.learning_rate"]
    assert (config["training"]["optimizer"], config["training"]["weight_decay"], config["training"]["warmup_fraction"]) == ("adam", 0.0, 0.3)
    assert config["training"]["batch_size"] * config["training"]["gradient_accumulation"] == 10
    assert (config["training"]["epochs"], config["model"]["freeze_word_embeddings"], config["model"]["pooler"]) == (10, False, "pooler")
    assert sources["model.max_length"] == sources["training.learning_rate"] == "preset paper"
    assert sources["training.seed"] in ("default", "preset paper")


def test_the_demo_runs_under_the_cpu_preset(capsys):
    shown = printed(capsys)
    assert shown["benchmark"]["preset"] == "cpu" and shown["benchmark"]["dataset"] == "demo"
    assert shown["sources"]["training.learning_rate"] == "preset cpu"
    assert shown["sources"]["model.encoder"] == "default"


def test_every_source_is_named_default_preset_file_or_flag(capsys, tmp_path):
    file = tmp_path / "run.yaml"
    file.write_text("training:\n  epochs: 4\nbenchmark:\n  modes: [target]\n", encoding="utf-8")
    shown = printed(capsys, "--dataset", "mtop", "--config", str(file), "--lr", "3e-5", "--set", "training.weight_decay=0.1")
    sources = shown["sources"]
    assert sources["training.epochs"] == f"file {file}" and shown["config"]["training"]["epochs"] == 4
    assert sources["training.learning_rate"] == "flag" and shown["config"]["training"]["learning_rate"] == 3e-5
    assert sources["training.weight_decay"] == "flag" and shown["config"]["training"]["weight_decay"] == 0.1
    assert sources["benchmark.modes"] == f"file {file}"
    assert set(sources.values()) <= {"default", "preset paper", f"file {file}", "flag"}
    assert "model.intent_labels" not in sources  # derived from the data, not a setting


def test_every_training_field_is_reachable_from_the_command_line(capsys):
    from xalign.config import TrainingConfig
    import attrs

    for field in attrs.fields(TrainingConfig):
        assert f"training.{field.name}" in printed(capsys)["sources"]
    shown = printed(capsys, "--set", "training.translations_per_example=2", "--set", "training.on_nonfinite=skip", "--set", "model.dropout=0")
    assert shown["config"]["training"]["translations_per_example"] == 2 and shown["config"]["training"]["on_nonfinite"] == "skip"
    assert shown["config"]["model"]["dropout"] == 0


def test_an_explicit_preset_replaces_the_datasets_default(capsys, tmp_path):
    shown = printed(capsys, "--dataset", "mtop", "--data-dir", str(tmp_path), "--preset", "cpu")
    assert shown["config"]["model"]["max_length"] == 64 and shown["sources"]["model.max_length"] == "preset cpu"


def test_dataset_all_resolves_each_dataset_under_its_own_preset_values(capsys, tmp_path):
    shown = printed(capsys, "--dataset", "all", "--data-dir", str(tmp_path))
    lengths = {name: entry["config"]["model"]["max_length"] for name, entry in shown["datasets"].items()}
    assert lengths == {"mtop": 70, "mtod": 50, "paws-x": 200, "multiatis": 100}


def test_translations_can_be_given_per_dataset(capsys):
    shown = printed(capsys, "--set", "benchmark.translations_dir.mtop=/a", "--set", "benchmark.translations_dir.mtod=/b")
    assert shown["benchmark"]["translations_dir"] == {"mtop": "/a", "mtod": "/b"}


def test_bad_settings_exit_2_naming_each(capsys):
    code = main(["--set", "training.epochs=0", "--set", "benchmark.modes=zero-shot,zero-shot", "--print-config"])
    err = capsys.readouterr().err
    assert code == 2
    assert "TrainingConfig.epochs must be a positive integer, got 0" in err
    assert "BenchmarkSettings.modes names a mode twice" in err


def test_labels_cannot_be_set_because_the_data_decides_them(capsys):
    assert main(["--set", "model.intent_labels=a,b", "--print-config"]) == 2
    assert "derived from the dataset" in capsys.readouterr().err


def test_mtods_aligned_models_train_5_epochs_under_the_paper_preset_unless_the_user_says_otherwise():
    run_config = run_configs(parser().parse_args(["--dataset", "mtod"]))[0]
    assert config_for_mode(run_config, run_config.config, "xeroalign").training.epochs == 5
    assert config_for_mode(run_config, run_config.config, "zero-shot").training.epochs == 10
    flagged = run_configs(parser().parse_args(["--dataset", "mtod", "--epochs", "3"]))[0]
    assert config_for_mode(flagged, flagged.config, "xeroalign").training.epochs == 3
