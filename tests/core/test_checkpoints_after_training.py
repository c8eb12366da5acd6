"""Checkpoints (weights plus optimiser state) are removed once the final model is saved, when asked."""

from __future__ import annotations

import xalign
from xalign.data.examples import SlotFillingExample
from xalign.testing import TinyEncoderPlugin, fresh_registry

WORDS = ["wake", "me", "up", "play", "jazz"]
EXAMPLES = [SlotFillingExample(id=str(i), words=("wake", "me", "up") if i % 2 else ("play", "jazz"),
                               slot_tags=("O", "O", "O") if i % 2 else ("O", "B-x"), intent="a" if i % 2 else "b") for i in range(8)]


def train(tmp_path, keep: bool):
    registry = fresh_registry(TinyEncoderPlugin(WORDS))
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", init="random", intent_labels=("a", "b"), slot_labels=("O", "B-x")),
        training=xalign.TrainingConfig(epochs=1, batch_size=4, device="cpu", progress=False, keep_checkpoints_after_training=keep),
    )
    assembly, _ = xalign.build(config, registry=registry)
    xalign.train(assembly, EXAMPLES, output_dir=tmp_path / "run")
    return assembly


def test_a_finished_run_keeps_only_its_model_when_checkpoints_are_not_kept(tmp_path):
    assembly = train(tmp_path, keep=False)
    run = tmp_path / "run"
    assert (run / "training_complete.json").is_file() and not (run / "checkpoints").exists()
    again, _ = xalign.build(assembly.config, registry=fresh_registry(TinyEncoderPlugin(WORDS)))
    result = xalign.train(again, EXAMPLES, output_dir=run, resume=True)  # resumes from model/
    assert result.resumed_from == "complete"
    assert xalign.predict(again, ["wake me up"]) == xalign.predict(assembly, ["wake me up"])


def test_checkpoints_stay_by_default(tmp_path):
    train(tmp_path, keep=True)
    assert any((tmp_path / "run" / "checkpoints").glob("step-*"))
