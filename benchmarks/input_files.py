"""The fingerprint of the files a benchmark run reads, so that ``--resume`` never mixes data.

The settings a run started with are compared on ``--resume`` (``settings.json``), but the
data files are not settings: a training file edited between two halves of a run (a row
fixed, a label changed) would give one ``results.json`` whose models saw different data.
So the runner records, in ``inputs.json`` next to ``settings.json``, the size, modification
time and SHA-256 of every file it read (each split of each language, and the translation
files), and a ``--resume`` whose files differ in size or content is refused, naming the
file. A changed modification time alone (a copy, a ``touch``) is not a change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterable

from xalign.checksums import sha256_of
from xalign.errors import ConfigError
from xalign.training.run_directory import temporary_path

INPUTS_FILE = "inputs.json"


def fingerprint(path: Path) -> dict:
    """``{"bytes", "mtime", "sha256"}`` of one file."""
    stat = path.stat()
    return {"bytes": stat.st_size, "mtime": stat.st_mtime, "sha256": sha256_of(path)}


def fingerprints(paths: Iterable[str | Path]) -> dict[str, dict]:
    """The fingerprint of each file, keyed by its absolute path."""
    return {str(path): fingerprint(path) for path in sorted({Path(p).resolve() for p in paths})}


def changes(saved: dict[str, dict], current: dict[str, dict]) -> list[str]:
    """What differs between two fingerprint sets, one line per file."""
    found = []
    for path in sorted(saved.keys() | current.keys()):
        before, now = saved.get(path), current.get(path)
        if before is None:
            found.append(f"{path} was not read when the run started")
        elif now is None:
            found.append(f"{path} was read when the run started and is not read now")
        elif before.get("bytes") != now["bytes"]:
            found.append(f"{path} changed ({before.get('bytes')} bytes then, {now['bytes']} now)")
        elif before.get("sha256") != now["sha256"]:
            found.append(f"{path} changed (same size, other contents)")
    return found


def check_input_files(output: Path, paths: Iterable[str | Path], resume: bool) -> None:
    """Record the fingerprints of ``paths`` in ``output/inputs.json``; with ``resume``, first
    refuse (:class:`ConfigError`) files that changed since they were recorded.

    A run begun before fingerprints were kept has none: its files are recorded now.
    """
    current = fingerprints(paths)
    recorded = output / INPUTS_FILE
    if resume and recorded.exists():
        try:
            saved = json.loads(recorded.read_text(encoding="utf-8"))["files"]
            if not isinstance(saved, dict) or not all(isinstance(value, dict) for value in saved.values()):
                raise ValueError("unexpected layout")
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
            raise ConfigError(f"{recorded} is damaged ({type(error).__name__}: {error}); delete it to resume with the data "
                              "files as they are now (they are then recorded anew)") from None
        found = changes(saved, current)
        if found:
            raise ConfigError(
                f"--resume with data files that changed since the run in {output} started: {'; '.join(found[:5])}"
                + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
                + ". Models trained on the old files would be reported with models trained on the new ones: restore the "
                "files, or pass --overwrite to start again with the files as they are now"
            )
        return
    output.mkdir(parents=True, exist_ok=True)
    temporary = temporary_path(recorded)
    temporary.write_text(json.dumps({"files": current}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, recorded)
