"""Model selection and early stopping: which evaluation's weights a run keeps, and when it stops.

``TrainingConfig.selection = "best"`` keeps the weights of the evaluation that scored highest
on ``selection_metric`` (``"<eval set>/<metric>"``; higher is better). Equal scores are told
apart by the mean of all the set's scores (joint accuracy stays at 0 for the first
evaluations of a joint intent-slot model while intent accuracy and slot F1 already rise),
and full ties keep the earlier evaluation. ``"last"`` keeps the final weights, as the paper
does (its final-epoch model is the one evaluated). For zero-shot transfer the metric names an English dev set, so no
target-language label takes part in training or selection.

Memory stays flat whatever the model's size: a new best is written to disk at once
(``best/step-<N>.safetensors`` in the run directory, atomically, or a temporary directory
without one) instead of kept as a second copy in memory. The best step, its score and the
evaluations since it live in the checkpointed :class:`~xalign.training.checkpoints.TrainerState`
(``selection``), and a weights file is deleted only when no kept checkpoint refers to it, so a
run resumed from any checkpoint selects exactly as an uninterrupted one. The state also holds
the size and SHA-256 of the best weights (``best_weights``, :mod:`xalign.checksums`): they are
checked when a run resumes and before they are read back, so a damaged file is a located
error, never weights that load and are wrong.

This module knows nothing of the training step, the data or the loggers.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

import torch
from safetensors import SafetensorError
from safetensors.torch import load_model, save_model

from xalign.checksums import file_problem, file_record, is_file_record
from xalign.config import TrainingConfig
from xalign.errors import ConfigError, TrainingError, excerpt
from xalign.training.checkpoints import STATE_FILE, TrainerState, complete_checkpoints

logger = logging.getLogger(__name__)

PREFERRED_METRICS = ("joint_acc", "accuracy", "intent_acc", "slot_f1")
"""The default metric: the first of these the selection set is scored with."""

BEST_DIRECTORY = "best"


def selection_set(config: TrainingConfig, eval_sets: Mapping[str, Sequence]) -> str | None:
    """The eval set that selection and early stopping read, or None without eval sets.

    Raises a :class:`ConfigError` before training when the config names a set that was not
    given, or asks for early stopping with nothing to evaluate.
    """
    if config.selection_metric is not None:
        name = config.selection_metric.rsplit("/", 1)[0]
        if name not in eval_sets:
            given = ", ".join(map(repr, eval_sets)) or "none"
            raise ConfigError(
                f"TrainingConfig.selection_metric {config.selection_metric!r} names the eval set {name!r}, "
                f"but the eval sets given to train() are: {given}; name one of them (e.g. '{next(iter(eval_sets), 'en-dev')}/joint_acc')"
            )
        return name
    if not eval_sets:
        if config.early_stopping_patience is not None:
            raise ConfigError("TrainingConfig.early_stopping_patience needs eval sets: pass eval_sets to train() or unset it")
        return None
    return next(iter(eval_sets))


def metric_name(config: TrainingConfig, set_name: str, scores: Mapping[str, float]) -> str:
    """The score of ``scores`` that selection reads: the configured one, or the preferred default."""
    if config.selection_metric is not None:
        metric = config.selection_metric.rsplit("/", 1)[1]
        if metric not in scores:
            raise ConfigError(
                f"TrainingConfig.selection_metric {config.selection_metric!r}: the eval set {set_name!r} is scored with "
                f"{', '.join(scores)}, not {metric!r}; use e.g. '{set_name}/{next(iter(scores))}'"
            )
        return metric
    found = next((name for name in PREFERRED_METRICS if name in scores), None)
    return found if found is not None else next(iter(scores))


class ModelSelection:
    """Tracks the best evaluation of a run, keeps its weights on disk, and decides early stops.

    ``directory`` holds the best weights (``<run>/best``); None puts them in a temporary
    directory removed by :meth:`close`. ``checkpoints`` is the run's checkpoint directory, whose
    kept checkpoints may still refer to an older best.
    """

    def __init__(self, config: TrainingConfig, set_name: str | None, directory: Path | None, checkpoints: Path | None):
        self.config = config
        self.set_name = set_name
        self._temporary = directory is None and set_name is not None and config.selection == "best"
        self.directory = Path(tempfile.mkdtemp(prefix="xalign-best-")) if self._temporary else directory
        self.checkpoints = checkpoints

    @property
    def keeps_best(self) -> bool:
        return self.config.selection == "best" and self.set_name is not None

    def start(self, state: TrainerState) -> None:
        """A fresh run forgets the best weights a replaced run left behind; a resumed one checks
        the best weights it refers to now, not after training on."""
        if state.global_step == 0 and self.directory is not None and not self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)
        step = state.selection.get("best_step")
        if state.global_step > 0 and self.keeps_best and step is not None and self._best_path(step).is_file():
            self._check_best(step, state)

    def record(self, state: TrainerState, scores: dict[str, dict[str, float]], model: torch.nn.Module) -> dict:
        """Count one evaluation (``scores[set][metric]``): update the best and the patience, and
        write the weights when they are the best so far. Returns the evaluation's record."""
        selection = state.selection
        entry = {"step": state.global_step, "epoch": state.epoch + 1, "scores": scores}
        if self.set_name is not None:
            metric = metric_name(self.config, self.set_name, scores[self.set_name])
            score = float(scores[self.set_name][metric])
            tie_break = sum(map(float, scores[self.set_name].values())) / len(scores[self.set_name])
            best = selection.get("best_score")
            improved = best is None or (score, tie_break) > (best, selection["best_tie_break"])
            if improved:
                selection.update(best_step=state.global_step, best_score=score, best_tie_break=tie_break, since_best=0)
                if self.keeps_best:
                    selection["best_weights"] = self._save(model, state.global_step)
            else:
                selection["since_best"] = selection.get("since_best", 0) + 1
            selection["metric"] = f"{self.set_name}/{metric}"
            entry.update(metric=selection["metric"], score=score, best=improved, best_step=selection["best_step"])
            patience = self.config.early_stopping_patience
            if patience is not None and selection["since_best"] >= patience:
                selection["stopped_early"] = True
                logger.info("early stopping at step %d: %d evaluations without a better %s than %.4f (step %d)",
                            state.global_step, patience, selection["metric"], selection["best_score"], selection["best_step"])
        state.evaluations.append(entry)
        return entry

    def _best_path(self, step: int) -> Path:
        return self.directory / f"step-{step:08d}.safetensors"

    def _save(self, model: torch.nn.Module, step: int) -> dict:
        """Write the weights of ``step``; their :func:`~xalign.checksums.file_record`, for the state."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._best_path(step)
        temporary = self.directory / f".step-{step:08d}.tmp-{os.getpid()}"
        save_model(model, str(temporary))
        record = file_record(temporary)
        os.replace(temporary, target)
        return record

    def _check_best(self, step: int, state: TrainerState) -> None:
        """Refuse best weights whose bytes differ from those recorded in the state when they were
        written (a state written before checksums were kept has no record: a warning)."""
        path = self._best_path(step)
        record = state.selection.get("best_weights")
        if record is None:
            logger.warning("%s: no checksum recorded for it (written by an older xalign); read unchecked", path)
            return
        if is_file_record(record):
            problem = file_problem(path, record, "the trainer state")
        else:
            problem = f"the trainer state records its checksum as {excerpt(repr(record), 80)}, not as {{'bytes': ..., 'sha256': ...}}"
        if problem is not None:
            raise self._damaged_best(step, problem)

    def _damaged_best(self, step: int, problem: str) -> TrainingError:
        again = ("delete the run's folder, " + str(self.directory.parent) + ", and train it again (or start again with "
                 "overwrite=True, --overwrite)") if not self._temporary else "train again"
        return TrainingError(
            f"the best weights of step {step} are damaged: {problem}. The run cannot select them, and no other file holds "
            f"them: {again}, or set training.selection='last' to keep the last weights instead"
        )

    def prune(self, state: TrainerState) -> None:
        """Delete best-weights files that neither ``state`` nor any kept checkpoint refers to."""
        if self.directory is None or not self.directory.is_dir():
            return
        wanted = {state.selection.get("best_step")}
        for checkpoint in complete_checkpoints(self.checkpoints) if self.checkpoints is not None else []:
            try:
                wanted.add(json.loads((checkpoint / STATE_FILE).read_text(encoding="utf-8")).get("selection", {}).get("best_step"))
            except (OSError, ValueError):  # a damaged checkpoint refers to nothing we must keep
                continue
        for path in self.directory.glob("step-*.safetensors"):
            if int(path.stem.removeprefix("step-")) not in wanted:
                path.unlink(missing_ok=True)

    def selected(self, state: TrainerState) -> dict:
        """What the run keeps: ``{"rule", "step", "metric", "score"}``."""
        selection = state.selection
        if self.keeps_best and selection.get("best_step") is not None:
            return {"rule": "best", "step": selection["best_step"], "metric": selection["metric"], "score": selection["best_score"]}
        last = state.evaluations[-1] if state.evaluations and state.evaluations[-1]["step"] == state.global_step else {}
        return {"rule": "last", "step": state.global_step, "metric": last.get("metric"), "score": last.get("score")}

    def load_best(self, model: torch.nn.Module, state: TrainerState) -> bool:
        """Load the best evaluation's weights into ``model`` (True), or leave the last ones (False)."""
        step = state.selection.get("best_step")
        if not self.keeps_best or step is None or step == state.global_step:
            return False  # the last weights are the best ones already
        path = self._best_path(step)
        if not path.is_file():
            raise TrainingError(f"the best weights of step {step} are missing ({path}); the run cannot select them. "
                                "Set training.selection='last', or train again")
        self._check_best(step, state)
        try:
            load_model(model, str(path), strict=True)
        except (SafetensorError, RuntimeError) as error:  # unchecked (no record) and damaged, or of another model
            raise self._damaged_best(step, f"{path} cannot be loaded ({str(error).splitlines()[0]})") from None
        logger.info("selected the weights of step %d (%s = %.4f)", step, state.selection["metric"], state.selection["best_score"])
        return True

    def discard(self) -> None:
        """Remove the best weights once the selected ones are saved as the run's model."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def close(self) -> None:
        if self._temporary and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
