"""The installed plugin, used by name: registry, CLI, builder, trainer, saved models and the runner."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys

import pytest
import torch

import xalign
from crossaligner_toy import INTENTS, toy_config, toy_examples, toy_translations
from xalign.data.examples import SlotFillingExample
from xalign.hookspecs import hookimpl
from xalign.testing import fresh_registry

ALIGNERS = ("contrastive", "translate-intent", "slot-types")
PROVIDER = "xalign-crossaligner"


def test_installed_plugin_registers_its_components_under_its_distribution_name():
    providers = fresh_registry().providers()
    assert {name: providers["aligners"][name] for name in ALIGNERS} == dict.fromkeys(ALIGNERS, PROVIDER)
    assert providers["weightings"]["cov"] == PROVIDER
    assert providers["aligners"]["mse"] == "xalign"  # the core's own, beside the plugin's


def test_xalign_list_shows_the_plugin_as_provider():
    listed = subprocess.run([sys.executable, "-m", "xalign", "list", "--json"], capture_output=True, text=True, check=True)
    providers = json.loads(listed.stdout)
    assert providers["aligners"]["contrastive"] == PROVIDER and providers["weightings"]["cov"] == PROVIDER


def test_builder_gives_slot_types_the_hidden_size_and_the_label_names(tiny_encoder_dir):
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), "mse+slot-types"))
    part = assembly.aligner.parts["slot-types"]
    assert part.classifier.in_features == assembly.encoder.config.hidden_size
    assert part.types == ("CITY", "GENRE", "TIME")


def test_training_by_name_with_every_loss_and_cov_then_saving_and_loading(tiny_encoder_dir, tmp_path):
    spec = "mse+contrastive+translate-intent:0.5+slot-types"
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), spec))
    before = assembly.aligner.parts["slot-types"].classifier.weight.detach().clone()
    result = xalign.train(assembly, toy_examples(), toy_translations(), toy_config("unused", spec, weighting="cov").training, output_dir=tmp_path / "run")
    losses = result.history[-1]["train_loss"]
    assert set(losses) == {"intent", "slots", "align:mse", "align:contrastive", "align:translate-intent", "align:slot-types"}
    assert all(math.isfinite(value) for value in losses.values())
    trained = assembly.aligner.parts["slot-types"].classifier.weight
    assert not torch.equal(before, trained)  # the optimizer saw the aligner's own parameters
    loaded = xalign.load_pretrained(result.model_dir)
    assert torch.equal(loaded.aligner.parts["slot-types"].classifier.weight, trained.detach())
    example = toy_examples()[:2]
    assert xalign.evaluate(loaded, example) == xalign.evaluate(assembly.eval(), example)


class ToyJointDataset:
    """A dataset plugin in a few lines: the toy slot-filling task with a German test set."""

    name = "crossaligner-toy"
    task = "joint"
    languages = ("en", "de")
    published_at = "the crossaligner plugin's tests"

    def expected_files(self, data_dir, language):
        return []

    def available_languages(self, data_dir):
        return ["en", "de"]

    def load_split(self, data_dir, language, split, on_mismatch="fail"):
        from benchmarks.datasets.base import LoadedSplit

        examples = toy_examples()
        if language == "de":
            translations = toy_translations()["de"]
            examples = [
                SlotFillingExample(id=f"de-{e.id}", words=translations[e.id].text.split(), slot_tags=["O"] * len(translations[e.id].text.split()), intent=e.intent, language="de")
                for e in examples
            ]
        return LoadedSplit(examples[:4] if split == "dev" else examples)

    def load_translations(self, data_dir, language, english_train, translation_file=None):
        from benchmarks.datasets.base import TranslationSet

        return TranslationSet(dict(toy_translations()[language]), "the toy set")


class ToyDatasetPlugin:
    @hookimpl
    def xalign_register_datasets(self, register):
        register(ToyJointDataset.name, ToyJointDataset)


@pytest.fixture
def toy_dataset_registered():
    registry = xalign.get_registry()
    registry.register_plugin(ToyDatasetPlugin(), name="crossaligner-toy-dataset")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    registry.unregister_plugin("crossaligner-toy-dataset")
    for handler in list(root.handlers):  # the runner points the root logger at its run.log
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_runner_trains_with_combined_aligners_and_cov_weighting(tiny_encoder_dir, tmp_path, toy_dataset_registered, capsys):
    from benchmarks.run import main

    code = main([
        "--dataset", "crossaligner-toy", "--data-dir", str(tmp_path), "--encoder", str(tiny_encoder_dir),
        "--aligner", "mse+contrastive+translate-intent+slot-types", "--weighting", "cov", "--modes", "xeroalign",
        "--epochs", "1", "--batch-size", "6", "--device", "cpu", "--no-progress", "--output", str(tmp_path / "out"),
    ])
    assert code == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["aligner"] == "mse+contrastive+translate-intent+slot-types"
    assert results["config"]["training"]["weighting"] == "cov"
    assert {run["language"] for run in results["runs"]} == {"de"}
    metrics = json.loads((tmp_path / "out" / "models" / "xeroalign-de" / "metrics.json").read_text())
    assert "align:slot-types" in metrics["history"][0]["train_loss"]
    assert set(INTENTS) >= set(results["config"]["model"]["intent_labels"])
