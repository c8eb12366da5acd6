"""A non-finite loss stops training with the step and every loss component named, or is skipped."""

from __future__ import annotations

import pytest
import torch

import xalign
from xalign.errors import TrainingError
from xalign.hookspecs import hookimpl

from .toy_data import toy_config


class NanAligner(torch.nn.Module):
    """MSE, except that every ``nan_every``-th call returns NaN (still connected to the graph)."""

    calls = 0
    nan_calls = 0
    nan_every = 1

    def forward(self, source, target):
        type(self).calls += 1
        if type(self).calls % type(self).nan_every == 0:
            type(self).nan_calls += 1
            return float("nan") * (source - target).sum()
        return torch.nn.functional.mse_loss(source, target)


class NanPlugin:
    @hookimpl
    def xalign_register_aligners(self, register):
        register("nan-test", NanAligner)


@pytest.fixture
def nan_aligner(tiny_registry, monkeypatch):
    tiny_registry.register_plugin(NanPlugin(), name="nan-plugin")
    monkeypatch.setattr(NanAligner, "calls", 0)
    monkeypatch.setattr(NanAligner, "nan_calls", 0)
    return NanAligner


def test_a_nan_alignment_loss_stops_training_naming_the_step_and_the_losses(tiny_registry, nan_aligner, toy_examples, toy_translations, tmp_path):
    assembly, _ = xalign.build(toy_config(aligner="nan-test"), registry=tiny_registry)
    before = {name: tensor.clone() for name, tensor in assembly.state_dict().items()}
    with pytest.raises(TrainingError) as caught:
        xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run")
    message = str(caught.value)
    assert "non-finite loss at epoch 1, step 1" in message
    assert "align=nan" in message and "intent=" in message and "slots=" in message
    assert "on_nonfinite='skip'" in message
    assert all(torch.equal(before[name], tensor) for name, tensor in assembly.state_dict().items())  # no NaN step taken


def test_skipping_non_finite_batches_finishes_the_run_and_counts_the_skips(tiny_registry, nan_aligner, toy_examples, toy_translations, monkeypatch):
    monkeypatch.setattr(NanAligner, "nan_every", 3)
    assembly, _ = xalign.build(toy_config(aligner="nan-test", epochs=2, on_nonfinite="skip"), registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations)
    assert NanAligner.calls == 12 and NanAligner.nan_calls == 4
    assert result.skipped_nonfinite == 4
    assert result.steps == 12 - 4
    assert all(torch.isfinite(tensor).all() for tensor in assembly.state_dict().values())
    for entry in result.history:
        assert all(value == value for value in entry["train_loss"].values())  # skipped batches are not averaged in
