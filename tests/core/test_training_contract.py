"""What train() promises its caller: arguments left as given, the config it used saved,
the weighting built with the assembly, the objective's total, keyword-only results."""

from __future__ import annotations

import json
import math

import attrs
import pytest
import torch

import xalign
from xalign.data.collate import ParallelItem
from xalign.hookspecs import hookimpl
from xalign.inference import collator_for
from xalign.training.loop import TrainResult
from xalign.training.objective import XeroAlignObjective
from xalign.weighting import FixedWeighting

from .toy_data import toy_config


class RecordingWeighting:
    """Doubles every loss and remembers the names it was asked about."""

    instances: list[RecordingWeighting] = []

    def __init__(self):
        self.seen: list[tuple[str, ...]] = []
        type(self).instances.append(self)

    def weights(self, losses):
        self.seen.append(tuple(losses))
        return {name: 2.0 for name in losses}


class RecordingWeightingPlugin:
    @hookimpl
    def xalign_register_weightings(self, register):
        register("test-recording", RecordingWeighting)


def test_train_leaves_the_assembly_config_as_given_and_saves_the_config_it_trained_with(tiny_registry, toy_examples, toy_translations, tmp_path):
    built = toy_config(epochs=4)
    assembly, _ = xalign.build(built, registry=tiny_registry)
    before = assembly.config
    used = attrs.evolve(built.training, epochs=1, learning_rate=1e-3)
    result = xalign.train(assembly, toy_examples, toy_translations, used, output_dir=tmp_path / "run")

    assert assembly.config is before and assembly.config.training == built.training
    assert result.steps == 6  # one epoch of 42 examples at batch 8: the config passed in was used
    saved = xalign.XalignConfig.from_dict(json.loads((result.model_dir / "xalign_config.json").read_text()))
    assert saved.training == used and saved.model == before.model
    assert xalign.XalignConfig.from_dict(json.loads((tmp_path / "run" / "config.json").read_text())) == saved
    assert xalign.load_pretrained(result.model_dir, registry=tiny_registry).config == saved


def test_the_builder_builds_the_configured_weighting_with_the_assembly(tiny_registry, toy_examples, toy_translations):
    tiny_registry.register_plugin(RecordingWeightingPlugin(), name="recording-weighting")
    assembly, _ = xalign.build(toy_config(epochs=1, weighting="test-recording"), registry=tiny_registry)
    assert isinstance(assembly.weighting, RecordingWeighting)
    xalign.train(assembly, toy_examples, toy_translations)
    assert len(assembly.weighting.seen) == 6 and set(assembly.weighting.seen) == {("intent", "slots", "align")}


def test_a_training_config_with_another_weighting_gets_its_own_from_the_registry(tiny_registry, toy_examples, toy_translations, monkeypatch):
    monkeypatch.setattr(RecordingWeighting, "instances", [])
    built = toy_config(epochs=1)
    assembly, _ = xalign.build(built, registry=tiny_registry)
    before = assembly.config
    registry = xalign.get_registry()  # where train() looks up a weighting the assembly was not built with
    registry.register_plugin(RecordingWeightingPlugin(), name="recording-weighting")
    try:
        xalign.train(assembly, toy_examples, toy_translations, attrs.evolve(built.training, weighting="test-recording"))
    finally:
        registry.unregister_plugin("recording-weighting")
    made = RecordingWeighting.instances
    assert len(made) == 1 and len(made[0].seen) == 6  # one for the run, asked at every step
    assert isinstance(assembly.weighting, FixedWeighting) and assembly.config is before


def test_the_objective_total_is_the_weighted_sum_and_leaves_zero_weighted_losses_out(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(), registry=tiny_registry)
    assembly.eval()  # no dropout: the same losses on every call
    items = [ParallelItem(example, (toy_translations["de"][example.id],)) for example in toy_examples[:6]]
    batch = collator_for(assembly)(items)

    total, losses = XeroAlignObjective(assembly, alignment_weight=0.5, weighting=RecordingWeighting())(batch)
    assert set(losses) == {"intent", "slots", "align"}
    expected = 2.0 * losses["intent"] + 2.0 * losses["slots"] + 0.5 * 2.0 * losses["align"]
    assert torch.allclose(total, expected)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(assembly.aligner), "forward", lambda self, source, target: torch.tensor(float("nan")))
        total, losses = XeroAlignObjective(assembly, alignment_weight=0.0)(batch)
    assert math.isnan(float(losses["align"]))
    assert torch.isfinite(total) and torch.allclose(total, losses["intent"] + losses["slots"])


def test_train_results_take_keyword_arguments_only():
    with pytest.raises(TypeError):
        TrainResult(None, None, [], 0, 0.0, 0, 0)
    result = TrainResult(output_dir=None, model_dir=None, history=[], steps=0, seconds=0.0, skipped_nonfinite=0, truncated_rows=0)
    assert result.resumed_from is None and result.pairs == 0
