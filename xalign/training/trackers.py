"""The built-in loggers: ``csv`` and ``tensorboard`` (registered in :mod:`xalign.builtin`).

Each follows the logger protocol of ``xalign_register_loggers``: ``on_step(record)``,
``on_eval(record)``, ``close()``, built by ``factory(request: LoggerRequest)``
(records: :mod:`xalign.training.tracking`). Both write into the run directory, and a
resumed run drops what was logged after its checkpoint, as ``steps.jsonl`` does.
"""

from __future__ import annotations

import csv
import logging
import os
from pathlib import Path

from xalign.errors import ConfigError, excerpt
from xalign.training.tracking import LoggerRequest

logger = logging.getLogger(__name__)

STEP_COLUMNS = ("step", "epoch", "loss", "lr", "real_tokens", "tokens_per_second", "seconds")


def _run_directory(request: LoggerRequest, name: str) -> Path:
    if request.output_dir is None:
        raise ConfigError(f"the {name!r} logger writes into the run directory: pass output_dir to train() (--output), or drop it from training.loggers")
    return Path(request.output_dir)


def _rows_until(path: Path, step: int) -> tuple[list[str] | None, list[dict]]:
    """The header and the rows up to ``step`` of a CSV log written before a resume. A log is
    for reading, not for resuming: a damaged one (bytes that are not UTF-8, a header this
    logger does not write, a row with a surplus field) keeps what can be read, with a
    warning, and never stops the run."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or [])
            rows = [row for row in reader if _step_of(row) is not None and _step_of(row) <= step]
    except csv.Error as error:
        logger.warning("%s is damaged (%s); the rows logged before step %d are dropped", path, error, step)
        return None, []
    if "step" not in columns:
        if columns:
            logger.warning("%s: its header %s is not one this logger writes; the rows logged before step %d are dropped",
                           path, excerpt(",".join(columns), 80), step)
        return None, []
    return columns, rows


def _step_of(row: dict) -> int | None:
    value = row.get("step") or ""
    return int(value) if value.isascii() and value.isdigit() else None


class _CsvFile:
    """One CSV file whose columns are fixed by the first row written (or the header found on resume)."""

    def __init__(self, path: Path, resumed_step: int):
        self.path = path
        self.columns: list[str] | None
        self.columns, rows = _rows_until(path, resumed_step) if resumed_step and path.is_file() else (None, [])
        if self.columns:
            temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            with open(temporary, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, self.columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            os.replace(temporary, path)
        else:
            path.unlink(missing_ok=True)
        self._handle = open(path, "a", newline="", encoding="utf-8")
        self._writer: csv.DictWriter | None = None

    def write(self, row: dict) -> None:
        if self._writer is None:
            new = self.columns is None
            self.columns = self.columns or list(row)
            self._writer = csv.DictWriter(self._handle, self.columns, extrasaction="ignore")
            if new:
                self._writer.writeheader()
        self._writer.writerow(row)
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


class CsvLogger:
    """``steps.csv`` (one row per optimizer step: the step columns, then one column per loss)
    and ``evaluations.csv`` (one row per evaluation: step, epoch, then ``<set>/<metric>``)."""

    def __init__(self, request: LoggerRequest):
        directory = _run_directory(request, "csv")
        self.steps = _CsvFile(directory / "steps.csv", request.resumed_step)
        self.evaluations = _CsvFile(directory / "evaluations.csv", request.resumed_step)

    def on_step(self, record: dict) -> None:
        row = {column: record.get(column) for column in STEP_COLUMNS}
        row.update({f"loss/{name}": value for name, value in record.get("losses", {}).items()})
        self.steps.write(row)

    def on_eval(self, record: dict) -> None:
        row = {"step": record["step"], "epoch": record["epoch"]}
        for set_name, scores in record["scores"].items():
            row.update({f"{set_name}/{metric}": value for metric, value in scores.items()})
        self.evaluations.write(row)

    def close(self) -> None:
        self.steps.close()
        self.evaluations.close()


class TensorBoardLogger:
    """Scalars for TensorBoard in ``<run>/tensorboard``: ``train/loss``, ``train/<loss>``,
    ``train/lr``, ``train/tokens_per_second`` per step and ``eval/<set>/<metric>`` per
    evaluation (``torch.utils.tensorboard``, which needs the ``tensorboard`` package)."""

    def __init__(self, request: LoggerRequest):
        directory = _run_directory(request, "tensorboard")
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as error:
            raise ConfigError(
                f"the 'tensorboard' logger needs the tensorboard package ({error}); install it with "
                "pip install 'xalign[tensorboard]', or drop 'tensorboard' from training.loggers"
            ) from None
        # purge_step drops the events a killed run logged after the checkpoint resumed from.
        self.writer = SummaryWriter(log_dir=str(directory / "tensorboard"), purge_step=request.resumed_step + 1 if request.resumed_step else None)

    def on_step(self, record: dict) -> None:
        step = record["step"]
        self.writer.add_scalar("train/loss", record["loss"], step)
        for name, value in record.get("losses", {}).items():
            self.writer.add_scalar(f"train/{name}", value, step)
        self.writer.add_scalar("train/lr", record["lr"], step)
        self.writer.add_scalar("train/tokens_per_second", record["tokens_per_second"], step)

    def on_eval(self, record: dict) -> None:
        for set_name, scores in record["scores"].items():
            for metric, value in scores.items():
                self.writer.add_scalar(f"eval/{set_name}/{metric}", value, record["step"])
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
