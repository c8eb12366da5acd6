"""Data-parallel training (gloo, 2 processes on the CPU) equals one process on the global batch.

The worker is launched with ``torchrun`` exactly as a user would launch a multi-GPU run;
each rank trains at batch 2, the single process here at batch 4, on the same examples:
plain, with gradient accumulation, with evaluation and best-model selection, and killed
(SIGKILL of rank 0) and resumed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ddp_case import (  # noqa: E402
    ENGLISH, EVEN_COUNT, GERMAN, KILL_AT_STEP, RESUME, RESUME_EPOCHS, SELECTION, SELECTION_EPOCHS, UNEVEN_COUNT, build, train,
)

pytestmark = pytest.mark.skipif(
    not torch.distributed.is_available() or not torch.distributed.is_gloo_available(), reason="needs torch.distributed with gloo"
)


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory) -> Path:
    from xalign.testing import save_tiny_encoder

    directory = save_tiny_encoder(tmp_path_factory.mktemp("encoder") / "tiny", ENGLISH + GERMAN)
    # No dropout inside the encoder either: random masks differ between processes.
    config_file = directory / "config.json"
    config = json.loads(config_file.read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config_file.write_text(json.dumps(config))
    return directory


def torchrun(encoder_dir: Path, out_dir: Path, mode: str) -> subprocess.CompletedProcess:
    launcher_variables = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    environment = {key: value for key, value in os.environ.items() if key not in launcher_variables}
    environment.update(OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(HERE / "ddp_worker.py"), str(encoder_dir), str(out_dir), mode]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)


def _succeeded(finished: subprocess.CompletedProcess) -> None:
    assert finished.returncode == 0, f"torchrun failed ({finished.returncode}):\n{finished.stdout[-3000:]}\n{finished.stderr[-6000:]}"


@pytest.fixture(scope="module")
def two_ranks(encoder_dir, tmp_path_factory) -> Path:
    """Run the worker on 2 gloo ranks; returns the folder holding each rank's parameters."""
    out_dir = tmp_path_factory.mktemp("ddp")
    _succeeded(torchrun(encoder_dir, out_dir, "cases"))
    return out_dir


@pytest.fixture(scope="module")
def killed_and_resumed(encoder_dir, tmp_path_factory) -> Path:
    """The resume case on 2 gloo ranks: rank 0 SIGKILLed at step KILL_AT_STEP, then resumed."""
    out_dir = tmp_path_factory.mktemp("ddp-resume")
    killed = torchrun(encoder_dir, out_dir, "kill")
    assert killed.returncode != 0 and "SIGKILL" in killed.stdout + killed.stderr, killed.stderr[-3000:]
    assert not (out_dir / "rank0-resume.json").exists() and not (out_dir / "rank1-resume.json").exists()
    _succeeded(torchrun(encoder_dir, out_dir, "resume"))
    return out_dir


def _rank(out_dir: Path, rank: int, case: str) -> tuple[dict, dict[str, torch.Tensor]]:
    summary = json.loads((out_dir / f"rank{rank}-{case}.json").read_text())
    return summary, torch.load(out_dir / f"rank{rank}-{case}.pt")


def _state(assembly) -> dict[str, torch.Tensor]:
    return {name: tensor.detach().clone() for name, tensor in assembly.state_dict().items()}


def _max_difference(left: dict[str, torch.Tensor], right: dict[str, torch.Tensor]) -> tuple[float, str]:
    assert left.keys() == right.keys()
    return max(((left[name] - right[name]).abs().max().item(), name) for name in left if left[name].is_floating_point())


@pytest.mark.parametrize("case,accumulation,epochs,count", [("plain", 1, 1, 16), ("accumulation", 2, 2, 16)])
def test_two_gloo_ranks_at_batch_2_end_with_the_parameters_of_one_process_at_batch_4(two_ranks, encoder_dir, case, accumulation, epochs, count):
    torch.set_num_threads(1)
    (summary0, rank0), (summary1, rank1) = _rank(two_ranks, 0, case), _rank(two_ranks, 1, case)
    initial = _state(build(encoder_dir)[0])
    assembly, single = train(encoder_dir, 4, accumulation, epochs, count)

    assert _max_difference(rank0, rank1)[0] == 0.0  # DDP keeps the replicas identical
    difference, name = _max_difference(rank0, _state(assembly))
    assert difference < 1e-6, f"{name} differs by {difference:.3g} from the single-process run"
    assert _max_difference(rank0, initial)[0] > 1e-4  # and training did move the parameters
    assert summary0["steps"] == summary1["steps"] == single.steps == count // 4 // accumulation * epochs
    assert summary0["pairs"] + summary1["pairs"] == single.pairs  # each rank trains on half of every global batch
    # Metrics are reduced across ranks: both report the global training loss.
    assert summary0["train_loss"] == summary1["train_loss"]
    for loss_name, value in summary0["train_loss"].items():
        assert value == pytest.approx(single.history[-1]["train_loss"][loss_name], rel=1e-5)


