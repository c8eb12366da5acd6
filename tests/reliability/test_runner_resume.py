"""The benchmarks runner: a run killed after its first model finishes with ``--resume`` to the
same ``results.json`` metrics as an uninterrupted run; SIGINT stops it resumably; finished
or active output directories are not touched without ``--overwrite``.

Runners run as separate processes (``python -m benchmarks.run``) on the small demo dataset
and a tiny random encoder; refusals, which happen before anything loads, run in-process.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import torch

from .conftest import checkpoint_states, run, runner_arguments, start, wait_for
from .test_kill_and_resume import saved_tensors


def results_without_timings(output: Path) -> dict:
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    runs = [{key: value for key, value in entry.items() if key != "train_seconds"} for entry in results["runs"]]
    return {"runs": runs, "average": results["average"]}


def assert_same_results(expected: Path, actual: Path) -> None:
    assert results_without_timings(actual) == results_without_timings(expected)
    for model in ("zero-shot", "xeroalign-de"):
        first = saved_tensors(expected / "models" / model)
        second = saved_tensors(actual / "models" / model)
        different = [name for name in first if not torch.equal(first[name], second[name])]
        assert not different, f"{model}: {len(different)} tensors differ, e.g. {different[:3]}"


def finished(process) -> str:
    out, err = process.communicate(timeout=400)
    assert process.returncode == 0, f"exit {process.returncode}\n{err[-3000:]}"
    return err


@pytest.fixture(scope="module")
def straight_runner(demo_data_dir, demo_encoder_dir, tmp_path_factory):
    """An uninterrupted runner, started in the background and awaited by the first test that needs it."""
    output = tmp_path_factory.mktemp("runner-straight") / "out"
    process = start(["-m", "benchmarks.run", *runner_arguments(demo_data_dir, demo_encoder_dir, output)])
    awaited = []

    def result() -> Path:
        if not awaited:
            finished(process)
            awaited.append(True)
        return output

    yield result
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_a_runner_killed_after_its_first_model_resumes_to_the_same_results(demo_data_dir, demo_encoder_dir, straight_runner, tmp_path, call_runner):
    output = tmp_path / "out"
    arguments = runner_arguments(demo_data_dir, demo_encoder_dir, output)
    victim = start(["-m", "benchmarks.run", *arguments])
    wait_for(lambda: (output / "run.log").is_file(), victim)  # written once the runner holds the lock

    code, err = call_runner([*arguments, "--resume"])
    assert code == 2 and f"another run is using {output} right now" in err  # a second runner is refused

    wait_for(lambda: (output / "models" / "zero-shot" / "evaluation.json").is_file(), victim, every=0.002)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert not (output / "results.json").exists()

    code, err = call_runner(arguments)  # neither --resume nor --overwrite: refused up front
    assert code == 2 and "holds the models of an unfinished run" in err and "--resume" in err
    code, err = call_runner([*arguments, "--resume", "--epochs", "3", "--lr", "0.001"])  # models must not mix settings
    assert code == 2 and "settings that differ" in err and "epochs 2 -> 3" in err and "learning_rate 2e-05 -> 0.001" in err

    resumed = run(["-m", "benchmarks.run", *arguments, "--resume"], timeout=400)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "zero-shot: already complete, skipped (--resume)" in resumed.stderr
    assert_same_results(straight_runner(), output)


def test_sigint_stops_a_runner_resumably_and_resume_ends_with_the_same_results(demo_data_dir, demo_encoder_dir, straight_runner, tmp_path):
    output = tmp_path / "out"
    arguments = runner_arguments(demo_data_dir, demo_encoder_dir, output)
    process = start(["-m", "benchmarks.run", *arguments])
    wait_for(lambda: checkpoint_states(output / "models" / "xeroalign-de" / "checkpoints"), process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)

    assert process.returncode == 128 + signal.SIGINT
    assert "training stopped by signal" in err and "repeat the same command with --resume" in err
    assert checkpoint_states(output / "models" / "xeroalign-de" / "checkpoints")

    resumed = run(["-m", "benchmarks.run", *arguments, "--resume"], timeout=400)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming from" in resumed.stderr
    assert_same_results(straight_runner(), output)


def test_a_finished_output_is_not_replaced_without_overwrite(demo_data_dir, demo_encoder_dir, straight_runner, call_runner):
    output = straight_runner()
    before = (output / "results.json").read_bytes()
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output))
    assert code == 2
    assert f"{output} holds a finished benchmark run" in err and "--overwrite" in err
    assert (output / "results.json").read_bytes() == before

    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--resume", "--overwrite"))
    assert code == 2 and "pass one of the two" in err


def test_overwriting_forgets_a_replaced_models_evaluation_before_training_it(demo_data_dir, demo_encoder_dir, tmp_path, call_runner, monkeypatch):
    # Otherwise a run replaced with --overwrite, interrupted, then resumed would report the
    # old model's scores as the new one's.
    import xalign

    output = tmp_path / "out"
    stale = output / "models" / "zero-shot" / "evaluation.json"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"run": "zero-shot", "scores": {}}')

    def interrupted(*arguments, **keywords):
        raise KeyboardInterrupt

    monkeypatch.setattr(xalign, "train", interrupted)
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--overwrite"))
    assert code == 128 + signal.SIGINT and "repeat the same command with --resume" in err
    assert not stale.exists()
