"""A results.json never reports settings its models were not trained with (issue: a failed
``--overwrite`` followed by ``--resume`` used to reuse every old model under the new settings)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import runner_arguments


def epochs_per_model(output: Path) -> dict[str, int]:
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    return {name: model["epochs"] for mode in results["modes"].values() for name, model in mode["models"].items()}


def trained_epochs(output: Path, model: str) -> int:
    return len((output / "models" / model / "metrics.jsonl").read_text(encoding="utf-8").splitlines())


def test_a_failed_overwrite_then_resume_retrains_every_model_under_the_new_settings(demo_data_dir, demo_encoder_dir, tmp_path, call_runner):
    data = shutil.copytree(demo_data_dir, tmp_path / "data")
    output = tmp_path / "out"
    code, err = call_runner(runner_arguments(data, demo_encoder_dir, output, "--epochs", "1"))
    assert code == 0, err
    assert epochs_per_model(output) == {"zero-shot": 1, "xeroalign-de": 1}

    test_file = data / "de" / "test.txt"
    good = test_file.read_text(encoding="utf-8")
    lines = good.splitlines(keepends=True)
    lines[1] = "not an mtop row\n"
    test_file.write_text("".join(lines), encoding="utf-8")
    code, err = call_runner(runner_arguments(data, demo_encoder_dir, output, "--epochs", "2", "--overwrite"))
    assert code == 2 and "test.txt:2" in err  # fails on the data, after the new settings were recorded

    test_file.write_text(good, encoding="utf-8")  # the cause fixed
    code, err = call_runner(runner_arguments(data, demo_encoder_dir, output, "--epochs", "2", "--resume"))
    assert code == 0, err
    assert "already complete, skipped" not in err
    assert epochs_per_model(output) == {"zero-shot": 2, "xeroalign-de": 2}
    assert trained_epochs(output, "zero-shot") == 2 and trained_epochs(output, "xeroalign-de") == 2


def test_a_model_is_reused_only_when_its_own_recorded_settings_match(demo_data_dir, demo_encoder_dir, tmp_path, call_runner):
    output = tmp_path / "out"
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--epochs", "1"))
    assert code == 0, err
    (output / "settings.json").unlink()  # as if the run-level record were lost
    (output / "results.json").unlink()
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--epochs", "2", "--resume"))
    assert code == 0, err
    assert "made with other settings" in err and "already complete, skipped" not in err
    assert epochs_per_model(output) == {"zero-shot": 2, "xeroalign-de": 2}
    assert trained_epochs(output, "zero-shot") == 2
