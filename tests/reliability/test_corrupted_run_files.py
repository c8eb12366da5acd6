"""Damaged files in a run directory are located errors that say what to delete, and the advice works.

Before the fix: a truncated ``training_complete.json``, a pickle in place of
``model.safetensors`` or a non-integer epoch in ``trainer_state.json`` gave tracebacks; an
epoch out of range ended training early without a word (the model saved after 5 of 10
steps); a flipped bit in checkpoint or model weights went unnoticed; and a checkpoint of
another label set was "cannot be restored ... delete it to resume from an older one",
which every older checkpoint of the run would repeat.
"""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

import xalign
from xalign.checksums import MANIFEST, write_manifest
from xalign.errors import ModelNotFoundError, TrainingError
from xalign.testing import torch_threads

from .tiny_runs import (STEPS_PER_EPOCH, assert_same_parameters, checkpoint_dirs, metrics, parameters, toy_config, toy_registry,
                        train_toy, without_timings)

LAST_STEP = 2 * STEPS_PER_EPOCH
LAST = toy_config(selection="last")  # the final weights are the last ones (the paper's rule)


@pytest.fixture(scope="module")
def registry():
    return toy_registry()


def _finished(registry, directory: Path, config) -> tuple[Path, dict]:
    with torch_threads(1):
        assembly, result = train_toy(directory / "run", registry, config)
    assert result.steps == LAST_STEP
    return directory / "run", parameters(assembly)


@pytest.fixture(scope="module")
def finished_last(registry, tmp_path_factory):
    return _finished(registry, tmp_path_factory.mktemp("last"), LAST)


@pytest.fixture(scope="module")
def finished_best(registry, tmp_path_factory):
    return _finished(registry, tmp_path_factory.mktemp("best"), toy_config())


def copy_of(finished, tmp_path: Path) -> Path:
    return Path(shutil.copytree(finished[0], tmp_path / "run", ignore=shutil.ignore_patterns(".lock")))


def flip_bit(path: Path, position: float = 0.6) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * position)] ^= 0x10  # inside the tensor data, past the header
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def test_a_truncated_training_complete_json_is_located_and_the_advice_rebuilds_the_same_run(registry, finished_last, tmp_path):
    run = copy_of(finished_last, tmp_path)
    expected_summary, expected_lines = metrics(run)
    truncate(run / "training_complete.json")
    with pytest.raises(TrainingError) as caught:
        train_toy(run, registry, LAST, resume=True)
    message = str(caught.value)
    assert f"{run / 'training_complete.json'} is damaged" in message
    newest = checkpoint_dirs(run)[-1]
    assert f"delete {run / 'training_complete.json'} and {run / 'model'}; resume=True (--resume) then rebuilds them from the newest checkpoint, {newest}" in message

    (run / "training_complete.json").unlink()  # the advice
    shutil.rmtree(run / "model")
    assembly, result = train_toy(run, registry, LAST, resume=True)
    assert result.resumed_from == str(newest)
    assert_same_parameters(finished_last[1], parameters(assembly))
    assert_same_parameters(finished_last[1], parameters(xalign.load_pretrained(run / "model", registry=registry)))
    summary, lines = metrics(run)
    assert without_timings(summary) == without_timings(expected_summary) and without_timings(lines) == without_timings(expected_lines)
    assert json.loads((run / "training_complete.json").read_text())["steps"] == LAST_STEP


@pytest.mark.parametrize("content", ['{"history": [], "steps": "ten"}', "[1, 2]", "\udcff".encode("utf-8", "surrogateescape").decode("latin-1")])
def test_a_training_complete_json_of_the_wrong_shape_is_located(registry, finished_best, tmp_path, content):
    run = copy_of(finished_best, tmp_path)
    (run / "training_complete.json").write_text(content, encoding="latin-1")
    # With selection="best", the best weights went with the saved model: the checkpoints cannot rebuild it.
    with pytest.raises(TrainingError, match=f"{run / 'training_complete.json'} is damaged .*delete the folder {run} and train it again"):
        train_toy(run, registry, resume=True)


@pytest.mark.parametrize("weights", ["encoder/model.safetensors", "head.safetensors"])
def test_a_flipped_bit_in_the_final_model_is_found_when_it_is_read(registry, finished_last, tmp_path, weights):
    run = copy_of(finished_last, tmp_path)
    flip_bit(run / "model" / weights)
    with pytest.raises(TrainingError, match=f"{run / 'model' / weights} does not match the SHA-256 recorded when it was written"):
        train_toy(run, registry, LAST, resume=True)
    with pytest.raises(ModelNotFoundError, match=f"saved model in {run / 'model'} is damaged: {run / 'model' / weights} does not match"):
        xalign.load_pretrained(run / "model", registry=registry)


