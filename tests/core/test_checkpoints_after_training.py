"""Checkpoints (weights plus optimiser state) are removed once the final model is saved, when asked."""

from __future__ import annotations

import xalign
from xalign.testing import TinyEncoderPlugin, fresh_registry

from .tiny_runs import EXAMPLES, WORDS, train_tiny


def test_a_finished_run_keeps_only_its_model_when_checkpoints_are_not_kept(tmp_path):
    assembly, _, _ = train_tiny(tmp_path / "run", keep_checkpoints_after_training=False)
    run = tmp_path / "run"
    assert (run / "training_complete.json").is_file() and not (run / "checkpoints").exists()
    again, _ = xalign.build(assembly.config, registry=fresh_registry(TinyEncoderPlugin(WORDS)))
    result = xalign.train(again, EXAMPLES, output_dir=run, resume=True)  # resumes from model/
    assert result.resumed_from == "complete"
    assert xalign.predict(again, ["wake me up"]) == xalign.predict(assembly, ["wake me up"])


def test_checkpoints_stay_by_default(tmp_path):
    train_tiny(tmp_path / "run")
    assert any((tmp_path / "run" / "checkpoints").glob("step-*"))
