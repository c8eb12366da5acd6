"""The XeroAlign training loop (Algorithm 1 of Gritta & Iacobacci 2021, done right).

Each optimizer step: the task loss on an English batch plus the alignment loss between the
pooled embeddings of those examples and of their translations, from one encoder call;
one backward pass. Readable top to bottom: :func:`train` sets the run up (``_setup*``),
:func:`_run_epoch` takes its steps (:func:`_loss_step` forward and backward,
:func:`_optimizer_step`, a checkpoint), :func:`_end_epoch` evaluates and checkpoints.
Batches come ready from :mod:`xalign.training.data`, the weighted total from
:mod:`xalign.training.objective`. Copy this file to change the recipe.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import attrs
import torch
from torch import nn
from tqdm.auto import tqdm

from xalign.assembly import Assembly
from xalign.builder import make_weighting
from xalign.config import TrainingConfig, XalignConfig
from xalign.data.examples import Translation
from xalign.errors import TrainingError
from xalign.inference import collator_for, evaluate
from xalign.persistence import load_weights, save_pretrained
from xalign.training import checkpoints, distributed
from xalign.training.data import TrainingData
from xalign.training.distributed import DistributedContext
from xalign.training.objective import XeroAlignObjective
from xalign.training.optimisation import make_optimizer, make_scheduler
from xalign.training.run_directory import COMPLETE_FILE, RunDirectory

logger = logging.getLogger(__name__)


class TrainingInterrupted(TrainingError):
    """SIGINT/SIGTERM arrived; a checkpoint was written and the run can be resumed."""

    def __init__(self, message: str, signal_number: int | None = None):
        super().__init__(message)
        self.signal_number = signal_number  # a command line exits with 128 + this, as shells do


@attrs.frozen(kw_only=True)
class TrainResult:
    output_dir: Path | None
    model_dir: Path | None
    history: list[dict]
    steps: int
    seconds: float
    skipped_nonfinite: int
    truncated_rows: int
    resumed_from: str | None = None  # the checkpoint resumed from, "complete" for a finished run, None for a fresh one
    real_tokens: int = 0  # non-pad positions the encoder processed (this process, this call)
    padded_tokens: int = 0  # all positions the encoder processed, padding included
    pairs: int = 0  # English training rows processed (this process, this call)


def seed_everything(seed: int) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class _StopSignals:
    """Turns SIGINT/SIGTERM into a flag checked between steps (main thread only)."""

    def __init__(self):
        self.received: int | None = None
        self._previous = {}

    def __enter__(self):
        import threading

        if threading.current_thread() is threading.main_thread():
            for number in (signal.SIGINT, signal.SIGTERM):
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def _handle(self, number, frame):
        if self.received is not None:  # a second signal: stop now
            raise KeyboardInterrupt
        self.received = number
        print(f"\nxalign: received {signal.Signals(number).name}; finishing this step and writing a checkpoint", file=sys.stderr)

    def __exit__(self, *exc):
        for number, handler in self._previous.items():
            signal.signal(number, handler)


@attrs.define
class _Counts:
    """What this process encoded in this call: reported in the result, never checkpointed."""

    real_tokens: int = 0
    padded_tokens: int = 0
    pairs: int = 0

    def add(self, batch: dict) -> None:
        self.real_tokens += int(batch["attention_mask"].sum())
        self.padded_tokens += batch["attention_mask"].numel()
        self.pairs += batch["num_labelled"]  # labelled English rows (not the random alignment batch's)


@attrs.frozen(kw_only=True)
class _Run:
    """What a run is made of, set up once; the loop's position lives in a :class:`TrainerState`."""

    assembly: Assembly
    config: TrainingConfig
    saved_config: XalignConfig  # the assembly's config with ``config`` as its training part
    objective: XeroAlignObjective
    model: nn.Module  # the objective, or DistributedDataParallel around it
    data: TrainingData
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    total_steps: int
    autocast_dtype: torch.dtype | None
    run_dir: RunDirectory | None
    eval_sets: dict[str, Sequence]
    context: DistributedContext
    device: torch.device
    resumed_from: str | None  # the checkpoint this call started from
    truncated_before: int  # rows truncated before that checkpoint (counted by the process that wrote it)
    counts: _Counts = attrs.Factory(_Counts)