@pytest.mark.parametrize("with_checksums", [True, False])
def test_a_pickle_in_place_of_model_safetensors_is_a_located_error(registry, finished_last, tmp_path, with_checksums):
    run = copy_of(finished_last, tmp_path)
    weights = run / "model" / "encoder" / "model.safetensors"
    weights.write_bytes(pickle.dumps({"weight": [0.0] * 64}))
    if not with_checksums:  # a model saved before checksums were kept
        (run / "model" / MANIFEST).unlink()
    expected = f"{weights} has" if with_checksums else f"{weights.parent}: the weights are not a readable safetensors file"
    with pytest.raises(ModelNotFoundError, match=expected):
        xalign.load_pretrained(run / "model", registry=registry)
    with pytest.raises((TrainingError, ModelNotFoundError), match=expected):
        train_toy(run, registry, LAST, resume=True)


def unfinished_copy(finished, tmp_path: Path) -> Path:
    """The finished run as a run killed after its last checkpoint, before the final model."""
    run = copy_of(finished, tmp_path)
    (run / "training_complete.json").unlink()
    shutil.rmtree(run / "model")
    return run


@pytest.mark.parametrize("damaged", ["model.safetensors", "state.pt", "trainer_state.json"])
def test_a_flipped_bit_in_a_checkpoint_is_found_and_deleting_it_resumes_exactly_from_the_one_before(registry, finished_last, tmp_path, damaged):
    run = unfinished_copy(finished_last, tmp_path)
    older, newest = checkpoint_dirs(run)
    flip_bit(newest / damaged, 0.5 if damaged == "trainer_state.json" else 0.6)
    with pytest.raises(TrainingError, match=f"checkpoint {newest} cannot be restored: {newest / damaged} .*Delete {newest} to resume from the checkpoint before it"):
        train_toy(run, registry, LAST, resume=True)
    shutil.rmtree(newest)  # the advice
    assembly, result = train_toy(run, registry, LAST, resume=True)
    assert result.resumed_from == str(older)
    assert_same_parameters(finished_last[1], parameters(assembly))


def rewrite_trainer_state(checkpoint: Path, keep_checksums: bool, **fields) -> None:
    state_file = checkpoint / "trainer_state.json"
    state_file.write_text(json.dumps({**json.loads(state_file.read_text()), **fields}), encoding="utf-8")
    if keep_checksums:  # the file is intact, its contents wrong: as a state of another run would be
        write_manifest(checkpoint, ["model.safetensors", "state.pt", "trainer_state.json"])
    else:  # a checkpoint written before checksums were kept
        (checkpoint / MANIFEST).unlink()


@pytest.mark.parametrize("fields, problem", [
    ({"epoch": "1"}, "epoch must be a non-negative integer, found '1'"),
    ({"epoch": 1.5}, "epoch must be a non-negative integer, found 1.5"),
    ({"global_step": True}, "global_step must be a non-negative integer, found True"),
    ({"loss_sums": {"task": "NaN"}}, "loss_sums must map loss names to finite numbers"),
    ({"history": {}}, "history must be a list"),
    ({"surprise": 1}, "unknown field"),
])
def test_a_malformed_trainer_state_is_a_located_error(registry, finished_last, tmp_path, fields, problem):
    run = unfinished_copy(finished_last, tmp_path)
    newest = checkpoint_dirs(run)[-1]
    rewrite_trainer_state(newest, keep_checksums=False, **fields)
    with pytest.raises(TrainingError, match=f"checkpoint {newest} cannot be restored: {newest / 'trainer_state.json'} is not as written .*{problem}"):
        train_toy(run, registry, LAST, resume=True)


@pytest.mark.parametrize("fields, problem", [
    ({"epoch": 99}, "epoch 99 of a run of 2 epoch"),
    ({"batch_in_epoch": 0}, "9 steps and 0 skipped batches where epoch 2, batch 0 of 5 means 5 batches"),
    ({"batch_in_epoch": 7, "epoch": 1}, "step 7 within an epoch of 5 steps"),
    ({"global_step": 40}, "global step 40 in a run of 10 steps"),
    ({"history": []}, "0 finished epoch.* in its history at epoch 2"),
])
def test_a_trainer_state_that_does_not_fit_the_run_is_refused_instead_of_ending_training_early(registry, finished_last, tmp_path, fields, problem):
    run = unfinished_copy(finished_last, tmp_path)
    older, newest = checkpoint_dirs(run)
    rewrite_trainer_state(older, keep_checksums=True, **fields)
    shutil.rmtree(newest)  # resume from the rewritten one (step 9: epoch 2, batch 4)
    with pytest.raises(TrainingError, match=f"{older / 'trainer_state.json'} does not fit this run: it says {problem}.*Delete {older}"):
        train_toy(run, registry, LAST, resume=True)
    assert not (run / "model").exists()  # no model saved from a partial run


def test_a_checkpoint_of_another_label_set_says_so_instead_of_pointing_at_an_older_one(registry, finished_last, tmp_path):
    run = unfinished_copy(finished_last, tmp_path)
    other_labels = toy_config(intent_labels=("alarm", "music", "weather", "news"), selection="last")
    with pytest.raises(TrainingError) as caught:
        train_toy(run, registry, other_labels, resume=True)
    message = str(caught.value)
    assert "[3, 32] in the checkpoint, [4, 32] in this model" in message
    assert "The label set or the model settings changed since the run started" in message
    assert "older" not in message
