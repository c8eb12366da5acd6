"""A tiny joint model trained for one epoch on eight examples, for tests of what a finished run leaves."""

from __future__ import annotations

from pathlib import Path

import xalign
from xalign.data.examples import SlotFillingExample
from xalign.testing import TinyEncoderPlugin, fresh_registry

WORDS = ["wake", "me", "up", "play", "jazz", "now"]
EXAMPLES = [SlotFillingExample(id=str(i), words=("wake", "me", "up") if i % 2 else ("play", "jazz", "now"),
                               slot_tags=("O", "O", "O") if i % 2 else ("O", "B-x", "O"), intent="a" if i % 2 else "b") for i in range(8)]


def train_tiny(run_dir: Path, **training):
    """``(assembly, result, registry)`` of one epoch at batch 4 into ``run_dir``; ``training``: TrainingConfig fields."""
    registry = fresh_registry(TinyEncoderPlugin(WORDS))
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", init="random", intent_labels=("a", "b"), slot_labels=("O", "B-x")),
        training=xalign.TrainingConfig(epochs=1, batch_size=4, device="cpu", progress=False, **training),
    )
    assembly, _ = xalign.build(config, registry=registry)
    return assembly, xalign.train(assembly, EXAMPLES, output_dir=run_dir), registry
