"""The installed plugin, used by name: the registry lists it and the runner runs it unchanged."""

from __future__ import annotations

import json
import logging

import pytest

from xalign.testing import fresh_registry

PROVIDER = "xalign-textclass"


def test_installed_plugin_registers_the_textclass_dataset():
    registry = fresh_registry()
    assert registry.providers()["datasets"]["textclass"] == PROVIDER
    assert registry.get("datasets", "textclass").factory().task == "classification"


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):  # the runner points the root logger at its run.log
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_runner_trains_and_tests_on_the_example_data_with_a_tiny_encoder(example_data, tmp_path, restore_root_logger, capsys):
    from benchmarks.run import main
    from xalign.testing import save_tiny_encoder

    words = " ".join(path.read_text(encoding="utf-8") for path in example_data.rglob("*.tsv")).replace("\t", " ").split()
    encoder = save_tiny_encoder(tmp_path / "encoder", words)
    code = main([
        "--dataset", "textclass", "--data-dir", str(example_data), "--encoder", str(encoder),
        "--modes", "zero-shot,xeroalign", "--languages", "fr", "--epochs", "1", "--batch-size", "16",
        "--device", "cpu", "--no-progress", "--output", str(tmp_path / "out"),
    ])
    assert code == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["dataset"] == "textclass"
    assert results["config"]["model"]["head"] == "sequence-classification"
    assert results["config"]["model"]["intent_labels"] == ["negative", "positive"]
    assert results["translation_counts"] == {"fr": 60}
    assert results["translation_sources"]["fr"].startswith("keyed file")
    assert results["alignment_sources"] == {"fr": "keyed file"} and results["preset"] == "cpu"
    scored = {(run["mode"], run["language"]) for run in results["runs"]}
    assert scored == {("zero-shot", "en"), ("zero-shot", "fr"), ("xeroalign", "fr")}
