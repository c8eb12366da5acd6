"""The output directory of a training run: lock, completion marker and files written.

One run at a time per directory (an OS file lock through ``filelock``: ``flock`` on POSIX,
``msvcrt.locking`` on Windows, both released when the process dies, even by SIGKILL); a
finished directory is not overwritten unless asked. Whoever holds the lock is the only
writer, so opening a directory removes the staging folders and temporary files that a
killed run left (``checkpoints/.incomplete-*``, ``.model.*``, and ``.*.tmp-*`` in the run
directory, ``model/`` and ``best/``). A symbolic link
inside it that cannot be followed (a loop) is refused before anything is written, and a
file read back (``training_complete.json``) is validated, naming what to delete when it is damaged.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from xalign.checksums import manifest_problems
from xalign.errors import ConfigError, TrainingError, excerpt
from xalign.training.checkpoints import STATE_FILE, newest_loadable, remove_stale_staging
from xalign.training.selection import BEST_DIRECTORY

COMPLETE_FILE = "training_complete.json"
LOCK_FILE = ".lock"
TEMPORARY_MARK = ".tmp-"  # in the names of files written here and renamed into place

logger = logging.getLogger(__name__)

# What training_complete.json holds: field -> accepted JSON types (None: optional field).
_SUMMARY_FIELDS = {"history": (list,), "steps": (int,), "seconds": (int, float), "skipped_nonfinite": (int,), "truncated_rows": (int,)}
_OPTIONAL_SUMMARY_FIELDS = {"evaluations": (list,), "selected": (dict, type(None)), "stopped_early": (bool,)}


def temporary_path(target: Path) -> Path:
    """Where ``target`` is written before it is renamed into place: ``.<name>.tmp-<pid>`` beside
    it, a name :func:`remove_temporary_files` finds when the writer was killed in between."""
    return target.with_name(f".{target.name}{TEMPORARY_MARK}{os.getpid()}")


def remove_temporary_files(folder: Path) -> list[Path]:
    """Remove the ``.<name>.tmp-<pid>`` files that writers killed before their rename left in
    ``folder`` (not below it); the removed ones. Only for a caller that holds the lock of the
    directory they belong to: then no live process is writing them."""
    removed = []
    for path in sorted(folder.glob(f".*{TEMPORARY_MARK}*")) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def make_writable_directory(path: Path) -> None:
    """Create ``path`` if needed and prove it writable, or raise a :class:`ConfigError`."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-", delete=True)
        probe.close()
    except OSError as error:
        raise ConfigError(f"output directory {path} is not writable: {error.strerror or error}; choose another --output") from None


class DirectoryLock:
    """The exclusive lock on a directory's ``.lock`` file, held until :meth:`close`."""

    def __init__(self, lock: FileLock):
        self._lock = lock

    def close(self) -> None:
        """Release the lock (again: no effect)."""
        if self._lock.is_locked:
            self._lock.release(force=True)


def check_links(path: Path) -> None:
    """Refuse (:class:`ConfigError`) a symbolic link under ``path`` that cannot be followed:
    a loop (``a -> a``), or a link to nothing. Writing through one fails half-way with an
    ``OSError``; found first, it is named with what to do. Links are not descended into."""
    for folder, folders, files in os.walk(path, followlinks=False, onerror=None):
        for name in (*folders, *files):
            entry = Path(folder) / name
            if not entry.is_symlink():
                continue
            try:
                entry.stat()
            except OSError as error:
                what = "a symbolic link loop" if error.errno == errno.ELOOP else f"a symbolic link to {os.readlink(entry)!r}, which cannot be reached ({error.strerror})"
                raise ConfigError(f"{entry} is {what}; delete it (or point it at a real folder) and run again") from None


