"""A training run killed for real (SIGKILL, SIGTERM) and resumed ends exactly where an
uninterrupted run ends: every parameter bit-identical, the same metrics.

Each run is a separate process (``toy_training.py``: tiny random encoder, dropout 0.1,
fixed seed, CPU, a checkpoint after every step, three epochs of five steps).
"""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from .conftest import TOY_TRAINING, checkpoint_states, run, start, wait_for, without_timings

STEPS_PER_EPOCH = 5  # 18 examples, batch size 4
EPOCHS = 3


def training(encoder: Path, output: Path, *options: str) -> list[str]:
    return [str(TOY_TRAINING), str(encoder), str(output), "--epochs", str(EPOCHS), "--checkpoint-every", "1", *options]


def finished(process: subprocess.Popen | subprocess.CompletedProcess) -> dict:
    out, err = (process.stdout, process.stderr) if isinstance(process, subprocess.CompletedProcess) else process.communicate(timeout=300)
    assert process.returncode == 0, f"exit {process.returncode}\n{err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def saved_tensors(run_dir: Path) -> dict[str, torch.Tensor]:
    """Every tensor of the run's final model, keyed by file (inside ``model/``) and name."""
    model = run_dir / "model"
    return {f"{path.relative_to(model)}:{name}": tensor for path in sorted(model.rglob("*.safetensors")) for name, tensor in load_file(path).items()}


def assert_same_run(expected: Path, actual: Path) -> None:
    """Every tensor of the final model equal (torch.equal), and the same metrics apart from timings."""
    first, second = saved_tensors(expected), saved_tensors(actual)
    assert first and first.keys() == second.keys()
    different = [name for name in first if not torch.equal(first[name], second[name])]
    assert not different, f"{len(different)} of {len(first)} tensors differ, e.g. {different[:3]}"
    metrics = [json.loads((run_dir / "metrics.json").read_text()) for run_dir in (expected, actual)]
    assert without_timings(metrics[1]) == without_timings(metrics[0])
    assert metrics[0]["truncated_rows"] > 0  # the toy run truncates rows, so that count is compared too
    histories = [[json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()] for run_dir in (expected, actual)]
    assert [entry["epoch"] for entry in histories[1]] == list(range(1, EPOCHS + 1))  # no epoch lost or repeated


@pytest.fixture(scope="module")
def straight_run(toy_encoder_dir, tmp_path_factory):
    """An uninterrupted run, started in the background and awaited by the first test that needs it."""
    output = tmp_path_factory.mktemp("straight") / "run"
    process = start(training(toy_encoder_dir, output))
    awaited = {}

    def result() -> Path:
        if not awaited:
            awaited["summary"] = finished(process)
            assert awaited["summary"] == {"steps": EPOCHS * STEPS_PER_EPOCH, "resumed_from": None}
        return output

    yield result
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_a_run_killed_mid_epoch_resumes_to_bit_identical_parameters_and_metrics(toy_encoder_dir, straight_run, tmp_path):
    output = tmp_path / "killed"
    # The delay (inside each step, between forward and backward) gives the poll time to see each checkpoint.
    victim = start(training(toy_encoder_dir, output, "--step-delay", "0.1"))

    def mid_epoch_after_the_first():
        return next((s for s in checkpoint_states(output / "checkpoints") if s["epoch"] >= 1 and 1 <= s["batch_in_epoch"] <= 3), None)

    seen = wait_for(mid_epoch_after_the_first, victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    assert not (output / "training_complete.json").exists()

    summary = finished(run(training(toy_encoder_dir, output, "--resume")))
    resumed_step = int(Path(summary["resumed_from"]).name.removeprefix("step-"))
    assert seen["global_step"] <= resumed_step and resumed_step % STEPS_PER_EPOCH != 0  # in the middle of an epoch
    assert summary["steps"] == EPOCHS * STEPS_PER_EPOCH
    assert_same_run(straight_run(), output)


def test_sigterm_finishes_the_step_writes_a_checkpoint_says_how_to_resume_and_resuming_finishes(toy_encoder_dir, straight_run, tmp_path):
    output = tmp_path / "terminated"
    process = start(training(toy_encoder_dir, output, "--step-delay", "0.05"))
    wait_for(lambda: checkpoint_states(output / "checkpoints"), process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)

    assert process.returncode != 0
    assert "received SIGTERM; finishing this step and writing a checkpoint" in err
    assert "Resume with resume=True (--resume) and the same output directory" in err
    stopped_at = int(err.split("training stopped by signal at epoch ")[1].split("step ")[1].split(";")[0])
    newest = checkpoint_states(output / "checkpoints")[-1]
    assert newest["global_step"] == stopped_at
    assert not (output / "training_complete.json").exists()

    summary = finished(run(training(toy_encoder_dir, output, "--resume")))
    assert summary["resumed_from"] == str(newest["path"])
    assert_same_run(straight_run(), output)
