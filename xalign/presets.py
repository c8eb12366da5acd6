"""Named presets: partial configurations, as dotted keys, laid over the library defaults.

A preset holds only values that differ from :class:`xalign.XalignConfig`'s defaults for a
reason it states; it is not a second schema. Every value names the key of the one schema
it sets (``training.learning_rate``), so a preset cannot drift from the config.

- ``paper``: the authors' recipe (design notes §1; Gritta & Iacobacci 2021 and their public
  code): Adam without weight decay, OneCycleLR with PyTorch's defaults (30 % warm-up),
  effective batch 10, 10 epochs, every parameter trained, their sentence embedding (the
  encoder's pooler output), random batch order. Our mechanics stay: attention mask and
  dynamic padding. The per-dataset values (maximum length, learning rate, MTOD's 5 aligned
  epochs) are laid over it by whoever knows the dataset (``benchmarks/paper.py``).
- ``fast``: our fastest settings that keep the paper's accuracy on a GPU: the paper's
  optimiser and schedule at a larger batch, with exact-length grouping and bf16.
- ``cpu``: a 2-core CPU within a small budget (the demo's 15 minutes): frozen word
  embeddings (the 96M-parameter table costs 0.8 s of a 1.8 s step on e5-small), fewer
  epochs, shorter rows, a larger learning rate, and a far larger one for the freshly
  initialised task head, without which the slot head is still learning when training ends.

This module knows nothing of datasets or files.
"""

from __future__ import annotations

from typing import Any

import attrs

from xalign.errors import ConfigError


@attrs.frozen
class Preset:
    name: str
    description: str
    values: dict[str, Any]  # dotted key -> value


PAPER = Preset(
    "paper",
    "the authors' hyperparameters (Adam, OneCycleLR 30 % warm-up, effective batch 10, 10 epochs, pooler output)",
    {
        "model.pooler": "pooler",
        "model.freeze_word_embeddings": False,
        "training.optimizer": "adam",
        "training.weight_decay": 0.0,
        "training.warmup_fraction": 0.3,
        "training.batch_size": 10,
        "training.gradient_accumulation": 1,
        "training.epochs": 10,
        "training.max_grad_norm": 1.0,
        "training.seed": 123456789,
        "training.group_by_length": False,
        "training.keep_checkpoints_after_training": False,
        "training.selection": "last",  # the final-epoch model is evaluated: no model selection
    },
)

FAST = Preset(
    "fast",
    "the paper's optimiser and schedule at batch 32 with exact-length grouping and bf16 on a GPU",
    {
        "model.freeze_word_embeddings": False,
        "training.optimizer": "adam",
        "training.weight_decay": 0.0,
        "training.warmup_fraction": 0.3,
        "training.batch_size": 32,
        "training.epochs": 10,
        "training.group_by_length": True,
        "training.precision": "auto",
        "training.keep_checkpoints_after_training": False,
    },
)

CPU = Preset(
    "cpu",
    "a 2-core CPU in minutes: frozen word embeddings, 64-subword rows, 2 epochs, lr 2e-4 (head 3e-3)",
    {
        "model.max_length": 64,
        "model.freeze_word_embeddings": True,
        "training.epochs": 2,
        # Measured on the demo (zero-shot model, English dev after 2 epochs): lr 1e-4 for
        # every parameter gave slot F1 63; lr 2e-4 for the encoder with 3e-3 for the new
        # head gave 98.9 (82.1 after one epoch) at the same cost. docs/benchmarks.md.
        "training.learning_rate": 2e-4,
        "training.head_learning_rate": 3e-3,
        "training.warmup_fraction": 0.1,
        "training.batch_size": 32,
        "training.keep_checkpoints_after_training": False,
        # Half the disk per saved model (e5-small: 470 -> 235 MB); the reported scores are
        # those of the stored fp16 weights.
        "training.save_precision": "fp16",
    },
)

PRESETS: dict[str, Preset] = {preset.name: preset for preset in (PAPER, FAST, CPU)}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; presets are {', '.join(PRESETS)}") from None
