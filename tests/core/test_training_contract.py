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


class InnerLayerAligner(torch.nn.Module):
    """Reads layer 1 of the encoder from the context; remembers what it was given."""

    needs_context = True
    needs_hidden_states = True
    seen: list = []

    def forward(self, source, target, context=None):
        type(self).seen.append(context.encoded.hidden_states)
        layer = context.encoded.hidden_states[1]
        return (layer[context.source_rows] - layer[context.target_rows]).pow(2).mean()


class InnerLayerPlugin:
    @hookimpl
    def xalign_register_aligners(self, register):
        register("test-inner-layer", InnerLayerAligner)


def test_an_aligner_that_asks_for_inner_layers_gets_every_layer_of_the_same_encoder_call(tiny_registry, toy_examples, toy_translations):
    from xalign.training.objective import wants_hidden_states

    tiny_registry.register_plugin(InnerLayerPlugin(), name="inner-layer")
    assembly, _ = xalign.build(toy_config(aligner="mse+test-inner-layer"), registry=tiny_registry)
    assert wants_hidden_states(assembly.aligner)
    plain, _ = xalign.build(toy_config(aligner="mse"), registry=tiny_registry)
    assert not wants_hidden_states(plain.aligner)
    items = [ParallelItem(example, (toy_translations["de"][example.id],)) for example in toy_examples[:4]]
    batch = collator_for(assembly)(items)
    InnerLayerAligner.seen.clear()
    _, losses = XeroAlignObjective(assembly)(batch)
    layers = InnerLayerAligner.seen[-1]
    depth = assembly.encoder.config.num_hidden_layers
    assert len(layers) == depth + 1  # the embeddings, then every layer
    encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"), hidden_states=True)
    assert torch.equal(encoded.hidden_states[-1], encoded.token_states)
    assert assembly.encode(batch["input_ids"], batch["attention_mask"]).hidden_states is None  # only when asked
    losses["align:test-inner-layer"].backward()
    assert assembly.encoder.embeddings.word_embeddings.weight.grad is not None


class ProgressAligner(torch.nn.Module):
    """Remembers the training progress each call was given."""

    needs_context = True
    seen: list = []

    def forward(self, source, target, context=None):
        type(self).seen.append(context.progress)
        return (source - target).pow(2).mean()


class ProgressPlugin:
    @hookimpl
    def xalign_register_aligners(self, register):
        register("test-progress", ProgressAligner)


def test_aligners_see_the_share_of_training_done_before_each_step(tiny_registry, toy_examples, toy_translations, tmp_path):
    tiny_registry.register_plugin(ProgressPlugin(), name="progress")
    config = toy_config(aligner="test-progress", epochs=2, gradient_accumulation=2)
    assembly, _ = xalign.build(config, registry=tiny_registry)
    ProgressAligner.seen.clear()
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run")
    steps = result.steps
    expected = [step / steps for step in range(steps) for _ in range(2)]  # two micro-batches per step
    assert ProgressAligner.seen[: len(expected)] == pytest.approx(expected)
    assert XeroAlignObjective(assembly).progress is None  # outside train()
