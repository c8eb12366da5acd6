"""``torchrun --nproc_per_node 2 ddp_worker.py ENCODER_DIR OUT_DIR [MODE]``: one rank of the DDP test.

MODE ``cases`` (the default) trains the shared case at batch 2 per rank (with and without
gradient accumulation, with an uneven last batch, and with evaluation and best-model
selection) and saves every rank's parameters, so the test can check the ranks agree with
each other and with a single process at batch 4. MODE ``kill`` trains the resume case and
kills rank 0 with SIGKILL at step ``KILL_AT_STEP`` (torchrun then stops rank 1); MODE
``resume`` resumes it to the end.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import torch
from torch.nn import parallel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ddp_case import CASES, EVEN_COUNT, KILL_AT_STEP, RESUME, RESUME_EPOCHS, SELECTION, SELECTION_EPOCHS, train  # noqa: E402

WRAPPED: list[dict] = []  # the keyword arguments each DistributedDataParallel was built with


class RecordingDDP(parallel.DistributedDataParallel):
    def __init__(self, *args, **kwargs):
        WRAPPED.append({"find_unused_parameters": kwargs.get("find_unused_parameters")})
        super().__init__(*args, **kwargs)


class KillAtStep:
    """SIGKILLs this process when ``step`` is logged (rank 0 is the one that logs)."""

    def on_step(self, record):
        if record["step"] == KILL_AT_STEP:
            os.kill(os.getpid(), signal.SIGKILL)

    def on_eval(self, record):
        pass

    def close(self):
        pass


def save(out_dir: Path, rank: int, name: str, assembly, result) -> None:
    state = {key: tensor.detach().clone() for key, tensor in assembly.state_dict().items()}
    torch.save(state, out_dir / f"rank{rank}-{name}.pt")
    summary = {
        "steps": result.steps, "pairs": result.pairs, "model_dir": str(result.model_dir) if result.model_dir else None,
        "train_loss": result.history[-1]["train_loss"] if result.history else None, "evaluations": result.evaluations,
        "selected": result.selected, "resumed_from": result.resumed_from, "wrapped": WRAPPED[-1] if WRAPPED else None,
    }
    (out_dir / f"rank{rank}-{name}.json").write_text(json.dumps(summary))


def main() -> None:
    torch.set_num_threads(1)
    parallel.DistributedDataParallel = RecordingDDP  # the loop imports it from here when it wraps
    encoder_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "cases"
    rank = int(os.environ["RANK"])
    if mode == "cases":
        for name, accumulation, epochs, count in CASES:
            assembly, result = train(encoder_dir, 2, accumulation, epochs, count, output_dir=out_dir / f"run-{name}")
            save(out_dir, rank, name, assembly, result)
        assembly, result = train(encoder_dir, 2, 1, SELECTION_EPOCHS, EVEN_COUNT, output_dir=out_dir / "run-selection", training=SELECTION, evaluated=True)
        save(out_dir, rank, "selection", assembly, result)
    else:
        loggers = [KillAtStep()] if mode == "kill" else []
        assembly, result = train(
            encoder_dir, 2, 1, RESUME_EPOCHS, EVEN_COUNT, output_dir=out_dir / "run-resume", training=RESUME, evaluated=True,
            loggers=loggers, resume=mode == "resume",
        )
        save(out_dir, rank, "resume", assembly, result)
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
