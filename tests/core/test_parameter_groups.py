"""A larger learning rate for the parameters that start from scratch (parameter groups)."""

from __future__ import annotations

import torch

import xalign
from xalign.testing import TinyEncoderPlugin, fresh_registry
from xalign.training.objective import XeroAlignObjective
from xalign.training.optimisation import make_optimizer, make_scheduler

WORDS = ["wake", "me", "up", "play", "jazz"]


def build(training: xalign.TrainingConfig):
    registry = fresh_registry(TinyEncoderPlugin(WORDS))
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", init="random", head="joint-intent-slot", intent_labels=("a", "b"), slot_labels=("O", "B-x")),
        training=training,
    )
    assembly, _ = xalign.build(config, registry=registry)
    return assembly


def test_the_head_gets_its_own_peak_rate_and_the_encoder_keeps_the_base_rate():
    training = xalign.TrainingConfig(learning_rate=1e-4, head_learning_rate=3e-3, optimizer="adamw", weight_decay=0.01)
    objective = XeroAlignObjective(build(training))
    optimizer = make_optimizer(objective, training, torch.device("cpu"))
    rate_of = {id(parameter): group["lr"] for group in optimizer.param_groups for parameter in group["params"]}
    for name, parameter in objective.named_parameters():
        if parameter.requires_grad:
            assert rate_of[id(parameter)] == (1e-4 if name.startswith("assembly.encoder.") else 3e-3), name
    scheduler = make_scheduler(optimizer, training, total_steps=10)
    peaks = [group["max_lr"] for group in optimizer.param_groups]
    assert sorted(set(peaks)) == [1e-4, 3e-3] and scheduler is not None


def test_without_a_head_rate_every_group_has_the_base_rate_and_adam_never_decays():
    training = xalign.TrainingConfig(learning_rate=2e-5, optimizer="adam", weight_decay=0.01)
    optimizer = make_optimizer(XeroAlignObjective(build(training)), training, torch.device("cpu"))
    assert {group["lr"] for group in optimizer.param_groups} == {2e-5}
    assert {group["weight_decay"] for group in optimizer.param_groups} == {0.0}
    assert isinstance(optimizer, torch.optim.Adam) and not isinstance(optimizer, torch.optim.AdamW)
