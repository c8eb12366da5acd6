"""Build a directory once, atomically, and trust it later only if it is intact.

This module owns the cache protocol and nothing about what goes inside:

* a directory is built into a private temporary sibling
  (``.<name>.tmp-<pid>-<random>``), a manifest listing every file with its
  size and SHA-256 is written last, and the directory is renamed into place,
  so a reader never sees a half-written copy under the final name;
* an exclusive ``fcntl`` lock (``.<name>.lock``) makes concurrent processes
  build at most once: the second one waits and then finds the first one's
  result; where locking is unavailable the rename still decides the race
  (the loser discards its copy and uses the winner's);
* a copy whose manifest is missing, unreadable, or disagrees with the files
  on disk (names and sizes, and SHA-256 when asked) is logged as a warning,
  moved aside and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: the atomic rename alone keeps the cache consistent
    fcntl = None  # type: ignore[assignment]

MANIFEST_NAME = "xalign-manifest.json"
MANIFEST_FORMAT = 1

logger = logging.getLogger(__name__)


class CacheError(OSError):
    """The cache directory could not be created or filled (carries ``path``)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"{self.path}: {reason}. Set XALIGN_CACHE to a writable directory or free some space."
        )


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in 4 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(directory: Path) -> None:
    """Record every regular file of ``directory`` (size and SHA-256) in its manifest."""
    files = {}
    for path in sorted(directory.iterdir()):
        if path.name == MANIFEST_NAME or not path.is_file():
            continue
        # Some writers create files as 0600; a shared cache must be readable by all.
        path.chmod(0o644)
        files[path.name] = {"bytes": path.stat().st_size, "sha256": file_digest(path)}
    manifest = {"format": MANIFEST_FORMAT, "files": files}
    temporary = directory / (MANIFEST_NAME + ".partial")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, directory / MANIFEST_NAME)


def manifest_problem(
    directory: Path, required_files: Sequence[str] = (), verify_hashes: bool = False
) -> str | None:
    """Why ``directory`` is not an intact cached copy, or ``None`` if it is."""
    manifest_path = directory / MANIFEST_NAME
    if not directory.is_dir():
        return "directory is missing"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format") != MANIFEST_FORMAT or not isinstance(files, dict):
            return f"manifest {manifest_path.name} has an unknown format"
    except FileNotFoundError:
        return f"manifest {manifest_path.name} is missing (interrupted build?)"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"manifest {manifest_path.name} is unreadable ({error})"
    for name in required_files:
        if name not in files:
            return f"manifest does not list {name}"
    for name, expected in files.items():
        path = directory / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if size != expected.get("bytes"):
            return f"{name} has {size} bytes, manifest says {expected.get('bytes')}"
        if verify_hashes and file_digest(path) != expected.get("sha256"):
            return f"{name} does not match its SHA-256 in the manifest"
    return None


@contextlib.contextmanager
def _exclusive_lock(lock_path: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _move_aside(root: Path, name: str) -> None:
    """Rename a bad copy out of the way (atomic), then delete it."""
    aside = root / f".{name}.stale-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        os.rename(root / name, aside)
    except FileNotFoundError:
        return
    _remove(aside)


def ensure_directory(
    root: Path,
    name: str,
    build: Callable[[Path], None],
    *,
    required_files: Sequence[str] = (),
    verify_hashes: bool = False,
) -> Path:
    """Return ``root / name``, calling ``build(temporary_directory)`` if it is not intact.

    ``build`` fills the empty directory it is given; the manifest is added
    after it returns. If ``build`` raises, nothing is left behind.
    """
    root = Path(root)
    final = root / name
    problem = manifest_problem(final, required_files, verify_hashes)
    if problem is None:
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CacheError(root, f"cannot create the cache directory ({error.strerror})") from None
    with _exclusive_lock(root / f".{name}.lock"):
        # Another process may have finished while we waited for the lock.
        problem = manifest_problem(final, required_files, verify_hashes)
        if problem is None:
            return final
        if final.exists():
            logger.warning("cached copy %s is unusable (%s); rebuilding it", final, problem)
        if fcntl is not None:
            # Holding the lock, any leftover temporary directory is from a dead process.
            for leftover in root.glob(f".{name}.tmp-*"):
                _remove(leftover)
        temporary = root / f".{name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            temporary.mkdir()
            build(temporary)
            write_manifest(temporary)
            if final.exists():
                _move_aside(root, name)
            try:
                os.rename(temporary, final)
            except OSError:
                # Lost a lock-free race: keep the winner's copy if it is intact.
                if manifest_problem(final, required_files, verify_hashes) is not None:
                    raise
        except OSError as error:
            raise CacheError(final, f"cannot write the converted model ({error})") from error
        finally:
            _remove(temporary)
    return final