def lock_directory(path: Path) -> DirectoryLock:
    """Take the exclusive lock on ``path/.lock``, held until the returned lock is closed.

    Raises a :class:`ConfigError` when another process (or another lock in this one) holds
    it: two runs writing one directory would overwrite each other's checkpoints.
    """
    lock = FileLock(str(path / LOCK_FILE), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ConfigError(f"another run is using {path} right now (it holds {path / LOCK_FILE}); wait for it or choose another output directory") from None
    return DirectoryLock(lock)


class RunDirectory:
    def __init__(self, path: str | Path, resume: bool = False, overwrite: bool = False):
        self.path = Path(path)
        self.resume = resume
        self.overwrite = overwrite
        self._lock_handle = None

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def model(self) -> Path:
        return self.path / "model"

    def is_complete(self) -> bool:
        return (self.path / COMPLETE_FILE).is_file()

    def open(self) -> None:
        """Create, check writability, and lock; refuse a finished run unless resuming or overwriting."""
        make_writable_directory(self.path)
        self._lock_handle = lock_directory(self.path)
        try:
            check_links(self.path)
        except ConfigError:
            self.close()
            raise
        self._remove_leftovers()
        if self.is_complete() and not self.resume:
            if not self.overwrite:
                self.close()
                raise ConfigError(f"{self.path} holds a finished run; pass overwrite=True (--overwrite) to replace it, or resume=True (--resume) to keep it")
            for name in (COMPLETE_FILE, "metrics.jsonl", "metrics.json"):
                (self.path / name).unlink(missing_ok=True)
            shutil.rmtree(self.checkpoints, ignore_errors=True)
            shutil.rmtree(self.model, ignore_errors=True)
        elif not self.resume and not self.overwrite and any(self.checkpoints.glob("step-*")):
            self.close()
            raise ConfigError(f"{self.path} holds checkpoints of an unfinished run; pass resume=True (--resume) to continue it or overwrite=True (--overwrite) to start again")
        elif self.overwrite and not self.resume:
            shutil.rmtree(self.checkpoints, ignore_errors=True)
            (self.path / "metrics.jsonl").unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        """The staging folders and temporary files of a run killed while writing (we hold the
        lock: no live process is writing them)."""
        removed = remove_stale_staging(self.checkpoints)
        for path in sorted(self.path.glob(f".{self.model.name}.*")):  # save_pretrained's staging and old copies
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        for folder in (self.path, self.model, self.path / BEST_DIRECTORY):  # the files, the model card, the best weights
            removed += remove_temporary_files(folder)
        if removed:
            logger.info("%s: removed %d folder(s) and file(s) left by an interrupted write: %s", self.path, len(removed),
                        ", ".join(path.name for path in removed[:5]) + (", ..." if len(removed) > 5 else ""))

    def close(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def _write_text(self, name: str, text: str) -> None:
        """Write ``name`` atomically (temporary file + rename); a failed write (a full disk) is a
        :class:`TrainingError` and leaves the previous file as it was."""
        target = self.path / name
        temporary = temporary_path(target)
        try:
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            full = "the disk is full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else (error.strerror or str(error))
            raise TrainingError(
                f"writing {target} failed ({full}). Nothing was lost: the checkpoints in {self.checkpoints} are intact. "
                "Free some space (or fix the folder), then resume with resume=True (--resume) and the same output directory"
            ) from error

    def write_json(self, name: str, data: Any) -> None:
        """Write ``name`` atomically (temporary file + rename)."""
        self._write_text(name, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def rewrite_history(self, history: list[dict]) -> None:
        """metrics.jsonl: one line per finished epoch (rewritten whole, so a resume never duplicates)."""
        self._write_text("metrics.jsonl", "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in history))

    def read_json(self, name: str) -> Any:
        """The JSON in ``name``; a damaged file is a :class:`TrainingError` naming it."""
        path = self.path / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise TrainingError(f"{path} cannot be read ({type(error).__name__}: {error}); delete it and run again") from None

    def read_summary(self) -> dict:
        """The summary a finished run left in ``training_complete.json``, checked, with its final
        model's checksums. Either damaged is a :class:`TrainingError` saying to delete both:
        resuming then rebuilds them from the newest checkpoint."""
        path = self.path / COMPLETE_FILE
        newest = self._rebuilding_checkpoint()
        if newest is not None:
            remedy = f"delete {path} and {self.model}; resume=True (--resume) then rebuilds them from the newest checkpoint, {newest}"
        else:  # no checkpoint, or the selected best weights are gone with the model
            remedy = f"delete the folder {self.path} and train it again"
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            problem = _summary_problem(summary)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problem = f"{type(error).__name__}: {error}"
        if problem is not None:
            raise TrainingError(f"{path} is damaged ({problem}); {remedy}")
        problems = manifest_problems(self.model) if self.model.is_dir() else [f"{self.model} is missing"]
        if problems:
            raise TrainingError(f"the final model of the finished run in {self.path} is damaged: {'; '.join(problems)}. To rebuild it, {remedy}")
        return summary

    def _rebuilding_checkpoint(self) -> Path | None:
        """The newest checkpoint, when resuming from it would rebuild the final model: with
        ``selection="best"`` the best weights must still be there unless they are the last ones."""
        newest = newest_loadable(self.checkpoints)
        if newest is None:
            return None
        try:
            state = json.loads((newest / STATE_FILE).read_text(encoding="utf-8"))
            selection = json.loads((self.path / "config.json").read_text(encoding="utf-8"))["training"].get("selection", "last")
            best = state.get("selection", {}).get("best_step")
            if selection != "best" or best is None or best == state["global_step"]:
                return newest
            return newest if (self.path / BEST_DIRECTORY / f"step-{best:08d}.safetensors").is_file() else None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
            return None


def _summary_problem(summary: object) -> str | None:
    """What is wrong with a ``training_complete.json`` object, or None."""
    if not isinstance(summary, dict):
        return f"expected a JSON object, found {type(summary).__name__}"
    for fields, required in ((_SUMMARY_FIELDS, True), (_OPTIONAL_SUMMARY_FIELDS, False)):
        for name, types in fields.items():
            if name not in summary:
                if required:
                    return f"no {name!r}"
                continue
            value = summary[name]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                return f"{name!r} is {excerpt(repr(value), 80)}"
    return None
