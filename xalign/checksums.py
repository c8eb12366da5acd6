"""Checksums of the weight files xalign writes, checked whenever they are read.

A directory of weights (a training checkpoint, a saved model) holds ``checksums.json``:
the size and SHA-256 of its files, written after them and before the directory is
renamed into place, so a directory is never seen with files newer than its checksums.
Reading the directory checks every listed file first. A flipped bit, a truncated file or
a file swapped for another (a pickle in place of ``model.safetensors``) is then an error
that names the file and says what to delete, instead of a loader's traceback or, worse,
weights that load and are wrong. Owns the file format only; what to delete is the
caller's to say.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

MANIFEST = "checksums.json"
FORMAT = 1
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    """The SHA-256 of the file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: Path) -> dict:
    """The size and SHA-256 of one file, as a manifest records it: ``{"bytes", "sha256"}``."""
    return {"bytes": path.stat().st_size, "sha256": sha256_of(path)}


def is_file_record(record: object) -> bool:
    return isinstance(record, dict) and isinstance(record.get("bytes"), int) and isinstance(record.get("sha256"), str)


def file_problem(path: Path, record: dict, recorded_in: str) -> str | None:
    """What is wrong with ``path`` against its :func:`file_record` (kept in ``recorded_in``), or None."""
    try:
        size = path.stat().st_size
        if size != record["bytes"]:
            return f"{path} has {size:,} bytes, {record['bytes']:,} were written (checksums in {recorded_in})"
        if sha256_of(path) != record["sha256"]:
            return f"{path} does not match the SHA-256 recorded when it was written (in {recorded_in}): its bytes changed"
    except OSError as error:
        return f"{path} cannot be read ({error.strerror or error})"
    return None


def write_manifest(directory: Path, names: Iterable[str]) -> None:
    """Record the size and SHA-256 of ``names`` (paths relative to ``directory``) in its manifest."""
    files = {name: file_record(directory / name) for name in sorted(names)}
    temporary = directory / f".{MANIFEST}.tmp-{os.getpid()}"
    temporary.write_text(json.dumps({"format": FORMAT, "files": files}, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, directory / MANIFEST)


def manifest_problems(directory: Path) -> list[str] | None:
    """What is wrong with the files listed in ``directory``'s manifest (empty: nothing);
    ``None`` when there is no manifest (a directory written before checksums were kept)."""
    manifest = directory / MANIFEST
    if not manifest.exists():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(name, str) and is_file_record(entry) for name, entry in files.items()):
            raise ValueError("unexpected layout")
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        return [f"{manifest} is damaged ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no detail'})"]
    problems = []
    for name, entry in files.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            problems.append(f"{manifest} lists {name!r}, which is outside {directory}")
            continue
        problem = file_problem(directory / name, entry, str(manifest))
        if problem is not None:
            problems.append(problem)
    return problems
