"""Training checkpoints: everything needed to continue a run exactly, written atomically.

A checkpoint is a directory ``checkpoints/step-<global step>/`` holding the assembly
(``model.safetensors``), the optimizer and scheduler states and the RNG states
(``state.pt``, loaded with ``weights_only=True``, never as a pickle),
``trainer_state.json`` (epoch, position in the epoch, counters) and ``checksums.json``
(size and SHA-256 of the three, see :mod:`xalign.checksums`), written last.
The directory is built under a temporary name (``.incomplete-*``) and renamed into place;
a directory without ``trainer_state.json`` is incomplete and ignored. The newest ``keep``
are kept.

Reading one checks everything before anything is restored: the checksums, that its
tensors have this model's shapes (they do not when the label set changed), and that the
trainer state is well formed and fits this run. A bad checkpoint is a
:class:`~xalign.errors.TrainingError` naming the file and what to delete. A failed write
(a full disk) is one too, and loses nothing: the checkpoint being written is removed, the
older ones are intact.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import attrs
import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_model, save_model

from xalign.checksums import manifest_problems, write_manifest
from xalign.errors import ConfigError, TrainingError, excerpt

STATE_FILE = "trainer_state.json"
STAGING_PREFIX = ".incomplete-"
FINAL_MODEL_ALLOWANCE = 64 * 2**20
"""Bytes allowed for what a saved model holds besides its weights (tokenizer, configs, card)."""

logger = logging.getLogger(__name__)

WRITE_ERRORS = (OSError, RuntimeError, SafetensorError)
"""What a failed write raises: ``OSError`` (ENOSPC, EIO...), torch's ``RuntimeError``
("PytorchStreamWriter failed writing file"), safetensors' own error."""


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
    evaluations: list[dict[str, Any]] = attrs.Factory(list)  # every evaluation so far (xalign.training.selection)
    selection: dict[str, Any] = attrs.Factory(dict)  # best step and score, patience, early stop (xalign.training.selection)
    grad_scaler: dict[str, Any] | None = None  # the fp16 gradient scaler's state (xalign.training.precision)

    @classmethod
    def from_json(cls, data: object) -> "TrainerState":
        """The state saved as ``data``; a ``ValueError`` naming the first field that is not as written."""
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, found {type(data).__name__}")
        known = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown field(s) {excerpt(', '.join(map(repr, unknown)), 120)}")
        for name in (field.name for field in attrs.fields(cls) if field.type in ("int", int)):  # the counters
            value = data.get(name, 0)
            if type(value) is not int or value < 0:  # bool is an int subclass: refused too
                raise ValueError(f"{name} must be a non-negative integer, found {excerpt(repr(value), 80)}")
        sums = data.get("loss_sums", {})
        if not isinstance(sums, dict) or not all(isinstance(k, str) and type(v) in (int, float) and math.isfinite(v) for k, v in sums.items()):
            raise ValueError("loss_sums must map loss names to finite numbers")
        history = data.get("history", [])
        if not isinstance(history, list) or not all(isinstance(entry, dict) for entry in history):
            raise ValueError("history must be a list of JSON objects, one per finished epoch")
        if [entry.get("epoch") for entry in history] != list(range(1, len(history) + 1)):
            raise ValueError("history must hold epochs 1, 2, ... in order, each once")
        evaluations = data.get("evaluations", [])
        if not isinstance(evaluations, list) or not all(isinstance(entry, dict) and type(entry.get("step")) is int for entry in evaluations):
            raise ValueError("evaluations must be a list of JSON objects with an integer step")
        if not isinstance(data.get("selection", {}), dict):
            raise ValueError("selection must be a JSON object")
        if data.get("grad_scaler") is not None and not isinstance(data["grad_scaler"], dict):
            raise ValueError("grad_scaler must be a JSON object or null")
        return cls(**data)


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
    """Write ``directory/step-N`` atomically and prune older ones beyond ``keep``.

    A write that fails (a full disk) raises a :class:`TrainingError` saying so; the
    half-written checkpoint is removed and the older ones are left as they were.
    """
    final = directory / f"step-{trainer_state.global_step:08d}"
    with reported_write_errors(f"checkpoint {final}", directory, checkpoint_bytes(model), newest_loadable(directory)):
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=directory))
        try:
            save_model(model, str(staging / "model.safetensors"))
            torch.save(
                {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": _state_for_disk(rng_state())},
                staging / "state.pt",
            )
            (staging / STATE_FILE).write_text(json.dumps(attrs.asdict(trainer_state), indent=1), encoding="utf-8")
            write_manifest(staging, ["model.safetensors", "state.pt", STATE_FILE])
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


def remove_stale_staging(directory: Path) -> list[Path]:
    """Remove the ``.incomplete-*`` folders a killed run left in ``directory``; the removed ones.

    Only for a caller that holds the run directory's lock: no live process writes there.
    """
    removed = []
    for staging in sorted(directory.glob(f"{STAGING_PREFIX}*")) if directory.is_dir() else []:
        if staging.is_dir() and not staging.is_symlink():
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
    return removed


def _damaged(path: Path, problem: str) -> TrainingError:
    return TrainingError(
        f"checkpoint {path} cannot be restored: {problem}. Delete {path} to resume from the checkpoint before it, "
        "or start again with overwrite=True (--overwrite)"
    )


def _check_shapes(path: Path, model: torch.nn.Module) -> None:
    """Refuse a checkpoint whose tensors do not fit ``model``: every older checkpoint of the
    run has the same shapes, so the hint is the label set or the model settings, not an older one."""
    expected = {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}
    with safe_open(str(path / "model.safetensors"), framework="pt") as saved:
        shapes = {name: tuple(saved.get_slice(name).get_shape()) for name in saved.keys()}
    different = [f"{name}: {list(shapes[name])} in the checkpoint, {list(expected[name])} in this model" for name in sorted(shapes.keys() & expected.keys()) if shapes[name] != expected[name]]
    unexpected = sorted(shapes.keys() - expected.keys())
    if different or unexpected:
        detail = "; ".join(different[:3]) if different else f"tensors this model does not have: {', '.join(unexpected[:3])}"
        raise TrainingError(
            f"checkpoint {path} was written by a model of another shape ({detail}). The label set or the model "
            "settings changed since the run started (the labels come from the training data): restore the data and "
            "settings the run started with, or start again with overwrite=True (--overwrite)"
        )


def load_checkpoint(path: Path, model: torch.nn.Module, optimizer, scheduler) -> TrainerState:
    """Restore model, optimizer, scheduler and RNG states; returns the loop position.

    Checked before anything is restored: the checksums (when the checkpoint has them: those
    written before checksums were kept are restored unchecked), the tensor shapes and the
    trainer state's fields.
    """
    problems = manifest_problems(path)
    if problems:
        raise _damaged(path, "; ".join(problems))
    if problems is None:
        logger.warning("checkpoint %s has no checksums (written by an older xalign): restoring it unchecked", path)
    try:
        trainer_state = TrainerState.from_json(json.loads((path / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as error:
        raise _damaged(path, f"{path / STATE_FILE} is not as written ({error})") from None
    try:
        _check_shapes(path, model)
    except (OSError, SafetensorError) as error:
        raise _damaged(path, f"{path / 'model.safetensors'} is not a readable safetensors file ({str(error).splitlines()[0]})") from None
    try:
        load_model(model, str(path / "model.safetensors"), strict=True)
        state = torch.load(path / "state.pt", weights_only=True, map_location="cpu")
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        restore_rng_state(_state_from_disk(state["rng"]))
    except Exception as error:
        raise _damaged(path, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no detail'}") from None
    return trainer_state


def check_position(state: TrainerState, path: Path, epochs: int, steps_per_epoch: int, total_steps: int) -> None:
    """Refuse a restored ``state`` that cannot have been written by this run.

    The counters tie together: every batch taken was an optimizer step or a skipped one
    (``global_step + skipped_nonfinite == epoch * steps_per_epoch + batch_in_epoch``)
    until ``max_steps`` or early stopping cut an epoch short, and ``history`` holds one entry per finished
    epoch. An epoch out of range would otherwise end training early without a word.
    """
    consumed = state.epoch * steps_per_epoch + state.batch_in_epoch
    taken = state.global_step + state.skipped_nonfinite
    problem = None
    if state.epoch > epochs:
        problem = f"epoch {state.epoch} of a run of {epochs} epoch(s)"
    elif state.batch_in_epoch > steps_per_epoch:
        problem = f"step {state.batch_in_epoch} within an epoch of {steps_per_epoch} steps"
    elif state.global_step > total_steps:
        problem = f"global step {state.global_step} in a run of {total_steps} steps"
    elif len(state.history) != state.epoch:
        problem = f"{len(state.history)} finished epoch(s) in its history at epoch {state.epoch + 1}"
    elif taken > consumed or (taken < consumed and state.global_step < total_steps and not state.selection.get("stopped_early")):
        problem = (f"{state.global_step} steps and {state.skipped_nonfinite} skipped batches where epoch {state.epoch + 1}, "
                   f"batch {state.batch_in_epoch} of {steps_per_epoch} means {consumed} batches")
    if problem is not None:
        raise TrainingError(
            f"{path / STATE_FILE} does not fit this run: it says {problem}. The file is damaged, or the training data "
            f"or settings changed since it was written. Delete {path} to resume from the checkpoint before it, or start "
            "again with overwrite=True (--overwrite)"
        )


def checkpoint_bytes(model: torch.nn.Module) -> int:
    """About the size of one checkpoint of ``model``: its weights and buffers, plus Adam's two
    moments (each the size of the parameter) for every trainable parameter."""
    weights = sum(tensor.numel() * tensor.element_size() for tensor in model.state_dict().values())
    moments = sum(2 * parameter.numel() * parameter.element_size() for parameter in model.parameters() if parameter.requires_grad)
    return weights + moments


def final_model_bytes(model: torch.nn.Module) -> int:
    """About the size of the saved final model: its weights plus :data:`FINAL_MODEL_ALLOWANCE`."""
    return sum(tensor.numel() * tensor.element_size() for tensor in model.state_dict().values()) + FINAL_MODEL_ALLOWANCE


def saved_model_bytes(model: torch.nn.Module, precision: str = "fp32") -> int:
    """About the size of the final model saved at ``precision``: the encoder's floating-point
    weights at that precision, everything else as it is, plus :data:`FINAL_MODEL_ALLOWANCE`."""
    from xalign.persistence import SAVED_DTYPES

    stored = torch.empty((), dtype=SAVED_DTYPES[precision]).element_size()
    total = FINAL_MODEL_ALLOWANCE
    for name, tensor in model.state_dict().items():
        size = stored if name.startswith("encoder.") and tensor.is_floating_point() else tensor.element_size()
        total += tensor.numel() * size
    return total


def disk_plan(model: torch.nn.Module, config) -> tuple[int, int]:
    """``(peak, kept)`` bytes of one training run of ``model`` under ``config`` (a
    TrainingConfig): at its peak it holds ``keep_checkpoints`` checkpoints, the one being
    written and the final model; once finished it keeps the final model (and the
    checkpoints, when ``keep_checkpoints_after_training``)."""
    model_bytes = saved_model_bytes(model, config.save_precision)
    kept = model_bytes + (config.keep_checkpoints * checkpoint_bytes(model) if config.keep_checkpoints_after_training else 0)
    return (config.keep_checkpoints + 1) * checkpoint_bytes(model) + model_bytes, kept


def disk_space_needed(directory: Path, model: torch.nn.Module, keep: int) -> int:
    """Bytes a run writing to ``directory`` still needs at its peak: ``keep`` checkpoints plus
    the one being written (pruning follows the write), less those already there, plus the final model."""
    present = len(complete_checkpoints(directory / "checkpoints"))
    return max(keep + 1 - present, 1) * checkpoint_bytes(model) + final_model_bytes(model)


def check_disk_space(directory: Path, model: torch.nn.Module, keep: int = 1) -> None:
    """Raise a :class:`ConfigError` now, before the first step, when ``directory`` has no room
    for what the run will write; finding out at the first checkpoint would waste the steps before it."""
    needed = disk_space_needed(directory, model, keep)
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise ConfigError(
            f"not enough disk space in {directory}: the run needs about {needed:,} bytes ({needed / 2**20:.1f} MiB: "
            f"{keep} kept checkpoint(s) plus the one being written, {checkpoint_bytes(model) / 2**20:.1f} MiB each, "
            f"and the final model) and {free:,} bytes ({free / 2**20:.1f} MiB) are free; free some space, "
            "lower keep_checkpoints, or choose another output directory"
        )


def _free_bytes(directory: Path) -> int | None:
    for candidate in (directory, *directory.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


@contextlib.contextmanager
def reported_write_errors(what: str, directory: Path, needed: int, kept: Path | None) -> Iterator[None]:
    """Turn a failed write of ``what`` into a :class:`TrainingError` that says how full the
    disk is, that nothing written before was lost (``kept``: the newest intact checkpoint)
    and how to go on."""
    try:
        yield
    except WRITE_ERRORS as error:
        free = _free_bytes(directory)
        full = (isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)) or (free is not None and free < needed)
        cause = "the disk is full" if full else f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no detail'}"
        space = f"{free:,} bytes are free there and it needs about {needed:,}" if free is not None else f"it needs about {needed:,} bytes"
        safe = f"the newest checkpoint, {kept}, is intact" if kept is not None else "no checkpoint was written before this one"
        raise TrainingError(
            f"writing {what} failed ({cause}; {space}). Nothing was lost: {safe}. "
            "Free some space (or fix the folder), then resume with resume=True (--resume) and the same output directory"
        ) from error


def newest_loadable(directory: Path) -> Path | None:
    checkpoints = complete_checkpoints(directory)
    return checkpoints[-1] if checkpoints else None
