"""In-process training runs for the reliability tests: the toy task of ``toy_training.py``
(18 English examples, batch 4: five steps per epoch) on a tiny random encoder, dropout on,
a checkpoint after every step. Nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import torch

import xalign
from xalign.testing import TinyEncoderPlugin, fresh_registry

from .toy_training import INTENTS, SLOT_LABELS, toy_data, vocabulary

STEPS_PER_EPOCH = 5


def toy_registry():
    """A registry of its own with ``tiny-random`` over the toy vocabulary."""
    return fresh_registry(TinyEncoderPlugin(vocabulary()))


def toy_config(intent_labels: tuple[str, ...] = INTENTS, max_length: int = 7, **training) -> xalign.XalignConfig:
    settings = {"epochs": 2, "batch_size": 4, "learning_rate": 2e-3, "seed": 7, "device": "cpu", "checkpoint_every": 1,
                "keep_checkpoints": 2, "progress": False, **training}
    return xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", aligner="mse", intent_labels=intent_labels, slot_labels=SLOT_LABELS,
                                 max_length=max_length, dropout=0.1),
        training=xalign.TrainingConfig(**settings),
    )


def train_toy(output: Path | None, registry, config: xalign.XalignConfig | None = None, resume: bool = False, overwrite: bool = False):
    """Build (heads seeded) and train the toy assembly; returns ``(assembly, result)``."""
    config = config or toy_config()
    english, translations, german_test = toy_data()
    torch.manual_seed(7)
    assembly, _ = xalign.build(config, registry=registry)
    result = xalign.train(assembly, english, translations, output_dir=output, eval_sets={"en": english[:6], "de": german_test},
                          resume=resume, overwrite=overwrite)
    return assembly, result


def parameters(assembly: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in assembly.state_dict().items()}


def assert_same_parameters(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> None:
    assert first.keys() == second.keys()
    different = [name for name in first if not torch.equal(first[name], second[name])]
    assert not different, f"{len(different)} of {len(first)} tensors differ, e.g. {different[:3]}"


def without_timings(value):
    """``value`` (metrics, a history, a result) without wall-clock times, which no two runs share."""
    if isinstance(value, dict):
        return {key: without_timings(item) for key, item in value.items() if key not in ("seconds", "epoch_seconds")}
    if isinstance(value, (list, tuple)):
        return type(value)(without_timings(item) for item in value)
    return value


def metrics(run_dir: Path) -> tuple[dict, list[dict]]:
    """``metrics.json`` and the lines of ``metrics.jsonl``."""
    summary = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    lines = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    return summary, lines


def checkpoint_dirs(run_dir: Path) -> list[Path]:
    return sorted((run_dir / "checkpoints").glob("step-*"))


def evolve_training(config: xalign.XalignConfig, **changes) -> xalign.XalignConfig:
    return attrs.evolve(config, training=attrs.evolve(config.training, **changes))
