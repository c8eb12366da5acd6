"""The XeroAlign training loop (Algorithm 1 of Gritta & Iacobacci 2021, done right).

Each optimizer step: the task loss on an English batch plus the alignment loss between the
pooled embeddings of those examples and of their translations, from one encoder call;
one backward pass. Readable top to bottom; copy this file to change the recipe.
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import sys
import time
from pathlib import Path
from typing import Mapping, Sequence

import attrs
import torch
from tqdm.auto import tqdm

from xalign.assembly import Assembly
from xalign.config import TrainingConfig
from xalign.data.collate import ParallelItem
from xalign.data.examples import Translation
from xalign.errors import TrainingError
from xalign.inference import collator_for, evaluate
from xalign.persistence import save_pretrained
from xalign.training import checkpoints, distributed
from xalign.training.data import epoch_batches, parallel_items, random_alignment_items, sample_translations
from xalign.registry import get_registry
from xalign.training.objective import XeroAlignObjective, static_weights
from xalign.training.optimisation import make_optimizer, make_scheduler
from xalign.training.run_directory import COMPLETE_FILE, RunDirectory

logger = logging.getLogger(__name__)


class TrainingInterrupted(TrainingError):
    """SIGINT/SIGTERM arrived; a checkpoint was written and the run can be resumed."""

    def __init__(self, message: str, signal_number: int | None = None):
        super().__init__(message)
        self.signal_number = signal_number  # a command line exits with 128 + this, as shells do


@attrs.frozen
class TrainResult:
    output_dir: Path | None
    model_dir: Path | None
    history: list[dict]
    steps: int
    seconds: float
    skipped_nonfinite: int
    truncated_rows: int
    resumed_from: str | None = None
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


def _to_device(batch: dict, device: torch.device) -> dict:
    non_blocking = device.type == "cuda"
    return {key: value.to(device, non_blocking=non_blocking) if isinstance(value, torch.Tensor) else value for key, value in batch.items()}


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
    an empty mapping trains the task alone (the zero-shot baseline). ``eval_sets`` are
    scored after every epoch. With ``output_dir``, the config, per-epoch metrics
    (``metrics.jsonl``), checkpoints and the final model (``model/``) are written there.
    """
    config = config or assembly.config.training
    translations = translations or {}
    context, device = distributed.setup(config.device)
    run_dir = RunDirectory(output_dir, resume=resume, overwrite=overwrite) if output_dir is not None else None
    if run_dir is not None and context.is_main:
        run_dir.open()
    try:
        if run_dir is not None and resume and run_dir.is_complete():
            finished = run_dir.read_json(COMPLETE_FILE)
            logger.info("%s: run already complete, loading its final model instead of training", run_dir.path)
            from safetensors.torch import load_model

            from xalign.persistence import WEIGHTS_FILE

            load_model(assembly, str(run_dir.model / WEIGHTS_FILE), strict=True)
            return TrainResult(run_dir.path, run_dir.model, finished["history"], finished["steps"], finished["seconds"], finished["skipped_nonfinite"], finished["truncated_rows"], "complete")
        return _train(assembly, list(train_examples), translations, config, run_dir, dict(eval_sets or {}), resume, context, device)
    finally:
        if run_dir is not None:
            run_dir.close()


