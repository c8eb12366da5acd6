"""Data-parallel training (gloo, 2 processes on the CPU) equals one process on the global batch.

The worker is launched with ``torchrun`` exactly as a user would launch a multi-GPU run;
each rank trains at batch 2, the single process here at batch 4, on the same examples.
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

from ddp_case import ENGLISH, GERMAN, UNEVEN_COUNT, build, train  # noqa: E402

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


@pytest.fixture(scope="module")
def two_ranks(encoder_dir, tmp_path_factory) -> Path:
    """Run the worker on 2 gloo ranks; returns the folder holding each rank's parameters."""
    out_dir = tmp_path_factory.mktemp("ddp")
    launcher_variables = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")
    environment = {key: value for key, value in os.environ.items() if key not in launcher_variables}
    environment.update(OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(HERE / "ddp_worker.py"), str(encoder_dir), str(out_dir)]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=240)
    assert finished.returncode == 0, f"torchrun failed ({finished.returncode}):\n{finished.stdout[-3000:]}\n{finished.stderr[-6000:]}"
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
