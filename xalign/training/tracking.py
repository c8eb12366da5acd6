"""The step log and the loggers: every optimizer step and every evaluation, as records.

Records are plain JSON-ready dicts. A step record::

    {"event": "step", "step": 12, "epoch": 1, "loss": 1.84, "losses": {"intent": 0.9, "slots": 0.7, "align": 0.24},
     "lr": 4.1e-05, "real_tokens": 6120, "tokens_per_second": 10210.4, "seconds": 0.599}

(``loss`` is the weighted total that is minimised, ``losses`` its unweighted parts, both
means over the step's micro-batches and over the processes; ``lr`` is the rate of the first
parameter group, the pretrained encoder's unless it is frozen; ``real_tokens`` counts the
non-pad positions every process encoded in the step, ``tokens_per_second`` divides them by
the step's wall time; fp16 runs add ``loss_scale``). An evaluation record has
``"event": "eval"`` (see :meth:`xalign.training.selection.ModelSelection.record`), a batch
skipped for a non-finite loss ``"event": "skip"``.

:class:`Tracking` writes them to ``steps.jsonl`` in the run directory (one line each, flushed
as written; a resumed run first drops the lines after its checkpoint, so the file reads as
one uninterrupted run) and hands them to the loggers named in ``TrainingConfig.loggers``
(registered through ``xalign_register_loggers``) and to logger objects given to ``train()``.
Only the main process tracks. A logger that raises is reported and dropped: a tracker's
outage never ends a run. This module knows nothing of models, losses or data.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Sequence

import attrs

from xalign.config import XalignConfig
from xalign.errors import excerpt

logger = logging.getLogger(__name__)

STEPS_FILE = "steps.jsonl"


@attrs.frozen(kw_only=True)
class LoggerRequest:
    """What a logger factory is told about the run; fields may be added, so read only those you need."""

    output_dir: Path | None  # the run directory (None: nothing is saved)
    config: XalignConfig  # the run's whole config (model and training)
    resumed_step: int = 0  # a resumed run starts after this step: drop anything logged after it


class StepLog:
    """``steps.jsonl``: one JSON object per line, appended and flushed record by record."""

    def __init__(self, path: Path, resumed_step: int):
        self.path = path
        if resumed_step == 0:
            path.unlink(missing_ok=True)
        else:
            _keep_until(path, resumed_step)
        self._file = open(path, "a", encoding="utf-8")

    def write(self, record: dict) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_records(path: Path) -> list[dict]:
    """The records of a step log; a line cut short by a kill is skipped."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _keep_until(path: Path, step: int) -> None:
    """Rewrite ``path`` (atomically) with only the records of steps up to ``step``."""
    kept = [record for record in read_records(path) if isinstance(record.get("step"), int) and record["step"] <= step]
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in kept), encoding="utf-8")
    os.replace(temporary, path)


class Tracking:
    """Fans each record out to the step log and the loggers (the main process's only)."""

    def __init__(self, step_log: StepLog | None, loggers: Sequence[tuple[str, Any]]):
        self.step_log = step_log
        self.loggers = list(loggers)

    def step(self, record: dict) -> None:
        self._emit("on_step", record)

    def evaluation(self, record: dict) -> None:
        self._emit("on_eval", record)

    def skip(self, record: dict) -> None:
        if self.step_log is not None:
            self.step_log.write(record)

    def _emit(self, method: str, record: dict) -> None:
        if self.step_log is not None:
            self.step_log.write(record)
        for name, tracker in list(self.loggers):
            try:
                getattr(tracker, method)(record)
            except Exception as error:  # a tracker's bug or outage: report it, train on without it
                logger.warning("logger %r failed in %s and is dropped for the rest of the run: %s",
                               name, method, excerpt(f"{type(error).__name__}: {error}", 300))
                self.loggers.remove((name, tracker))
                _close(name, tracker)

    def close(self) -> None:
        for name, tracker in self.loggers:
            _close(name, tracker)
        self.loggers = []
        if self.step_log is not None:
            self.step_log.close()


def _close(name: str, tracker: Any) -> None:
    close = getattr(tracker, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception as error:
        logger.warning("logger %r failed to close: %s", name, excerpt(f"{type(error).__name__}: {error}", 300))


def make_loggers(names: Sequence[str], request: LoggerRequest, registry=None) -> list[tuple[str, Any]]:
    """The loggers registered as ``names``, each built by its factory from ``request``.

    Unknown names fail (with the known ones) before the first step; a logger whose factory
    raises fails the run too, since the user asked for it by name (a missing optional
    package is named in the error).
    """
    from xalign.registry import get_registry

    registry = registry or get_registry()
    components = [(name, registry.get("loggers", name)) for name in names]
    return [(name, component.factory(request)) for name, component in components]


def start_tracking(
    run_dir: Path | None, request: LoggerRequest, names: Sequence[str], extra: Sequence[Any], is_main: bool
) -> Tracking:
    """The run's tracking: on the main process, ``steps.jsonl`` (with a run directory), the named
    loggers and the ``extra`` logger objects; elsewhere nothing."""
    if not is_main:
        return Tracking(None, [])
    step_log = StepLog(run_dir / STEPS_FILE, request.resumed_step) if run_dir is not None else None
    try:
        loggers = make_loggers(names, request) + [(type(tracker).__name__, tracker) for tracker in extra]
    except BaseException:
        if step_log is not None:
            step_log.close()
        raise
    return Tracking(step_log, loggers)