def _train(assembly, train_examples, translations, config, run_dir, eval_sets, resume, context, device) -> TrainResult:
    import attrs as _attrs

    if not train_examples:
        raise TrainingError("no training examples were given")
    full_config = _attrs.evolve(assembly.config, training=config)
    assembly.config = full_config
    seed_everything(config.seed)
    assembly.to(device)
    assembly.train()
    weighting = (assembly.registry or get_registry()).get("weightings", config.weighting).factory()
    objective = XeroAlignObjective(assembly)
    model = objective
    if context.enabled:
        from torch.nn.parallel import DistributedDataParallel

        # Some parameters get no gradient by design (the encoder's own pooler when another
        # pooler is chosen; an aligner's parameters on a batch without translations), so DDP
        # must look for them rather than wait for their gradients forever.
        model = DistributedDataParallel(objective, device_ids=[device.index] if device.type == "cuda" else None, find_unused_parameters=True)
    use_bf16 = config.precision == "bf16" or (config.precision == "auto" and device.type == "cuda")
    autocast_dtype = torch.bfloat16 if use_bf16 else None

    items = parallel_items(train_examples, translations, config.align_languages)
    if config.alignment_batch == "random":
        task_items = [ParallelItem(item.example) for item in items]
    else:
        task_items = items
    collator = collator_for(assembly)
    # Exact subword counts (one tokenizer pass) group rows far better than a character
    # proxy: 11 % padding instead of 22 % on the demo data at batch 32 (docs/performance.md).
    lengths = collator.lengths(items) if config.group_by_length else [0] * len(items)  # unused without grouping
    global_batch = config.batch_size * context.world_size
    # Data-parallel runs drop a last global batch that cannot give every rank ``batch_size``
    # rows: the ranks' losses are means over equal shards, so their average is the mean
    # over the global batch, exactly as in one process (tests/performance/test_distributed.py).
    drop_last = context.enabled
    batches_per_epoch = len(items) // global_batch if drop_last else math.ceil(len(items) / global_batch)
    if batches_per_epoch == 0:
        raise TrainingError(
            f"{len(items)} training examples do not fill one global batch of {global_batch} "
            f"({context.world_size} processes x batch_size {config.batch_size}); lower batch_size or use fewer processes"
        )
    steps_per_epoch = math.ceil(batches_per_epoch / config.gradient_accumulation)
    total_steps = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total_steps = min(total_steps, config.max_steps)
    optimizer = make_optimizer(objective, config, device)
    scheduler = make_scheduler(optimizer, config, total_steps)

    state = checkpoints.TrainerState()
    resumed_from = None
    if run_dir is not None:
        run_dir.write_json("config.json", full_config.to_dict())
        if resume:
            newest = checkpoints.newest_loadable(run_dir.checkpoints)
            if newest is not None:
                state = checkpoints.load_checkpoint(newest, objective, optimizer, scheduler)
                resumed_from = str(newest)
                logger.info("resuming from %s (epoch %d, step %d)", newest, state.epoch + 1, state.global_step)
        if context.is_main:
            checkpoints.check_disk_space(run_dir.path, objective)  # fail now, not at the first checkpoint
    truncated_before = state.truncated_rows  # counted by the process that wrote the checkpoint resumed from

    def write_checkpoint() -> None:
        if run_dir is not None and context.is_main:
            state.truncated_rows = truncated_before + collator.truncated.rows
            checkpoints.save_checkpoint(run_dir.checkpoints, objective, optimizer, scheduler, state, config.keep_checkpoints)

    started = time.perf_counter()
    counts = {"real": 0, "padded": 0, "pairs": 0}
    stop_requested = False
    with _StopSignals() as signals:
        while state.epoch < config.epochs and state.global_step < total_steps:
            epoch_started = time.perf_counter()
            batches = epoch_batches(lengths, global_batch, config.seed, state.epoch, config.group_by_length, drop_last)
            micro_steps = [batches[i : i + config.gradient_accumulation] for i in range(0, len(batches), config.gradient_accumulation)]
            bar = tqdm(
                total=len(micro_steps), initial=state.batch_in_epoch, desc=f"epoch {state.epoch + 1}/{config.epochs}",
                disable=not (config.progress and context.is_main), dynamic_ncols=True, leave=False,
            )
            for step_batches in micro_steps[state.batch_in_epoch :]:
                if state.global_step >= total_steps:
                    break
                optimizer.zero_grad(set_to_none=True)
                step_losses: dict[str, float] = {}
                nonfinite = False
                for micro_index, indices in enumerate(step_batches):
                    local = indices[context.rank :: context.world_size]
                    batch_items = [sample_translations(task_items[i], config.translations_per_example, config.seed, state.epoch, i) for i in local]
                    num_labelled = None
                    if config.alignment_batch == "random":
                        extra = random_alignment_items(items, len(batch_items), config.seed, state.global_step * 1000 + micro_index * context.world_size + context.rank)
                        num_labelled = len(batch_items)
                        batch_items = batch_items + extra
                    batch = _to_device(collator(batch_items, num_labelled=num_labelled), device)
                    counts["real"] += int(batch["attention_mask"].sum())
                    counts["padded"] += batch["attention_mask"].numel()
                    counts["pairs"] += len(local)
                    sync = contextlib.nullcontext() if (not context.enabled or micro_index == len(step_batches) - 1) else model.no_sync()
                    with sync:
                        with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                            losses = model(batch)
                        fixed = static_weights(losses, assembly.aligner, config.alignment_weight)
                        dynamic = weighting.weights(losses)
                        # A loss weighted 0 is left out entirely (0 * NaN would still be NaN).
                        total = sum(loss * (fixed[name] * float(dynamic[name])) for name, loss in losses.items() if fixed[name] != 0)
                        if not torch.isfinite(total.detach()):
                            nonfinite = True
                        (total / len(step_batches)).backward()
                    for name, loss in losses.items():
                        step_losses[name] = step_losses.get(name, 0.0) + float(loss.detach()) / len(step_batches)
                if distributed.any_rank(nonfinite, context, device):
                    components = ", ".join(f"{k}={v:.4g}" for k, v in step_losses.items())
                    if config.on_nonfinite == "skip":
                        state.skipped_nonfinite += 1
                        optimizer.zero_grad(set_to_none=True)
                        logger.warning("non-finite loss at step %d (%s): batch skipped (%d so far)", state.global_step + 1, components, state.skipped_nonfinite)
                        state.batch_in_epoch += 1
                        bar.update(1)
                        continue
                    raise TrainingError(
                        f"non-finite loss at epoch {state.epoch + 1}, step {state.global_step + 1}: {components}. "
                        "The last good checkpoint is kept; lower the learning rate, or set on_nonfinite='skip' to skip such batches."
                    )
                if config.max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_(objective.parameters(), config.max_grad_norm)
                optimizer.step()
                scheduler.step()
                state.global_step += 1
                state.batch_in_epoch += 1
                for name, value in step_losses.items():
                    state.loss_sums[name] = state.loss_sums.get(name, 0.0) + value
                state.loss_count += 1
                bar.update(1)
                bar.set_postfix({name: f"{total_value / state.loss_count:.3f}" for name, total_value in state.loss_sums.items()}, refresh=False)
                if config.checkpoint_every and state.global_step % config.checkpoint_every == 0:
                    write_checkpoint()
                if distributed.any_rank(signals.received is not None, context, device):
                    stop_requested = True
                    break
            bar.close()
            if stop_requested:
                write_checkpoint()
                where = run_dir.path if run_dir is not None else None
                raise TrainingInterrupted(
                    f"training stopped by signal at epoch {state.epoch + 1}, step {state.global_step}"
                    + (f"; a checkpoint is in {where / 'checkpoints'}. Resume with resume=True (--resume) and the same output directory." if where else "; no output directory was given, so nothing was saved."),
                    signals.received,
                )
            train_losses = distributed.all_reduce_mean({name: value / max(state.loss_count, 1) for name, value in state.loss_sums.items()}, context, device)
            entry = {"epoch": state.epoch + 1, "step": state.global_step, "train_loss": train_losses}
            if eval_sets and context.is_main:
                entry["eval"] = {name: evaluate(assembly, examples, config.eval_batch_size, autocast_dtype) for name, examples in eval_sets.items()}
            entry["epoch_seconds"] = round(time.perf_counter() - epoch_started, 3)
            state.history.append(entry)
            _log_epoch(entry)
            state.epoch += 1
            state.batch_in_epoch = 0
            state.loss_sums, state.loss_count = {}, 0
            if run_dir is not None and context.is_main:
                run_dir.rewrite_history(state.history)
            write_checkpoint()
    seconds = time.perf_counter() - started
    model_dir = None
    if run_dir is not None and context.is_main:
        model_dir = save_pretrained(assembly, run_dir.model)
        summary = {
            "history": state.history, "steps": state.global_step, "seconds": round(seconds, 3),
            "skipped_nonfinite": state.skipped_nonfinite, "truncated_rows": truncated_before + collator.truncated.rows,
        }
        run_dir.write_json("metrics.json", summary)
        run_dir.write_json(COMPLETE_FILE, summary)
    if context.enabled:
        torch.distributed.barrier()
    return TrainResult(
        run_dir.path if run_dir else None, model_dir, state.history, state.global_step, seconds, state.skipped_nonfinite,
        truncated_before + collator.truncated.rows, resumed_from, counts["real"], counts["padded"], counts["pairs"],
    )


def _log_epoch(entry: dict) -> None:
    parts = [f"epoch {entry['epoch']}", "loss " + " ".join(f"{k}={v:.4f}" for k, v in entry["train_loss"].items())]
    for name, scores in entry.get("eval", {}).items():
        parts.append(f"{name}: " + " ".join(f"{k}={v:.4f}" for k, v in scores.items()))
    logger.info(" | ".join(parts))
