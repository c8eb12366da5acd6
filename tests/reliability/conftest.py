"""Shared helpers for the reliability tests: subprocesses on one thread, polling, tiny files.

Training runs that must really be killed run as separate processes; everything else runs
in-process on a tiny random encoder. Nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, TypeVar

import pytest

from xalign.testing import restored_logging

REPOSITORY = Path(__file__).resolve().parents[2]
TOY_TRAINING = Path(__file__).with_name("toy_training.py")
T = TypeVar("T")


def subprocess_env() -> dict[str, str]:
    """The environment of a child process: one thread (the machine is shared), offline, repo importable."""
    env = dict(os.environ)
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPOSITORY), env.get("PYTHONPATH")])))
    return env


def start(arguments: list[str], cwd: Path | None = None) -> subprocess.Popen:
    """Start ``python ARGUMENTS`` in the background, stdout and stderr captured as text."""
    return subprocess.Popen([sys.executable, *arguments], env=subprocess_env(), cwd=cwd or REPOSITORY,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(arguments: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python ARGUMENTS`` to the end."""
    return subprocess.run([sys.executable, *arguments], env=subprocess_env(), cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=timeout)


def wait_for(found: Callable[[], T | None], process: subprocess.Popen, timeout: float = 240, every: float = 0.005) -> T:
    """Poll ``found()`` until it returns something; fail if ``process`` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the process ended (exit {process.returncode}) before the awaited state\n{out}\n{err[-3000:]}")
        time.sleep(every)
    process.kill()
    pytest.fail(f"timed out after {timeout} s waiting for the process")


def checkpoint_states(checkpoints: Path) -> list[dict]:
    """The trainer states of the intact checkpoints in ``checkpoints`` (read while a run writes them)."""
    states = []
    for path in sorted(checkpoints.glob("step-*")):
        try:
            states.append({**json.loads((path / "trainer_state.json").read_text(encoding="utf-8")), "path": path})
        except (OSError, ValueError):  # being written or pruned right now
            continue
    return states


def without_timings(metrics: dict) -> dict:
    """metrics.json without wall-clock times, which no two runs share."""
    kept = {key: value for key, value in metrics.items() if key != "seconds"}
    kept["history"] = [{key: value for key, value in entry.items() if key != "epoch_seconds"} for entry in metrics["history"]]
    return kept


@pytest.fixture(autouse=True)
def one_torch_thread():
    from xalign.testing import torch_threads

    with torch_threads(1):
        yield


@pytest.fixture(scope="session")
def toy_encoder_dir(tmp_path_factory) -> Path:
    """A tiny random encoder for ``toy_training.py``'s vocabulary, saved as a Hugging Face directory."""
    from xalign.testing import save_tiny_encoder

    from .toy_training import vocabulary

    return save_tiny_encoder(tmp_path_factory.mktemp("toy-encoder"), vocabulary())


def pytest_terminal_summary(terminalreporter) -> None:
    """Print how many corrupted inputs the property tests tried, per format and outcome."""
    module = sys.modules.get(f"{__package__}.test_loader_corruption") if __package__ else None
    tried = getattr(module, "TRIED", None)
    if not tried:
        return
    terminalreporter.section("corrupted inputs tried")
    formats = sorted({key[0] for key in tried})
    for fmt in formats:
        outcomes: dict[str, int] = {}
        for (name, _, outcome), count in tried.items():
            if name == fmt:
                outcomes[outcome] = outcomes.get(outcome, 0) + count
        total = sum(outcomes.values())
        details = ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items()))
        terminalreporter.write_line(f"{fmt}: {total} ({details})")
    terminalreporter.write_line(f"total: {sum(tried.values())}")


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> Path:
    """The synthetic demo dataset (MTOP format, ids shared) for English and German, small."""
    from benchmarks.demo.generate import write_demo_dataset

    directory = tmp_path_factory.mktemp("demo-data")
    write_demo_dataset(directory, train_size=40, test_size=20, eval_size=10, languages=("en", "de"))
    return directory


@pytest.fixture(scope="session")
def demo_encoder_dir(tmp_path_factory, demo_data_dir) -> Path:
    """A tiny random encoder whose vocabulary holds the demo files' words."""
    from xalign.testing import save_tiny_encoder

    words = set()
    for path in demo_data_dir.glob("*/*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(line.split("\t")[3].split())
    return save_tiny_encoder(tmp_path_factory.mktemp("demo-encoder"), sorted(words))


def runner_arguments(data_dir: Path, encoder_dir: Path, output: Path, *extra: str) -> list[str]:
    """``benchmarks.run`` flags for a small run: zero-shot and XeroAlign to German, 2 epochs of 5 steps."""
    return ["--dataset", "mtop", "--data-dir", str(data_dir), "--encoder", str(encoder_dir), "--languages", "de",
            "--modes", "zero-shot,xeroalign", "--epochs", "2", "--batch-size", "8", "--max-length", "32",
            "--device", "cpu", "--checkpoint-every", "1", "--no-progress", "--output", str(output), *extra]


@pytest.fixture
def call_runner(capsys):
    """Run ``benchmarks.run.main`` in this process; returns (exit code, stderr). Restores logging."""

    def call(arguments: list[str]) -> tuple[int, str]:
        from benchmarks.run import main

        code = main(arguments)
        return code, capsys.readouterr().err

    with restored_logging():
        yield call
