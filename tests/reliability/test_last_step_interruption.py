"""A run stopped during its last optimizer step, or killed just after it, loses no record.

Before the fix, resuming such a run found every step taken and went straight to the end:
``metrics.jsonl`` had one epoch fewer than an uninterrupted run, and ``metrics.json`` had no
last-epoch loss or evaluation and ``"seconds": 0.0``. The epoch is now ended on resume.
"""

from __future__ import annotations

import contextlib
import signal
from typing import Iterator

import pytest

from xalign.aligners.mse import MSEAligner
from xalign.testing import torch_threads
from xalign.training import checkpoints
from xalign.training.loop import TrainingInterrupted

from .tiny_runs import STEPS_PER_EPOCH, assert_same_parameters, metrics, parameters, toy_registry, train_toy, without_timings

EPOCHS = 2
LAST_STEP = EPOCHS * STEPS_PER_EPOCH


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler sees it."""


@pytest.fixture(scope="module")
def registry():
    return toy_registry()


@pytest.fixture(scope="module")
def straight(registry, tmp_path_factory):
    output = tmp_path_factory.mktemp("straight") / "run"
    with torch_threads(1):  # as every test here (the autouse fixture is set up after module fixtures)
        assembly, result = train_toy(output, registry)
    assert result.steps == LAST_STEP
    return output, parameters(assembly), result


@contextlib.contextmanager
def sigint_in_step(step: int) -> Iterator[None]:
    """SIGINT arrives in the middle of optimizer step ``step`` (from the aligner's forward pass)."""
    calls = [0]
    forward = MSEAligner.forward

    def interrupting(self, source, target):
        calls[0] += 1
        if calls[0] == step:
            signal.raise_signal(signal.SIGINT)
        return forward(self, source, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MSEAligner, "forward", interrupting)
        yield


def assert_same_run(straight, output, assembly, result) -> None:
    expected_dir, expected_parameters, expected = straight
    assert result.selected == expected.selected
    assert_same_parameters(expected_parameters, parameters(assembly))
    (summary, lines), (expected_summary, expected_lines) = metrics(output), metrics(expected_dir)
    assert [line["epoch"] for line in lines] == list(range(1, EPOCHS + 1))  # no epoch lost
    assert without_timings(lines) == without_timings(expected_lines)
    assert without_timings(summary) == without_timings(expected_summary)
    assert "eval" in summary["history"][-1] and summary["history"][-1]["train_loss"]
    assert summary["seconds"] > 0
    assert without_timings(result.history) == without_timings(expected.history)


def test_a_signal_during_the_last_step_keeps_the_last_epochs_record_on_resume(registry, straight, tmp_path):
    output = tmp_path / "run"
    with sigint_in_step(LAST_STEP), pytest.raises(TrainingInterrupted, match=f"step {LAST_STEP}"):
        train_toy(output, registry)
    assert len(metrics_lines := (output / "metrics.jsonl").read_text().splitlines()) == EPOCHS - 1, metrics_lines

    assembly, result = train_toy(output, registry, resume=True)
    assert result.resumed_from.endswith(f"step-{LAST_STEP:08d}")
    assert_same_run(straight, output, assembly, result)


def test_a_kill_just_after_the_last_steps_checkpoint_keeps_the_last_epochs_record(registry, straight, tmp_path, monkeypatch):
    output = tmp_path / "run"
    save = checkpoints.save_checkpoint

    def killed_after_the_last_step(directory, model, optimizer, scheduler, state, keep):
        path = save(directory, model, optimizer, scheduler, state, keep)
        if state.global_step == LAST_STEP and state.batch_in_epoch == STEPS_PER_EPOCH:  # the step's, not the epoch end's
            raise Killed
        return path

    monkeypatch.setattr(checkpoints, "save_checkpoint", killed_after_the_last_step)
    with pytest.raises(Killed):
        train_toy(output, registry)
    monkeypatch.undo()
    assert not (output / "training_complete.json").exists()

    assembly, result = train_toy(output, registry, resume=True)
    assert_same_run(straight, output, assembly, result)
