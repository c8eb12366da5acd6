"""A full disk: found before the first step when it can be, a located error when a write fails,
and nothing lost: after space is freed, resuming ends exactly where an uninterrupted run ends.

Before the fix the disk check allowed for one checkpoint, while a run keeps
``keep_checkpoints`` of them, writes the next before pruning and saves a final model; and a
failed write was a raw ``OSError`` or torch ``RuntimeError`` with a half-written
``.incomplete-*`` folder left behind.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections import namedtuple

import pytest
import torch

import xalign
from xalign.errors import ConfigError, TrainingError
from xalign.testing import torch_threads
from xalign.training import checkpoints, loop
from xalign.training.run_directory import RunDirectory

from .tiny_runs import STEPS_PER_EPOCH, assert_same_parameters, checkpoint_dirs, metrics, parameters, toy_config, toy_registry, train_toy, without_timings

LAST = toy_config(selection="last", keep_checkpoints=2)
Usage = namedtuple("Usage", "total used free")


@pytest.fixture(scope="module")
def registry():
    return toy_registry()


@pytest.fixture(scope="module")
def straight(registry, tmp_path_factory):
    output = tmp_path_factory.mktemp("straight") / "run"
    with torch_threads(1):
        assembly, _ = train_toy(output, registry, LAST)
    return output, parameters(assembly)


def free_space(monkeypatch, free: int) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda path: Usage(10 * free + 1, 9 * free, free))


def test_the_disk_check_allows_for_the_kept_checkpoints_the_next_one_and_the_final_model(registry, tmp_path, monkeypatch):
    assembly, _ = xalign.build(LAST, registry=registry)
    one = checkpoints.checkpoint_bytes(assembly)
    model = checkpoints.final_model_bytes(assembly)
    needed = 3 * one + model  # keep_checkpoints=2, plus the one being written, plus the final model
    assert checkpoints.disk_space_needed(tmp_path, assembly, keep=2) == needed

    free_space(monkeypatch, needed - 1)  # room for one checkpoint, and much more, but not for all
    with pytest.raises(ConfigError, match=f"needs about {needed:,} bytes .*2 kept checkpoint.*{needed - 1:,} bytes .* are free"):
        train_toy(tmp_path / "run", registry, LAST)
    assert not checkpoint_dirs(tmp_path / "run")  # refused before the first step
    free_space(monkeypatch, needed)
    train_toy(tmp_path / "run", registry, LAST, overwrite=True)


def test_a_resumed_run_counts_the_checkpoints_already_on_disk(registry, straight, tmp_path):
    assembly, _ = xalign.build(LAST, registry=registry)
    run = shutil.copytree(straight[0], tmp_path / "run")
    one, model = checkpoints.checkpoint_bytes(assembly), checkpoints.final_model_bytes(assembly)
    assert len(checkpoint_dirs(run)) == 2
    assert checkpoints.disk_space_needed(run, assembly, keep=2) == one + model


@pytest.mark.parametrize("failure", ["safetensors", "torch.save"])
def test_a_checkpoint_write_that_fails_for_lack_of_space_is_located_loses_nothing_and_resumes_exactly(registry, straight, tmp_path, monkeypatch, failure):
    run = tmp_path / "run"
    failing_step = STEPS_PER_EPOCH + 2  # in the second epoch, with two intact checkpoints before it
    # Writes: steps 1 to 5, the end of epoch 1 (step 5 again), step 6, then step 7.
    failing_call = failing_step + 1
    save_model, save = checkpoints.save_model, torch.save
    calls = {"count": 0}

    def full_disk(*arguments, **keywords):
        calls["count"] += 1
        if calls["count"] == failing_call:
            free_space(monkeypatch, 1000)  # what the failed write leaves
            if failure == "safetensors":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            raise RuntimeError("[enforce fail at inline_container.cc:626] . unexpected pos 2048 vs 1024")  # torch's words
        return (save_model if failure == "safetensors" else save)(*arguments, **keywords)

    if failure == "safetensors":
        monkeypatch.setattr(checkpoints, "save_model", full_disk)
    else:
        monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(TrainingError) as caught:
        train_toy(run, registry, LAST)
    message = str(caught.value)
    newest = run / "checkpoints" / f"step-{failing_step - 1:08d}"
    assert f"writing checkpoint {run / 'checkpoints' / f'step-{failing_step:08d}'} failed (the disk is full; 1,000 bytes are free there" in message
    assert f"Nothing was lost: the newest checkpoint, {newest}, is intact" in message
    assert "resume with resume=True (--resume)" in message
    assert not list((run / "checkpoints").glob(".incomplete-*"))  # the half-written one is gone
    assert [path.name for path in checkpoint_dirs(run)] == [f"step-{failing_step - 2:08d}", newest.name]

    monkeypatch.undo()  # space freed
    assembly, result = train_toy(run, registry, LAST, resume=True)
    assert result.resumed_from == str(newest)
    assert_same_parameters(straight[1], parameters(assembly))
    assert without_timings(metrics(run)) == without_timings(metrics(straight[0]))


def test_a_final_model_write_that_fails_is_located_and_resuming_saves_it(registry, straight, tmp_path, monkeypatch):
    run = tmp_path / "run"

    def full_disk(*arguments, **keywords):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(loop, "save_pretrained", full_disk)
    with pytest.raises(TrainingError) as caught:
        train_toy(run, registry, LAST)
    assert f"writing the final model {run / 'model'} failed (the disk is full" in str(caught.value)
    assert f"Nothing was lost: the newest checkpoint, {checkpoint_dirs(run)[-1]}, is intact" in str(caught.value)
    assert not (run / "training_complete.json").exists()
    monkeypatch.undo()
    assembly, result = train_toy(run, registry, LAST, resume=True)
    assert_same_parameters(straight[1], parameters(assembly))
    assert without_timings(metrics(run)) == without_timings(metrics(straight[0]))


def test_a_small_file_write_that_fails_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    directory = RunDirectory(tmp_path / "run")
    directory.open()
    try:
        directory.write_json("metrics.json", {"old": 1})

        def full_disk(self, *arguments, **keywords):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(type(tmp_path), "write_text", full_disk)
        with pytest.raises(TrainingError, match=f"writing {tmp_path / 'run' / 'metrics.json'} failed \\(the disk is full\\)"):
            directory.write_json("metrics.json", {"new": 2})
        monkeypatch.undo()
        assert directory.read_json("metrics.json") == {"old": 1}
        assert sorted(path.name for path in (tmp_path / "run").iterdir()) == [".lock", "metrics.json"]
    finally:
        directory.close()
