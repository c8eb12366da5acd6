"""The installed plugin, used by name: registry, builder, trainer with any pooler, saved models, the runner."""

from __future__ import annotations

import json
import logging
import math

import pytest
from tokenalign_toy import INTENTS, toy_config, toy_examples, toy_translations

import xalign
from xalign.data.examples import ClassificationExample, SlotFillingExample
from xalign.hookspecs import hookimpl
from xalign.testing import fresh_registry

PROVIDER = "xalign-tokenalign"
EVERY_LOSS = "mse+token-align+slot-projection"
RECIPE = "mse:3,contrastive:0.3,slot-projection"  # the README's recipe; contrastive comes from xalign-crossaligner


def test_installed_plugin_registers_both_aligners_under_its_distribution_name():
    from xalign_tokenalign import SlotProjectionAligner, TokenAlignAligner

    registry = fresh_registry()
    assert registry.providers()["aligners"]["token-align"] == PROVIDER
    assert registry.providers()["aligners"]["slot-projection"] == PROVIDER
    assert registry.get("aligners", "token-align").factory is TokenAlignAligner
    assert registry.get("aligners", "slot-projection").factory is SlotProjectionAligner


def test_builder_combines_them_with_mse_by_name_and_weight(tiny_encoder_dir):
    assembly, _ = xalign.build(toy_config(str(tiny_encoder_dir), "mse:1,token-align:0.5,slot-projection:2"))
    assert set(assembly.aligner.parts) == {"mse", "token-align", "slot-projection"}
    assert assembly.aligner.weights == {"mse": 1.0, "token-align": 0.5, "slot-projection": 2.0}
    assert assembly.aligner.parts["slot-projection"].tags.types == ("O", "TIME", "GENRE", "CITY")


def test_training_with_two_translations_per_example_then_saving_and_loading(tiny_encoder_dir, tmp_path):
    config = toy_config(str(tiny_encoder_dir), EVERY_LOSS, translations_per_example=2)
    assembly, _ = xalign.build(config)
    projection = assembly.aligner.parts["slot-projection"]
    projection.statistics = []
    result = xalign.train(assembly, toy_examples(), toy_translations(), config.training, output_dir=tmp_path / "run")
    losses = result.history[-1]["train_loss"]
    assert set(losses) == {"intent", "slots", "align:mse", "align:token-align", "align:slot-projection"}
    assert all(math.isfinite(value) for value in losses.values()) and losses["align:slot-projection"] > 0
    assert projection.statistics and all(0 < batch["hub_share"] <= 1 for batch in projection.statistics)
    loaded = xalign.load_pretrained(result.model_dir)
    assert loaded.aligner.parts["token-align"].temperature == assembly.aligner.parts["token-align"].temperature
    examples = toy_examples()[:3]
    assert xalign.evaluate(loaded, examples) == xalign.evaluate(assembly.eval(), examples)


def test_the_recipe_builds_and_trains_by_name_with_the_crossaligner_plugin(tiny_encoder_dir, tmp_path):
    pytest.importorskip("xalign_crossaligner", reason="the recipe's contrastive loss is registered by xalign-crossaligner")
    config = toy_config(str(tiny_encoder_dir), RECIPE)
    assembly, _ = xalign.build(config)
    assert assembly.aligner.weights == {"mse": 3.0, "contrastive": 0.3, "slot-projection": 1.0}
    result = xalign.train(assembly, toy_examples(), toy_translations(), config.training, output_dir=tmp_path / "recipe")
    losses = result.history[-1]["train_loss"]
    assert set(losses) == {"intent", "slots", "align:mse", "align:contrastive", "align:slot-projection"}
    assert all(math.isfinite(value) for value in losses.values())


@pytest.mark.parametrize("pooler", ["cls", "mean", "pooler"])
def test_token_losses_train_with_every_pooler(tiny_encoder_dir, tmp_path, pooler):
    import attrs

    config = toy_config(str(tiny_encoder_dir), EVERY_LOSS, max_steps=2)
    config = attrs.evolve(config, model=attrs.evolve(config.model, pooler=pooler))
    assembly, _ = xalign.build(config)
    result = xalign.train(assembly, toy_examples(), toy_translations(), config.training, output_dir=tmp_path / pooler)
    assert all(math.isfinite(value) for value in result.history[-1]["train_loss"].values())


def test_sentence_classification_trains_with_token_align_and_a_silent_slot_projection(tiny_encoder_dir, tmp_path, caplog):
    config = toy_config(str(tiny_encoder_dir), EVERY_LOSS, head="sequence-classification")
    with caplog.at_level(logging.WARNING):
        assembly, _ = xalign.build(config)
    assert "no slot labels" in caplog.text
    examples = [ClassificationExample(e.id, e.text, e.intent) for e in toy_examples()]
    result = xalign.train(assembly, examples, toy_translations(), config.training, output_dir=tmp_path / "run")
    losses = result.history[-1]["train_loss"]
    assert losses["align:slot-projection"] == 0.0 and losses["align:token-align"] > 0


class ToyJointDataset:
    """A dataset plugin in a few lines: the toy slot-filling task with German and Spanish test sets."""

    name = "tokenalign-toy"
    task = "joint"
    languages = ("en", "de", "es")
    published_at = "the tokenalign plugin's tests"

    def expected_files(self, data_dir, language):
        return []

    def available_languages(self, data_dir):
        return list(self.languages)

    def load_split(self, data_dir, language, split, on_mismatch="fail"):
        from xalign.datasets import LoadedSplit

        examples = toy_examples()
        if language != "en":
            translations = toy_translations()[language]
            examples = [
                SlotFillingExample(id=f"{language}-{e.id}", words=translations[e.id].text.split(), slot_tags=["O"] * len(translations[e.id].text.split()), intent=e.intent, language=language)
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
    registry.register_plugin(ToyDatasetPlugin(), name="tokenalign-toy-dataset")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    registry.unregister_plugin("tokenalign-toy-dataset")
    for handler in list(root.handlers):  # the runner points the root logger at its run.log
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def test_runner_aligns_one_model_to_every_language_with_the_token_losses(tiny_encoder_dir, tmp_path, toy_dataset_registered, capsys):
    from benchmarks.run import main

    code = main([
        "--dataset", "tokenalign-toy", "--data-dir", str(tmp_path), "--encoder", str(tiny_encoder_dir),
        "--aligner", EVERY_LOSS, "--modes", "xeroalign", "--align-languages", "all",
        "--epochs", "1", "--batch-size", "4", "--device", "cpu", "--no-progress", "--output", str(tmp_path / "out"),
    ])
    assert code == 0, capsys.readouterr().err
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["aligner"] == EVERY_LOSS
    assert {run["language"] for run in results["runs"]} == {"de", "es"}
    metrics = json.loads((tmp_path / "out" / "models" / "xeroalign-all" / "metrics.json").read_text())
    assert {"align:token-align", "align:slot-projection"} <= set(metrics["history"][0]["train_loss"])
    assert set(INTENTS) >= set(results["config"]["model"]["intent_labels"])
