"""The benchmark runner's own files: damaged ones, changed data files, symbolic link loops.

Before the fix: ``--resume`` after a data file changed was accepted silently when the label
set stayed the same (one results.json from models trained on different data); a
``settings.json`` holding a JSON list and an ``evaluation.json`` without scores gave
tracebacks; a symbolic link loop in the output folder gave an ``OSError`` traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from benchmarks.input_files import INPUTS_FILE
from benchmarks.run import main

from xalign.testing import restored_logging

from .conftest import runner_arguments


@pytest.fixture(scope="module")
def finished(demo_data_dir, demo_encoder_dir, tmp_path_factory):
    """A finished run (zero-shot and xeroalign-de) on a data folder of its own."""
    from xalign.testing import torch_threads

    root = tmp_path_factory.mktemp("finished")
    data = Path(shutil.copytree(demo_data_dir, root / "data"))
    output = root / "out"
    with restored_logging(), torch_threads(1):
        assert main(runner_arguments(data, demo_encoder_dir, output)) == 0
    return data, output


class Rerun:
    """Runs the runner again on a copy of the finished output (``output``), with ``--resume`` unless told."""

    def __init__(self, data: Path, encoder: Path, output: Path, call_runner):
        self.data, self.encoder, self.output, self._call = data, encoder, output, call_runner

    def __call__(self, flag: str = "--resume") -> tuple[int, str]:
        code, err = self._call(runner_arguments(self.data, self.encoder, self.output, flag))
        assert "Traceback" not in err
        return code, err


@pytest.fixture
def rerun(finished, demo_encoder_dir, tmp_path, call_runner) -> Rerun:
    data, original = finished
    output = Path(shutil.copytree(original, tmp_path / "out", symlinks=True, ignore=shutil.ignore_patterns(".lock")))
    return Rerun(data, demo_encoder_dir, output, call_runner)


@contextlib.contextmanager
def changed(path: Path, text: str) -> Iterator[None]:
    """``path`` holds ``text`` within the block, its own bytes (and times) again after it."""
    original, times = path.read_bytes(), path.stat()
    path.write_text(text, encoding="utf-8")
    try:
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


def scores(output: Path) -> dict:
    return {(run["mode"], run["language"]): run["metrics"] for run in json.loads((output / "results.json").read_text())["runs"]}


def test_the_run_records_the_size_and_sha256_of_every_file_it_read(finished):
    data, output = finished
    recorded = json.loads((output / INPUTS_FILE).read_text())["files"]
    read = ["en/train", "en/eval", "en/test", "de/train", "de/test"]  # German dev data is not used
    expected = {str((data / f"{name}.txt").resolve()) for name in read}
    assert set(recorded) == expected
    assert all(len(entry["sha256"]) == 64 and entry["bytes"] > 0 for entry in recorded.values())


def test_resume_refuses_a_data_file_that_changed_naming_it(finished, rerun):
    data, _ = finished
    test_file = data / "en" / "test.txt"
    text = test_file.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    extra_row = "9" + lines[0]  # one more row, with a new id and the same labels
    with changed(test_file, text + extra_row):
        code, err = rerun()
    assert code == 2
    assert "--resume with data files that changed since the run in" in err
    assert f"{test_file.resolve()} changed ({len(text.encode())} bytes then, {len((text + extra_row).encode())} now)" in err
    assert "pass --overwrite to start again" in err

    with changed(test_file, "".join([lines[1], lines[0], *lines[2:]])):  # the same bytes in another order
        code, err = rerun()
    assert code == 2 and f"{test_file.resolve()} changed (same size, other contents)" in err


def test_resume_accepts_a_file_whose_time_alone_changed_and_overwrite_records_the_new_files(finished, rerun):
    data, _ = finished
    train_file = data / "de" / "train.txt"
    recorded = json.loads((rerun.output / INPUTS_FILE).read_text())["files"]
    with changed(train_file, train_file.read_text(encoding="utf-8")):  # written again: only its time changes
        code, err = rerun()
        assert code == 0, err
    lines = train_file.read_text(encoding="utf-8").splitlines(keepends=True)
    with changed(train_file, "".join([lines[1], lines[0], *lines[2:]])):
        assert rerun()[0] == 2
        code, err = rerun("--overwrite")
        assert code == 0, err
    now = json.loads((rerun.output / INPUTS_FILE).read_text())["files"]
    key = str(train_file.resolve())
    assert now[key]["sha256"] != recorded[key]["sha256"] and now[key]["bytes"] == recorded[key]["bytes"]


@pytest.mark.parametrize("content", ['{"benchmark.dataset": "mt', "[]", '"settings"'])
def test_a_damaged_settings_json_is_a_located_error_saying_to_delete_it(rerun, content):
    (rerun.output / "settings.json").write_text(content, encoding="utf-8")
    code, err = rerun()
    assert code == 2
    assert f"{rerun.output / 'settings.json'} is damaged" in err and "delete it to resume with the settings given now" in err


def test_a_damaged_inputs_json_is_a_located_error_saying_to_delete_it(rerun):
    (rerun.output / INPUTS_FILE).write_text('{"files": [', encoding="utf-8")
    code, err = rerun()
    assert code == 2 and f"{rerun.output / INPUTS_FILE} is damaged" in err and "delete it" in err
    (rerun.output / INPUTS_FILE).unlink()  # the advice: the files are recorded anew
    code, err = rerun()
    assert code == 0, err
    assert (rerun.output / INPUTS_FILE).is_file()


@pytest.mark.parametrize("damage", ["truncated", "no scores", "scores not numbers"])
def test_a_damaged_evaluation_json_trains_that_model_again_to_the_same_scores(finished, rerun, damage):
    evaluation = rerun.output / "models" / "zero-shot" / "evaluation.json"
    record = json.loads(evaluation.read_text())
    if damage == "truncated":
        evaluation.write_text(evaluation.read_text()[:100], encoding="utf-8")
    elif damage == "no scores":
        evaluation.write_text(json.dumps({key: value for key, value in record.items() if key != "scores"}), encoding="utf-8")
    else:
        evaluation.write_text(json.dumps({**record, "scores": {"en": {"intent_acc": "high"}}}), encoding="utf-8")
    code, err = rerun()
    assert code == 0, err
    assert "zero-shot: its saved evaluation was made with other settings or is damaged; training it again" in err
    assert "xeroalign-de: already complete, skipped" in err
    assert scores(rerun.output) == scores(finished[1])


@pytest.mark.parametrize("where", ["run.log", "models", "models/zero-shot/model", "models/zero-shot/checkpoints", "models/xeroalign-de/evaluation.json"])
def test_a_symbolic_link_loop_in_the_output_folder_is_named_before_anything_is_written(rerun, where):
    loop = rerun.output / where
    if loop.is_dir():
        shutil.rmtree(loop)
    else:
        loop.unlink(missing_ok=True)  # (a finished model may keep no checkpoints)
    loop.symlink_to(loop.name)  # points at itself
    code, err = rerun()
    assert code == 2
    assert f"error: {loop} is a symbolic link loop; delete it" in err


def test_translation_files_are_fingerprinted_with_the_data(finished, tmp_path):
    from benchmarks.bundle import load_bundle
    from benchmarks.input_files import check_input_files
    from benchmarks.run import parser, run_configs
    from xalign.errors import ConfigError
    from xalign.registry import get_registry

    data, _ = finished
    translations = data / "translations"
    settings = run_configs(parser().parse_args(["--dataset", "mtop", "--data-dir", str(data), "--languages", "de",
                                                "--modes", "xeroalign", "--translations-dir", str(translations)]))[0].benchmark
    loader = get_registry().get("datasets", "mtop").factory()
    bundle = load_bundle(settings, loader, data, ["de"], str(translations))
    assert bundle.files["de/translations"] == [str(translations / "de" / "train.tsv")]
    files = [path for paths in bundle.files.values() for path in paths]
    check_input_files(tmp_path, files, resume=False)
    translation_file = translations / "de" / "train.tsv"
    with changed(translation_file, translation_file.read_text(encoding="utf-8").replace("Katze", "Kater", 1)):
        with pytest.raises(ConfigError, match=f"{translation_file.resolve()} changed"):
            check_input_files(tmp_path, files, resume=True)
    check_input_files(tmp_path, files, resume=True)


def test_temporary_files_a_killed_runner_left_are_removed_by_the_next_run(rerun, monkeypatch):
    """A kill between a write and its rename leaves ``.<name>.tmp-<pid>``. Before the fix the
    runner's own folder was never cleaned, and ``results.json`` and ``evaluation.json`` were
    written through ``results.tmp-<pid>`` and ``evaluation.tmp-<pid>``, names no cleanup knew."""
    model = rerun.output / "models" / "zero-shot"
    (model / "evaluation.json").unlink()  # killed before the rename: the model is evaluated again
    leftovers = [rerun.output / f".{name}.tmp-4242" for name in ("settings.json", "run_config.yaml", INPUTS_FILE, "results.json")]
    leftovers += [model / ".evaluation.json.tmp-4242", model / "model" / ".README.md.tmp-4242"]
    for path in leftovers:
        path.write_text("{", encoding="utf-8")
    keep = rerun.output / "notes.tmp-4242.txt"
    keep.write_text("mine", encoding="utf-8")

    renamed = []
    replace = os.replace
    monkeypatch.setattr(os, "replace", lambda source, target: (renamed.append(Path(source).name), replace(source, target))[1])
    code, err = rerun()
    assert code == 0, err
    assert not [path for path in leftovers if path.exists()]
    assert keep.read_text() == "mine"  # only the temporary files' own names are removed
    assert (model / "evaluation.json").is_file()
    # Every file the runner renamed into place was written under the name the cleanup removes.
    assert {"evaluation.json", "results.json", "settings.json", "run_config.yaml"} <= {name.split(".tmp-")[0][1:] for name in renamed}
    assert all(name.startswith(".") and ".tmp-" in name for name in renamed), renamed
