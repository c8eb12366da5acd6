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


def write_manifest(directory: Path, names: Iterable[str]) -> None:
    """Record the size and SHA-256 of ``names`` (paths relative to ``directory``) in its manifest."""
    files = {}
    for name in sorted(names):
        path = directory / name
        files[name] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
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
        if not isinstance(files, dict) or not all(
            isinstance(name, str) and isinstance(entry, dict) and isinstance(entry.get("bytes"), int) and isinstance(entry.get("sha256"), str)
            for name, entry in files.items()
        ):
            raise ValueError("unexpected layout")
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        return [f"{manifest} is damaged ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no detail'})"]
    problems = []
    for name, entry in files.items():
        path = directory / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            problems.append(f"{manifest} lists {name!r}, which is outside {directory}")
            continue
        try:
            size = path.stat().st_size
            if size != entry["bytes"]:
                problems.append(f"{path} has {size:,} bytes, {entry['bytes']:,} were written (checksums in {manifest})")
            elif sha256_of(path) != entry["sha256"]:
                problems.append(f"{path} does not match the SHA-256 recorded when it was written (in {manifest}): its bytes changed")
        except OSError as error:
            problems.append(f"{path} cannot be read ({error.strerror or error})")
    return problems
