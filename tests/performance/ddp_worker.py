"""``torchrun --nproc_per_node 2 ddp_worker.py ENCODER_DIR OUT_DIR``: one rank of the DDP test.

Trains the shared case at batch 2 per rank (with and without gradient accumulation) and
saves every rank's parameters, so the test can check the ranks agree with each other and
with a single process at batch 4.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ddp_case import CASES, train  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    encoder_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    rank = int(os.environ["RANK"])
    for name, accumulation, epochs, count in CASES:
        assembly, result = train(encoder_dir, 2, accumulation, epochs, count, output_dir=out_dir / f"run-{name}")
        state = {key: tensor.detach().clone() for key, tensor in assembly.state_dict().items()}
        torch.save(state, out_dir / f"rank{rank}-{name}.pt")
        summary = {"steps": result.steps, "pairs": result.pairs, "model_dir": str(result.model_dir) if result.model_dir else None,
                   "train_loss": result.history[-1]["train_loss"] if result.history else None}
        (out_dir / f"rank{rank}-{name}.json").write_text(json.dumps(summary))
    torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main()
