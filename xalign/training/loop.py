"""The XeroAlign training loop (Algorithm 1 of Gritta & Iacobacci 2021, done right).

Each optimizer step: the task loss on an English batch plus the alignment loss between the
pooled embeddings of those examples and of their translations, from one encoder call;
one backward pass. Readable top to bottom: :func:`train` sets the run up (``_setup*``),
:func:`_run_epoch` takes its steps (:func:`_loss_step` forward and backward,
:func:`_optimizer_step`, :func:`_log_step`, an evaluation when one is due, a checkpoint),
:func:`_end_epoch` evaluates when due and checkpoints, :func:`_finish` keeps the selected
weights. Batches come ready from :mod:`xalign.training.data`, the weighted total from
:mod:`xalign.training.objective`, the precision from :mod:`xalign.training.precision`;
model selection and early stopping are :mod:`xalign.training.selection`'s, the step log and
the loggers :mod:`xalign.training.tracking`'s. Copy this file to change the recipe.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
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
from xalign.model_card import TrainingSummary
from xalign.persistence import SAVED_DTYPES, load_weights, round_weights, save_pretrained
from xalign.training import checkpoints, distributed
from xalign.training.data import TrainingData
from xalign.training.distributed import DistributedContext
from xalign.training.objective import XeroAlignObjective
from xalign.training.optimisation import make_optimizer, make_scheduler
from xalign.training.precision import Precision, resolve_precision
from xalign.training.run_directory import COMPLETE_FILE, RunDirectory
from xalign.training.selection import BEST_DIRECTORY, ModelSelection, metric_name, selection_set
from xalign.training.tracking import LoggerRequest, Tracking, start_tracking

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
    evaluations: list[dict] = attrs.Factory(list)  # every evaluation: {"step", "epoch", "scores": {set: {metric: value}}, ...}
    selected: dict | None = None  # the weights kept: {"rule": "best" | "last", "step", "metric", "score"} (main process)
    stopped_early: bool = False  # early stopping ended the run before its last step
    translation_counts: dict = attrs.Factory(dict)  # language -> English examples its translations pair with


def _summary(data: TrainingData) -> TrainingSummary:
    """What the model was trained on, for its model card."""
    return TrainingSummary(
        languages=tuple(sorted({item.example.language for item in data.items})),
        aligned_languages=tuple(language for language, count in data.translation_counts.items() if count),
        examples=len(data.items),
    )


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
    precision: Precision
    run_dir: RunDirectory | None
    eval_sets: dict[str, Sequence]
    selection: ModelSelection
    tracking: Tracking
    context: DistributedContext
    device: torch.device
    resumed_from: str | None  # the checkpoint this call started from
    truncated_before: int  # rows truncated before that checkpoint (counted by the process that wrote it)
    counts: _Counts = attrs.Factory(_Counts)

    @property
    def autocast_dtype(self) -> torch.dtype | None:
        return self.precision.autocast_dtype


def train(
    assembly: Assembly,
    train_examples: Sequence,
    translations: Mapping[str, Mapping[str, Translation]] | None = None,
    config: TrainingConfig | None = None,
    output_dir: str | Path | None = None,
    eval_sets: Mapping[str, Sequence] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    loggers: Sequence[object] = (),
) -> TrainResult:
    """Train ``assembly`` with XeroAlign on English ``train_examples`` and their ``translations``.

    ``translations[language][example_id]`` holds the translation of an English example;
    an empty mapping trains the task alone (the zero-shot baseline). ``config`` defaults to
    ``assembly.config.training``; the assembly's config is left as it is, and the config
    saved with the run and its model holds the one used. ``eval_sets`` (``{name: examples}``)
    are scored every ``config.eval_every`` steps or every epoch; with ``config.selection =
    "best"`` the assembly ends with (and ``model/`` holds) the weights of the best evaluation
    on ``config.selection_metric``, and ``config.early_stopping_patience`` may end the run
    early. ``loggers`` are logger objects (``on_step``, ``on_eval``, ``close``) fed besides
    those named in ``config.loggers``. With ``output_dir``, the config, per-epoch metrics
    (``metrics.jsonl``), the step log (``steps.jsonl``), checkpoints and the final model
    (``model/``) are written there.
    """
    config = config or assembly.config.training
    eval_sets = dict(eval_sets or {})
    selected_set = selection_set(config, eval_sets)  # a bad selection fails before any weights move
    context, device = distributed.setup(config.device)
    run_dir = RunDirectory(output_dir, resume=resume, overwrite=overwrite) if output_dir is not None else None
    if run_dir is not None and context.is_main:
        run_dir.open()
    tracking = selection = None
    try:
        if run_dir is not None and resume and run_dir.is_complete():
            return _finished_run(assembly, run_dir)
        seed_everything(config.seed)
        precision = resolve_precision(config, device)
        data = TrainingData(list(train_examples), translations or {}, collator_for(assembly), config, context.rank, context.world_size)
        objective, model = _setup_model(assembly, config, context, device, data, precision)
        optimizer, scheduler, total_steps = _setup_optimizer(objective, config, data.steps_per_epoch, device)
        saved_config = attrs.evolve(assembly.config, training=config)
        if run_dir is not None and context.is_main:
            run_dir.write_json("config.json", saved_config.to_dict())
            checkpoints.check_disk_space(run_dir.path, objective, config.keep_checkpoints)  # fail now, not at the first checkpoint
        state, resumed_from = _restore(run_dir, resume, objective, optimizer, scheduler)
        if resumed_from is not None:  # a damaged or foreign trainer state must not end the run early
            checkpoints.check_position(state, Path(resumed_from), config.epochs, data.steps_per_epoch, total_steps)
        precision.load_state(state.grad_scaler)
        selection = _setup_selection(config, selected_set, run_dir, context, state, assembly, eval_sets)
        tracking = start_tracking(
            run_dir.path if run_dir is not None and context.is_main else None,
            LoggerRequest(output_dir=run_dir.path if run_dir is not None else None, config=saved_config, resumed_step=state.global_step),
            config.loggers, loggers, context.is_main,
        )
        run = _Run(
            assembly=assembly, config=config, saved_config=saved_config, objective=objective, model=model, data=data,
            optimizer=optimizer, scheduler=scheduler, total_steps=total_steps, precision=precision,
            run_dir=run_dir, eval_sets=eval_sets, selection=selection, tracking=tracking, context=context, device=device,
            resumed_from=resumed_from, truncated_before=state.truncated_rows,
        )
        started = time.perf_counter()
        with _StopSignals() as signals:
            # An epoch whose steps are all taken but which was not ended (a signal in its last
            # step, a kill just after it) is ended on resume: its record is not lost.
            while state.epoch < config.epochs and (state.batch_in_epoch > 0 or (state.global_step < total_steps and not _stopped(state))):
                epoch_started = time.perf_counter()
                if _run_epoch(run, state, signals):
                    _write_checkpoint(run, state)
                    raise _interrupted(run, state, signals.received)
                _end_epoch(run, state, epoch_started)
        return _finish(run, state, time.perf_counter() - started)
    finally:
        if tracking is not None:
            tracking.close()
        if selection is not None:
            selection.close()
        if run_dir is not None:
            run_dir.close()


def _stopped(state: checkpoints.TrainerState) -> bool:
    """Early stopping ended the run (on every rank: the main process's decision is shared)."""
    return bool(state.selection.get("stopped_early"))


def _setup_model(
    assembly: Assembly, config: TrainingConfig, context: DistributedContext, device: torch.device, data: TrainingData, precision: Precision,
) -> tuple[XeroAlignObjective, nn.Module]:
    """The objective over the assembly on ``device`` (and its DDP wrapper in a data-parallel run)."""
    assembly.to(device)
    assembly.train()
    # The assembly's weighting was built with it from its config; a run with another one
    # gets its own, from the registry.
    weighting = None if config.weighting == assembly.config.training.weighting else make_weighting(config.weighting)
    objective = XeroAlignObjective(assembly, config.alignment_weight, weighting)
    if not context.enabled:
        return objective, objective
    return objective, _data_parallel(objective, data, precision, context, device)


def _data_parallel(objective: XeroAlignObjective, data: TrainingData, precision: Precision, context: DistributedContext, device: torch.device) -> nn.Module:
    """DistributedDataParallel around ``objective``, searching for unused parameters only when needed.

    A dry run over the first batch finds the parameters that get no gradient. The encoder's
    own pooling layer, unused on every rank, is unused by design (another pooler was chosen)
    and is frozen, which changes nothing (it would never get a gradient) and spares DDP the
    search on every step. Any other unused parameter, or an aligner with parameters on data
    where some batches may hold no translation, needs ``find_unused_parameters=True``.
    """
    from torch.nn.parallel import DistributedDataParallel

    batch = _to_device(data.probe(), device)
    everywhere, somewhere = distributed.unused_parameters(objective, lambda: objective.probe_total(batch), precision.autocast_dtype, context, device)
    frozen = {name for name in everywhere if name.startswith("assembly.encoder.") and "pooler" in name.split(".")}
    for name, parameter in objective.named_parameters():
        if name in frozen:
            parameter.requires_grad_(False)
    aligner_trains = any(parameter.requires_grad for parameter in objective.assembly.aligner.parameters())
    find_unused = bool(somewhere - frozen) or (aligner_trains and data.has_untranslated_rows())
    if frozen or find_unused:
        logger.info("data parallel: %d unused pooler parameter(s) frozen; find_unused_parameters=%s%s", len(frozen), find_unused,
                    f" (no gradient: {', '.join(sorted(somewhere - frozen)[:5])})" if somewhere - frozen else "")
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(objective, device_ids=device_ids, find_unused_parameters=find_unused)


def _setup_selection(
    config: TrainingConfig, set_name: str | None, run_dir: RunDirectory | None, context: DistributedContext, state, assembly: Assembly, eval_sets: dict,
) -> ModelSelection:
    """Model selection on the main process (which evaluates); the other ranks only follow its early stop.

    A metric named in the config is checked now, on one example, not at the first evaluation."""
    if not context.is_main:
        return ModelSelection(config, None, None, None)
    if set_name is not None and config.selection_metric is not None and eval_sets[set_name]:
        metric_name(config, set_name, evaluate(assembly, list(eval_sets[set_name])[:1], 1))
    directory, kept = (run_dir.path / BEST_DIRECTORY, run_dir.checkpoints) if run_dir is not None else (None, None)
    selection = ModelSelection(config, set_name, directory, kept)
    selection.start(state)
    return selection


def _setup_optimizer(objective: nn.Module, config: TrainingConfig, steps_per_epoch: int, device: torch.device):
    """The optimizer, its learning-rate schedule, and the number of optimizer steps it is laid out for."""
    total_steps = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    optimizer = make_optimizer(objective, config, device)
    return optimizer, make_scheduler(optimizer, config, total_steps), total_steps


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
        while state.global_step < run.total_steps and not _stopped(state):
            started, tokens_before = time.perf_counter(), run.counts.real_tokens
            batches = next(steps, None)  # collated only when the step is taken
            if batches is None:
                break
            run.optimizer.zero_grad(set_to_none=True)
            run.objective.progress = state.global_step / run.total_steps  # for aligners that follow a schedule
            total, losses, finite = _loss_step(run, batches)
            if distributed.any_rank(not finite, run.context, run.device):
                _skip_nonfinite(run, state, losses)
            else:
                lr = _optimizer_step(run, state, losses)
                _log_step(run, state, total, losses, lr, run.counts.real_tokens - tokens_before, time.perf_counter() - started)
                bar.set_postfix({name: f"{total / state.loss_count:.3f}" for name, total in state.loss_sums.items()}, refresh=False)
                if config.eval_every is not None and state.global_step % config.eval_every == 0:
                    _evaluate(run, state)
                if config.checkpoint_every and state.global_step % config.checkpoint_every == 0:
                    _write_checkpoint(run, state)
            bar.update(1)
            if distributed.any_rank(signals.received is not None, run.context, run.device):
                return True
    return False


def _loss_step(run: _Run, batches: list[dict]) -> tuple[float, dict[str, float], bool]:
    """Forward and backward over one step's micro-batches: the mean weighted total, the mean
    losses, and whether every total was finite.

    Gradients accumulate over the micro-batches, each total scaled by ``1 / len(batches)``
    (and by the fp16 loss scale); a data-parallel run synchronises them only on the last one
    (``no_sync`` before it).
    """
    losses: dict[str, float] = {}
    mean_total = 0.0
    finite = True
    for index, batch in enumerate(batches):
        batch = _to_device(batch, run.device)
        run.counts.add(batch)
        last = index == len(batches) - 1
        with contextlib.nullcontext() if last or not run.context.enabled else run.model.no_sync():
            with torch.autocast(run.device.type, dtype=run.autocast_dtype, enabled=run.autocast_dtype is not None):
                total, parts = run.model(batch)
            finite = finite and bool(torch.isfinite(total.detach()))
            run.precision.scale(total / len(batches)).backward()
        mean_total += float(total.detach()) / len(batches)
        for name, loss in parts.items():
            losses[name] = losses.get(name, 0.0) + float(loss.detach()) / len(batches)
    return mean_total, losses, finite


def _to_device(batch: dict, device: torch.device) -> dict:
    non_blocking = device.type == "cuda"
    return {key: value.to(device, non_blocking=non_blocking) if isinstance(value, torch.Tensor) else value for key, value in batch.items()}


def _optimizer_step(run: _Run, state: checkpoints.TrainerState, losses: dict[str, float]) -> float:
    """Clip, step the optimizer and the schedule, and count the step's losses into the epoch's
    means; returns the learning rate the step used (the first parameter group's)."""
    lr = run.optimizer.param_groups[0]["lr"]
    run.precision.unscale(run.optimizer)
    if run.config.max_grad_norm > 0:
        torch.nn.utils.clip_grad_norm_(run.objective.parameters(), run.config.max_grad_norm)
    if not run.precision.step(run.optimizer):
        logger.info("fp16 gradients overflowed at step %d: update skipped, loss scale lowered", state.global_step + 1)
    run.scheduler.step()
    state.global_step += 1
    state.batch_in_epoch += 1
    for name, value in losses.items():
        state.loss_sums[name] = state.loss_sums.get(name, 0.0) + value
    state.loss_count += 1
    return lr


def _log_step(run: _Run, state: checkpoints.TrainerState, total: float, losses: dict[str, float], lr: float, real_tokens: int, seconds: float) -> None:
    """One step record (losses averaged over ranks, tokens summed) to the step log and the loggers."""
    reduced = distributed.all_reduce_mean({**losses, "\0total": total, "\0tokens": float(real_tokens)}, run.context, run.device)
    if not run.context.is_main:
        return
    tokens = round(reduced.pop("\0tokens") * run.context.world_size)
    total = reduced.pop("\0total")
    record = {
        "event": "step", "step": state.global_step, "epoch": state.epoch + 1, "loss": total, "losses": reduced, "lr": lr,
        "real_tokens": tokens, "tokens_per_second": round(tokens / max(seconds, 1e-9), 1), "seconds": round(seconds, 4),
    }
    if run.precision.scaler is not None:
        record["loss_scale"] = run.precision.scaler.get_scale()
    run.tracking.step(record)


def _evaluate(run: _Run, state: checkpoints.TrainerState) -> None:
    """Score the eval sets (main process), record the evaluation, keep a new best, and share an
    early stop with every rank."""
    if not run.eval_sets:
        return
    stop = False
    if run.context.is_main:
        started = time.perf_counter()
        scores = {name: evaluate(run.assembly, examples, run.config.eval_batch_size, run.autocast_dtype) for name, examples in run.eval_sets.items()}
        record = {"event": "eval", **run.selection.record(state, scores, run.assembly), "seconds": round(time.perf_counter() - started, 3)}
        run.tracking.evaluation(record)
        logger.info("step %d: %s", state.global_step, " | ".join(
            f"{name}: " + " ".join(f"{k}={v:.4f}" for k, v in values.items()) for name, values in scores.items()))
        stop = _stopped(state)
    if distributed.any_rank(stop, run.context, run.device):
        state.selection["stopped_early"] = True


def _evaluation_due_at_epoch_end(run: _Run, state: checkpoints.TrainerState) -> bool:
    """Every epoch end without ``eval_every``; with it, the run's last step unless just evaluated."""
    if run.config.eval_every is None:
        return True
    last = _stopped(state) or state.global_step >= run.total_steps or state.epoch + 1 >= run.config.epochs
    return last and state.global_step % run.config.eval_every != 0


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
    run.tracking.skip({"event": "skip", "step": state.global_step, "epoch": state.epoch + 1, "losses": losses})


def _end_epoch(run: _Run, state: checkpoints.TrainerState, epoch_started: float) -> None:
    """Average the epoch's losses over ranks, evaluate, log, record the epoch and checkpoint."""
    mean_losses = {name: value / max(state.loss_count, 1) for name, value in state.loss_sums.items()}
    entry = {"epoch": state.epoch + 1, "step": state.global_step, "train_loss": distributed.all_reduce_mean(mean_losses, run.context, run.device)}
    if _evaluation_due_at_epoch_end(run, state):
        _evaluate(run, state)
    if state.evaluations and state.evaluations[-1]["step"] == state.global_step:
        entry["eval"] = state.evaluations[-1]["scores"]
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
    # The epoch's evaluation, if any, was logged as it was made (_evaluate).
    logger.info("epoch %d | loss %s", entry["epoch"], " ".join(f"{k}={v:.4f}" for k, v in entry["train_loss"].items()))


def _write_checkpoint(run: _Run, state: checkpoints.TrainerState) -> None:
    if run.run_dir is not None and run.context.is_main:
        state.truncated_rows = run.truncated_before + run.data.truncated_rows
        state.grad_scaler = run.precision.state()
        checkpoints.save_checkpoint(run.run_dir.checkpoints, run.objective, run.optimizer, run.scheduler, state, run.config.keep_checkpoints)
        run.selection.prune(state)  # best weights no kept checkpoint refers to any more


def _interrupted(run: _Run, state: checkpoints.TrainerState, signal_number: int | None) -> TrainingInterrupted:
    where = run.run_dir.path if run.run_dir is not None else None
    return TrainingInterrupted(
        f"training stopped by signal at epoch {state.epoch + 1}, step {state.global_step}"
        + (f"; a checkpoint is in {where / 'checkpoints'}. Resume with resume=True (--resume) and the same output directory." if where else "; no output directory was given, so nothing was saved."),
        signal_number,
    )


def _finish(run: _Run, state: checkpoints.TrainerState, seconds: float) -> TrainResult:
    """Keep the selected weights, save them as the final model (with the config trained with)
    and the run's summary; the result."""
    truncated_rows = run.truncated_before + run.data.truncated_rows
    loaded = run.context.is_main and run.selection.load_best(run.assembly, state)
    if distributed.any_rank(loaded, run.context, run.device):
        distributed.broadcast_parameters(run.assembly, run.context)  # every rank ends with the selected weights
    selected = run.selection.selected(state) if run.context.is_main else None
    if run.run_dir is not None:
        # Every rank holds the weights model/ stores (rounded to save_precision).
        round_weights(run.assembly.encoder, SAVED_DTYPES[run.config.save_precision])
    model_dir = None
    if run.run_dir is not None and run.context.is_main:
        with checkpoints.reported_write_errors(f"the final model {run.run_dir.model}", run.run_dir.path,
                                               checkpoints.final_model_bytes(run.assembly), checkpoints.newest_loadable(run.run_dir.checkpoints)):
            model_dir = save_pretrained(run.assembly, run.run_dir.model, config=run.saved_config, training=_summary(run.data), precision=run.config.save_precision)
        summary = {
            "history": state.history, "evaluations": state.evaluations, "selected": selected, "stopped_early": _stopped(state),
            "steps": state.global_step, "seconds": round(seconds, 3), "skipped_nonfinite": state.skipped_nonfinite, "truncated_rows": truncated_rows,
        }
        run.run_dir.write_json("metrics.json", summary)
        run.run_dir.write_json(COMPLETE_FILE, summary)
        run.selection.discard()  # model/ holds the selected weights now
        if not run.config.keep_checkpoints_after_training:
            shutil.rmtree(run.run_dir.checkpoints, ignore_errors=True)  # the finished run resumes from model/
    if run.context.enabled:
        torch.distributed.barrier()
    return TrainResult(
        output_dir=run.run_dir.path if run.run_dir is not None else None, model_dir=model_dir, history=state.history,
        steps=state.global_step, seconds=seconds, skipped_nonfinite=state.skipped_nonfinite, truncated_rows=truncated_rows,
        resumed_from=run.resumed_from, real_tokens=run.counts.real_tokens, padded_tokens=run.counts.padded_tokens, pairs=run.counts.pairs,
        evaluations=state.evaluations, selected=selected, stopped_early=_stopped(state), translation_counts=dict(run.data.translation_counts),
    )


def _finished_run(assembly: Assembly, run_dir: RunDirectory) -> TrainResult:
    """A finished run asked to resume: its final model loaded into ``assembly``, its summary as the result."""
    finished = run_dir.read_summary()  # validated, and the final model's checksums checked
    logger.info("%s: run already complete, loading its final model instead of training", run_dir.path)
    load_weights(assembly, run_dir.model)
    return TrainResult(
        output_dir=run_dir.path, model_dir=run_dir.model, history=finished["history"], steps=finished["steps"],
        seconds=finished["seconds"], skipped_nonfinite=finished["skipped_nonfinite"], truncated_rows=finished["truncated_rows"],
        resumed_from="complete", evaluations=finished.get("evaluations", []), selected=finished.get("selected"),
        stopped_early=finished.get("stopped_early", False),
    )