def train(
    assembly: Assembly,
    train_examples: Sequence,
    translations: Mapping[str, Mapping[str, Translation]] | None = None,
    config: TrainingConfig | None = None,
    output_dir: str | Path | None = None,
    eval_sets: Mapping[str, Sequence] | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> TrainResult:
    """Train ``assembly`` with XeroAlign on English ``train_examples`` and their ``translations``.

    ``translations[language][example_id]`` holds the translation of an English example;
    an empty mapping trains the task alone (the zero-shot baseline). ``config`` defaults to
    ``assembly.config.training``; the assembly's config is left as it is, and the config
    saved with the run and its model holds the one used. ``eval_sets`` are scored after
    every epoch. With ``output_dir``, the config, per-epoch metrics (``metrics.jsonl``),
    checkpoints and the final model (``model/``) are written there.
    """
    config = config or assembly.config.training
    context, device = distributed.setup(config.device)
    run_dir = RunDirectory(output_dir, resume=resume, overwrite=overwrite) if output_dir is not None else None
    if run_dir is not None and context.is_main:
        run_dir.open()
    try:
        if run_dir is not None and resume and run_dir.is_complete():
            return _finished_run(assembly, run_dir)
        seed_everything(config.seed)
        objective, model = _setup_model(assembly, config, context, device)
        data = TrainingData(list(train_examples), translations or {}, collator_for(assembly), config, context.rank, context.world_size)
        optimizer, scheduler, total_steps = _setup_optimizer(objective, config, data.steps_per_epoch, device)
        saved_config = attrs.evolve(assembly.config, training=config)
        if run_dir is not None and context.is_main:
            run_dir.write_json("config.json", saved_config.to_dict())
            checkpoints.check_disk_space(run_dir.path, objective)  # fail now, not at the first checkpoint
        state, resumed_from = _restore(run_dir, resume, objective, optimizer, scheduler)
        run = _Run(
            assembly=assembly, config=config, saved_config=saved_config, objective=objective, model=model, data=data,
            optimizer=optimizer, scheduler=scheduler, total_steps=total_steps, autocast_dtype=_autocast_dtype(config, device),
            run_dir=run_dir, eval_sets=dict(eval_sets or {}), context=context, device=device,
            resumed_from=resumed_from, truncated_before=state.truncated_rows,
        )
        started = time.perf_counter()
        with _StopSignals() as signals:
            while state.epoch < config.epochs and state.global_step < total_steps:
                epoch_started = time.perf_counter()
                if _run_epoch(run, state, signals):
                    _write_checkpoint(run, state)
                    raise _interrupted(run, state, signals.received)
                _end_epoch(run, state, epoch_started)
        return _finish(run, state, time.perf_counter() - started)
    finally:
        if run_dir is not None:
            run_dir.close()


def _setup_model(assembly: Assembly, config: TrainingConfig, context: DistributedContext, device: torch.device) -> tuple[XeroAlignObjective, nn.Module]:
    """The objective over the assembly on ``device`` (and its DDP wrapper in a data-parallel run)."""
    assembly.to(device)
    assembly.train()
    # The assembly's weighting was built with it from its config; a run with another one
    # gets its own, from the registry.
    weighting = None if config.weighting == assembly.config.training.weighting else make_weighting(config.weighting)
    objective = XeroAlignObjective(assembly, config.alignment_weight, weighting)
    if not context.enabled:
        return objective, objective
    from torch.nn.parallel import DistributedDataParallel

    # Some parameters get no gradient by design (the encoder's own pooler when another
    # pooler is chosen; an aligner's parameters on a batch without translations), so DDP
    # must look for them rather than wait for their gradients forever.
    device_ids = [device.index] if device.type == "cuda" else None
    return objective, DistributedDataParallel(objective, device_ids=device_ids, find_unused_parameters=True)


def _setup_optimizer(objective: nn.Module, config: TrainingConfig, steps_per_epoch: int, device: torch.device):
    """The optimizer, its learning-rate schedule, and the number of optimizer steps it is laid out for."""
    total_steps = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    optimizer = make_optimizer(objective, config, device)
    return optimizer, make_scheduler(optimizer, config, total_steps), total_steps


def _autocast_dtype(config: TrainingConfig, device: torch.device) -> torch.dtype | None:
    use_bf16 = config.precision == "bf16" or (config.precision == "auto" and device.type == "cuda")
    return torch.bfloat16 if use_bf16 else None


def _restore(run_dir: RunDirectory | None, resume: bool, objective: nn.Module, optimizer, scheduler) -> tuple[checkpoints.TrainerState, str | None]:
    """With ``resume``, the newest checkpoint loaded (model, optimizer, schedule, RNG): the loop position and its path."""
    newest = checkpoints.newest_loadable(run_dir.checkpoints) if run_dir is not None and resume else None
    if newest is None:
        return checkpoints.TrainerState(), None
    state = checkpoints.load_checkpoint(newest, objective, optimizer, scheduler)
    logger.info("resuming from %s (epoch %d, step %d)", newest, state.epoch + 1, state.global_step)
    return state, str(newest)


def _run_epoch(run: _Run, state: checkpoints.TrainerState, signals: _StopSignals) -> bool:
    """The optimizer steps left in ``state.epoch``; True when a stop signal ended the epoch early."""
    config = run.config
    bar = tqdm(
        total=run.data.steps_per_epoch, initial=state.batch_in_epoch, desc=f"epoch {state.epoch + 1}/{config.epochs}",
        disable=not (config.progress and run.context.is_main), dynamic_ncols=True, leave=False,
    )
    steps = run.data.epoch(state.epoch, start=state.batch_in_epoch)
    with contextlib.closing(bar):
        while state.global_step < run.total_steps:
            batches = next(steps, None)  # collated only when the step is taken
            if batches is None:
                break
            run.optimizer.zero_grad(set_to_none=True)
            losses, finite = _loss_step(run, batches)
            if distributed.any_rank(not finite, run.context, run.device):
                _skip_nonfinite(run, state, losses)
            else:
                _optimizer_step(run, state, losses)
                bar.set_postfix({name: f"{total / state.loss_count:.3f}" for name, total in state.loss_sums.items()}, refresh=False)
                if config.checkpoint_every and state.global_step % config.checkpoint_every == 0:
                    _write_checkpoint(run, state)
            bar.update(1)
            if distributed.any_rank(signals.received is not None, run.context, run.device):
                return True
    return False


def _loss_step(run: _Run, batches: list[dict]) -> tuple[dict[str, float], bool]:
    """Forward and backward over one step's micro-batches: their mean losses, and whether every total was finite.

    Gradients accumulate over the micro-batches, each total scaled by ``1 / len(batches)``;
    a data-parallel run synchronises them only on the last one (``no_sync`` before it).
    """
    losses: dict[str, float] = {}
    finite = True
    for index, batch in enumerate(batches):
        batch = _to_device(batch, run.device)
        run.counts.add(batch)
        last = index == len(batches) - 1
        with contextlib.nullcontext() if last or not run.context.enabled else run.model.no_sync():
            with torch.autocast(run.device.type, dtype=run.autocast_dtype, enabled=run.autocast_dtype is not None):
                total, parts = run.model(batch)
            finite = finite and bool(torch.isfinite(total.detach()))
            (total / len(batches)).backward()
        for name, loss in parts.items():
            losses[name] = losses.get(name, 0.0) + float(loss.detach()) / len(batches)
    return losses, finite


def _to_device(batch: dict, device: torch.device) -> dict:
    non_blocking = device.type == "cuda"
    return {key: value.to(device, non_blocking=non_blocking) if isinstance(value, torch.Tensor) else value for key, value in batch.items()}


def _optimizer_step(run: _Run, state: checkpoints.TrainerState, losses: dict[str, float]) -> None:
    """Clip, step the optimizer and the schedule, and count the step's losses into the epoch's means."""
    if run.config.max_grad_norm > 0:
        torch.nn.utils.clip_grad_norm_(run.objective.parameters(), run.config.max_grad_norm)
    run.optimizer.step()
    run.scheduler.step()
    state.global_step += 1
    state.batch_in_epoch += 1
    for name, value in losses.items():
        state.loss_sums[name] = state.loss_sums.get(name, 0.0) + value
    state.loss_count += 1


def _skip_nonfinite(run: _Run, state: checkpoints.TrainerState, losses: dict[str, float]) -> None:
    """A step whose loss is NaN or infinite on any rank: skipped (``on_nonfinite='skip'``) or fatal."""
    components = ", ".join(f"{name}={value:.4g}" for name, value in losses.items())
    if run.config.on_nonfinite != "skip":
        raise TrainingError(
            f"non-finite loss at epoch {state.epoch + 1}, step {state.global_step + 1}: {components}. "
            "The last good checkpoint is kept; lower the learning rate, or set on_nonfinite='skip' to skip such batches."
        )
    state.skipped_nonfinite += 1
    run.optimizer.zero_grad(set_to_none=True)
    logger.warning("non-finite loss at step %d (%s): batch skipped (%d so far)", state.global_step + 1, components, state.skipped_nonfinite)
    state.batch_in_epoch += 1


def _end_epoch(run: _Run, state: checkpoints.TrainerState, epoch_started: float) -> None:
    """Average the epoch's losses over ranks, evaluate, log, record the epoch and checkpoint."""
    mean_losses = {name: value / max(state.loss_count, 1) for name, value in state.loss_sums.items()}
    entry = {"epoch": state.epoch + 1, "step": state.global_step, "train_loss": distributed.all_reduce_mean(mean_losses, run.context, run.device)}
    if run.eval_sets and run.context.is_main:
        entry["eval"] = {name: evaluate(run.assembly, examples, run.config.eval_batch_size, run.autocast_dtype) for name, examples in run.eval_sets.items()}
    entry["epoch_seconds"] = round(time.perf_counter() - epoch_started, 3)
    state.history.append(entry)
    _log_epoch(entry)
    state.epoch += 1
    state.batch_in_epoch = 0
    state.loss_sums, state.loss_count = {}, 0
    if run.run_dir is not None and run.context.is_main:
        run.run_dir.rewrite_history(state.history)
    _write_checkpoint(run, state)


def _log_epoch(entry: dict) -> None:
    parts = [f"epoch {entry['epoch']}", "loss " + " ".join(f"{k}={v:.4f}" for k, v in entry["train_loss"].items())]
    for name, scores in entry.get("eval", {}).items():
        parts.append(f"{name}: " + " ".join(f"{k}={v:.4f}" for k, v in scores.items()))
    logger.info(" | ".join(parts))


def _write_checkpoint(run: _Run, state: checkpoints.TrainerState) -> None:
    if run.run_dir is not None and run.context.is_main:
        state.truncated_rows = run.truncated_before + run.data.truncated_rows
        checkpoints.save_checkpoint(run.run_dir.checkpoints, run.objective, run.optimizer, run.scheduler, state, run.config.keep_checkpoints)


def _interrupted(run: _Run, state: checkpoints.TrainerState, signal_number: int | None) -> TrainingInterrupted:
    where = run.run_dir.path if run.run_dir is not None else None
    return TrainingInterrupted(
        f"training stopped by signal at epoch {state.epoch + 1}, step {state.global_step}"
        + (f"; a checkpoint is in {where / 'checkpoints'}. Resume with resume=True (--resume) and the same output directory." if where else "; no output directory was given, so nothing was saved."),
        signal_number,
    )


def _finish(run: _Run, state: checkpoints.TrainerState, seconds: float) -> TrainResult:
    """Save the final model (with the config trained with) and the run's summary; the result."""
    truncated_rows = run.truncated_before + run.data.truncated_rows
    model_dir = None
    if run.run_dir is not None and run.context.is_main:
        model_dir = save_pretrained(run.assembly, run.run_dir.model, config=run.saved_config)
        summary = {
            "history": state.history, "steps": state.global_step, "seconds": round(seconds, 3),
            "skipped_nonfinite": state.skipped_nonfinite, "truncated_rows": truncated_rows,
        }
        run.run_dir.write_json("metrics.json", summary)
        run.run_dir.write_json(COMPLETE_FILE, summary)
    if run.context.enabled:
        torch.distributed.barrier()
    return TrainResult(
        output_dir=run.run_dir.path if run.run_dir is not None else None, model_dir=model_dir, history=state.history,
        steps=state.global_step, seconds=seconds, skipped_nonfinite=state.skipped_nonfinite, truncated_rows=truncated_rows,
        resumed_from=run.resumed_from, real_tokens=run.counts.real_tokens, padded_tokens=run.counts.padded_tokens, pairs=run.counts.pairs,
    )


def _finished_run(assembly: Assembly, run_dir: RunDirectory) -> TrainResult:
    """A finished run asked to resume: its final model loaded into ``assembly``, its summary as the result."""
    finished = run_dir.read_json(COMPLETE_FILE)
    logger.info("%s: run already complete, loading its final model instead of training", run_dir.path)
    load_weights(assembly, run_dir.model)
    return TrainResult(
        output_dir=run_dir.path, model_dir=run_dir.model, history=finished["history"], steps=finished["steps"],
        seconds=finished["seconds"], skipped_nonfinite=finished["skipped_nonfinite"], truncated_rows=finished["truncated_rows"],
        resumed_from="complete",
    )
