"""Training checkpoints: everything needed to continue a run exactly, written atomically.

A checkpoint is a directory ``checkpoints/step-<global step>/`` holding the assembly
(``model.safetensors``), the optimizer and scheduler states and the RNG states
(``state.pt``, loaded with ``weights_only=True``, never as a pickle), and
``trainer_state.json`` (epoch, position in the epoch, counters), written last.
The directory is built under a temporary name and renamed into place; a directory without
``trainer_state.json`` is incomplete and ignored. The newest ``keep`` are kept.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import torch
from safetensors.torch import load_model, save_model

from xalign.errors import ConfigError, TrainingError

STATE_FILE = "trainer_state.json"


@attrs.define
class TrainerState:
    """Where the loop stands; saved with every checkpoint."""

    epoch: int = 0  # current epoch (0-based)
    batch_in_epoch: int = 0  # optimizer steps already taken in this epoch
    global_step: int = 0  # optimizer steps in total
    skipped_nonfinite: int = 0
    truncated_rows: int = 0  # training rows cut to max_length so far (this process's count starts here)
    loss_sums: dict[str, float] = attrs.Factory(dict)  # running sums of this epoch's loss components
    loss_count: int = 0
    history: list[dict[str, Any]] = attrs.Factory(list)  # per-epoch metrics so far


def rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _state_for_disk(state: dict[str, Any]) -> dict[str, Any]:
    # numpy's state holds an ndarray; store it as a tensor so weights_only loading accepts it.
    kind, keys, position, has_gauss, cached = state["numpy"]
    return {**state, "numpy": (kind, torch.from_numpy(np.asarray(keys, dtype=np.int64)), position, has_gauss, cached)}


def _state_from_disk(state: dict[str, Any]) -> dict[str, Any]:
    kind, keys, position, has_gauss, cached = state["numpy"]
    return {**state, "numpy": (kind, keys.numpy().astype(np.uint32), position, has_gauss, cached)}


def save_checkpoint(directory: Path, model: torch.nn.Module, optimizer, scheduler, trainer_state: TrainerState, keep: int) -> Path:
    """Write ``directory/step-N`` atomically and prune older ones beyond ``keep``."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"step-{trainer_state.global_step:08d}"
    staging = Path(tempfile.mkdtemp(prefix=".incomplete-", dir=directory))
    try:
        save_model(model, str(staging / "model.safetensors"))
        torch.save(
            {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": _state_for_disk(rng_state())},
            staging / "state.pt",
        )
        (staging / STATE_FILE).write_text(json.dumps(attrs.asdict(trainer_state), indent=1), encoding="utf-8")
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    for old in complete_checkpoints(directory)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def complete_checkpoints(directory: Path) -> list[Path]:
    """Intact checkpoints, oldest first."""
    if not directory.is_dir():
        return []
    found = [path for path in directory.glob("step-*") if (path / STATE_FILE).is_file() and (path / "state.pt").is_file() and (path / "model.safetensors").is_file()]
    return sorted(found)


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer, scheduler) -> TrainerState:
    """Restore model, optimizer, scheduler and RNG states; returns the loop position."""
    try:
        load_model(model, str(path / "model.safetensors"), strict=True)
        state = torch.load(path / "state.pt", weights_only=True, map_location="cpu")
        trainer_state = TrainerState(**json.loads((path / STATE_FILE).read_text(encoding="utf-8")))
    except Exception as error:
        raise TrainingError(f"checkpoint {path} cannot be restored ({type(error).__name__}: {error}); delete it to resume from an older one") from None
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    restore_rng_state(_state_from_disk(state["rng"]))
    return trainer_state


def checkpoint_bytes(model: torch.nn.Module) -> int:
    """About the size of one checkpoint of ``model``: its weights and buffers, plus Adam's two
    moments (each the size of the parameter) for every trainable parameter."""
    weights = sum(tensor.numel() * tensor.element_size() for tensor in model.state_dict().values())
    moments = sum(2 * parameter.numel() * parameter.element_size() for parameter in model.parameters() if parameter.requires_grad)
    return weights + moments


def check_disk_space(directory: Path, model: torch.nn.Module) -> None:
    """Raise a :class:`ConfigError` now, before the first step, when ``directory`` has no room
    for one checkpoint; finding out at the first checkpoint would waste the steps before it."""
    needed = checkpoint_bytes(model)
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise ConfigError(
            f"not enough disk space for a checkpoint in {directory}: one needs about {needed:,} bytes "
            f"({needed / 2**20:.1f} MiB) and {free:,} bytes ({free / 2**20:.1f} MiB) are free; "
            "free some space or choose another output directory"
        )


def newest_loadable(directory: Path) -> Path | None:
    checkpoints = complete_checkpoints(directory)
    return checkpoints[-1] if checkpoints else None