def test_only_rank_0_writes_the_run_directory(two_ranks):
    (summary0, _), (summary1, _) = _rank(two_ranks, 0, "plain"), _rank(two_ranks, 1, "plain")
    assert summary0["model_dir"] is not None and summary1["model_dir"] is None
    assert (two_ranks / "run-plain" / "model").is_dir() and (two_ranks / "run-plain" / "metrics.json").is_file()


def test_a_last_global_batch_too_small_for_every_rank_is_dropped(two_ranks):
    # 14 examples at a global batch of 4: the fourth batch (2 rows) would give each rank a
    # shard whose mean is not the global mean, so data-parallel runs train on 3 batches.
    (summary0, rank0), (summary1, rank1) = _rank(two_ranks, 0, "uneven"), _rank(two_ranks, 1, "uneven")
    assert UNEVEN_COUNT == 14
    assert summary0["steps"] == summary1["steps"] == 3
    assert summary0["pairs"] == summary1["pairs"] == 3 * 2
    assert _max_difference(rank0, rank1)[0] == 0.0


def test_data_parallel_searches_for_unused_parameters_only_when_one_gets_no_gradient(two_ranks):
    # The mean pooler leaves the encoder's own pooling layer unused: it is frozen, and every
    # other parameter gets a gradient on every batch, so DDP skips the per-step search.
    for case in ("plain", "accumulation", "uneven", "selection"):
        assert _rank(two_ranks, 0, case)[0]["wrapped"] == {"find_unused_parameters": False}


def test_two_ranks_evaluate_and_select_the_best_weights_as_one_process_does(two_ranks, encoder_dir):
    torch.set_num_threads(1)
    (summary0, rank0), (summary1, rank1) = _rank(two_ranks, 0, "selection"), _rank(two_ranks, 1, "selection")
    assembly, single = train(encoder_dir, 4, 1, SELECTION_EPOCHS, EVEN_COUNT, training=SELECTION, evaluated=True)
    assert [entry["step"] for entry in summary0["evaluations"]] == [entry["step"] for entry in single.evaluations] == [2, 4, 6, 8, 10, 12]
    for ours, theirs in zip(summary0["evaluations"], single.evaluations):
        assert ours["scores"]["en-dev"]["accuracy"] == pytest.approx(theirs["scores"]["en-dev"]["accuracy"])
    assert summary0["selected"] == single.selected and summary1["selected"] is None  # rank 0 evaluates and selects
    assert _max_difference(rank0, rank1)[0] == 0.0  # rank 1 was sent the selected weights
    difference, name = _max_difference(rank0, _state(assembly))
    assert difference < 1e-6, f"{name} differs by {difference:.3g} from the single-process run"
    lines = [json.loads(line) for line in (two_ranks / "run-selection" / "steps.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines if line["event"] == "step"] == list(range(1, 13))
    assert [line["step"] for line in lines if line["event"] == "eval"] == [2, 4, 6, 8, 10, 12]


def test_a_data_parallel_run_killed_and_resumed_ends_as_one_uninterrupted_process(killed_and_resumed, encoder_dir):
    torch.set_num_threads(1)
    (summary0, rank0), (summary1, rank1) = _rank(killed_and_resumed, 0, "resume"), _rank(killed_and_resumed, 1, "resume")
    assert summary0["resumed_from"].endswith(f"step-{KILL_AT_STEP - 1:08d}") and summary1["resumed_from"] == summary0["resumed_from"]
    assembly, single = train(encoder_dir, 4, 1, RESUME_EPOCHS, EVEN_COUNT, training=RESUME, evaluated=True)
    assert summary0["steps"] == summary1["steps"] == single.steps == 8
    assert _max_difference(rank0, rank1)[0] == 0.0
    difference, name = _max_difference(rank0, _state(assembly))
    assert difference < 1e-6, f"{name} differs by {difference:.3g} from the uninterrupted single-process run"
    assert [entry["step"] for entry in summary0["evaluations"]] == [2, 4, 6, 8] and summary0["selected"]["step"] == single.selected["step"]
    lines = [json.loads(line) for line in (killed_and_resumed / "run-resume" / "steps.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines if line["event"] == "step"] == list(range(1, 9))  # no step logged twice
