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
from crossaligner_toy import INTENTS, SLOT_LABELS, toy_config, toy_examples, toy_translations
from xalign.data.examples import SlotFillingExample
from xalign.hookspecs import hookimpl
from xalign.testing import fresh_registry

ALIGNERS = ("contrastive", "translate-intent", "slot-types", "slot-types-mean")
WEIGHTINGS = ("cov", "cov-all")
PROVIDER = "xalign-crossaligner"


def test_installed_plugin_registers_its_components_under_its_distribution_name():
    providers = fresh_registry().providers()
    assert {name: providers["aligners"][name] for name in ALIGNERS} == dict.fromkeys(ALIGNERS, PROVIDER)
    assert {name: providers["weightings"][name] for name in WEIGHTINGS} == dict.fromkeys(WEIGHTINGS, PROVIDER)
    assert providers["aligners"]["mse"] == "xalign"  # the core's own, beside the plugin's


def test_the_crossaligner_names_are_the_authors_formulations_and_the_variants_have_their_own():
    from xalign_crossaligner import CoVAllWeighting, CoVWeighting, SlotTypesAligner, SlotTypesMeanAligner

    registry = fresh_registry()
    assert registry.get("aligners", "slot-types").factory is SlotTypesAligner
    assert registry.get("aligners", "slot-types-mean").factory is SlotTypesMeanAligner
    assert registry.get("weightings", "cov").factory is CoVWeighting
    assert registry.get("weightings", "cov-all").factory is CoVAllWeighting


def test_xalign_list_shows_the_plugin_as_provider():
    listed = subprocess.run([sys.executable, "-m", "xalign", "list", "--json"], capture_output=True, text=True, check=True)
    providers = json.loads(listed.stdout)
    assert providers["aligners"]["contrastive"] == PROVIDER and providers["weightings"]["cov"] == PROVIDER


def test_builder_gives_the_slot_type_losses_the_label_names_and_the_mean_variant_the_hidden_size(tiny_encoder_dir):
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), "mse+slot-types+slot-types-mean"))
    authors, mean = assembly.aligner.parts["slot-types"], assembly.aligner.parts["slot-types-mean"]
    assert authors.labels == ("O", "CITY", "GENRE", "TIME")
    assert authors.classifier.in_features == authors.max_length * len(SLOT_LABELS)
    assert mean.classifier.in_features == assembly.encoder.config.hidden_size
    assert mean.types == ("CITY", "GENRE", "TIME")


def test_builder_gives_slot_types_the_models_max_length(tiny_encoder_dir):
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), "mse+slot-types"))
    assert assembly.aligner.parts["slot-types"].max_length == assembly.config.model.max_length == 24


@pytest.mark.parametrize(("slot_loss", "weighting"), [("slot-types", "cov"), ("slot-types-mean", "cov-all")])
def test_training_by_name_with_every_loss_and_a_cov_weighting_then_saving_and_loading(tiny_encoder_dir, tmp_path, slot_loss, weighting):
    spec = f"mse+contrastive+translate-intent:0.5+{slot_loss}"
    config = toy_config(str(tiny_encoder_dir), spec, weighting=weighting)
    assembly, _ = xalign.build(config)
    before = assembly.aligner.parts[slot_loss].classifier.weight.detach().clone()
    result = xalign.train(assembly, toy_examples(), toy_translations(), config.training, output_dir=tmp_path / "run")
    losses = result.history[-1]["train_loss"]
    assert set(losses) == {"intent", "slots", "align:mse", "align:contrastive", "align:translate-intent", f"align:{slot_loss}"}
    assert all(math.isfinite(value) for value in losses.values())
    trained = assembly.aligner.parts[slot_loss].classifier.weight
    assert not torch.equal(before, trained)  # the optimizer saw the aligner's own parameters
    loaded = xalign.load_pretrained(result.model_dir)
    assert torch.equal(loaded.aligner.parts[slot_loss].classifier.weight, trained.detach())
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
        from xalign.datasets import LoadedSplit

        examples = toy_examples()
        if language == "de":
            translations = toy_translations()["de"]
            examples = [
                SlotFillingExample(id=f"de-{e.id}", words=translations[e.id].text.split(), slot_tags=["O"] * len(translations[e.id].text.split()), intent=e.intent, language="de")
                for e in examples
            ]
        return LoadedSplit(examples[:4] if split == "dev" else examples)

    def load_translations(self, data_dir, language, english_train, translation_file=None):
        from xalign.datasets import TranslationSet

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
    assert results["config"]["config"]["training"]["weighting"] == "cov"  # the layout benchmarks/report.py reads
    assert {run["language"] for run in results["runs"]} == {"de"}
    metrics = json.loads((tmp_path / "out" / "models" / "xeroalign-de" / "metrics.json").read_text())
    assert "align:slot-types" in metrics["history"][0]["train_loss"]
    assert set(INTENTS) >= set(results["config"]["model"]["intent_labels"])
