"""The output directory of a training run: lock, completion marker and files written.

One run at a time per directory (an OS file lock through ``filelock``: ``flock`` on POSIX,
``msvcrt.locking`` on Windows, both released when the process dies, even by SIGKILL); a
finished directory is not overwritten unless asked.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from xalign.errors import ConfigError

COMPLETE_FILE = "training_complete.json"
LOCK_FILE = ".lock"


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

    def close(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def write_json(self, name: str, data: Any) -> None:
        """Write ``name`` atomically (temporary file + rename)."""
        target = self.path / name
        temporary = target.with_name(f".{name}.tmp-{os.getpid()}")
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary, target)

    def rewrite_history(self, history: list[dict]) -> None:
        """metrics.jsonl: one line per finished epoch (rewritten whole, so a resume never duplicates)."""
        lines = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in history)
        target = self.path / "metrics.jsonl"
        temporary = target.with_name(f".metrics.jsonl.tmp-{os.getpid()}")
        temporary.write_text(lines, encoding="utf-8")
        os.replace(temporary, target)

    def read_json(self, name: str) -> Any:
        return json.loads((self.path / name).read_text(encoding="utf-8"))
