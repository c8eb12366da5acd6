"""What a killed run leaves in its directory is cleaned up by the next one, and only by it.

SIGKILL during a checkpoint or a model save leaves a staging folder (``checkpoints/.incomplete-*``
from the checkpoint writer, ``.model.*`` from ``save_pretrained``) and temporary files
(``.<name>.tmp-<pid>``). Before the fix nothing removed them: each kill left one more copy
of the weights on disk. They are removed when the directory is next opened by a run that
holds its lock; a directory another run holds is left alone. A symbolic link loop inside the
directory was an ``OSError`` traceback; it is now a located error.
"""

from __future__ import annotations

import signal

import pytest

from xalign.errors import ConfigError
from xalign.training.run_directory import lock_directory

from .conftest import checkpoint_states, start, wait_for
from .tiny_runs import toy_config, toy_registry, train_toy

LEFTOVERS = ("checkpoints/.incomplete-k1ll3d", ".model.x7f2a9q", ".model.old-4242")
TEMPORARY = (".metrics.json.tmp-4242", ".config.json.tmp-4242")


def leave_leftovers(run) -> list:
    paths = []
    for name in LEFTOVERS:
        (run / name).mkdir(parents=True)
        (run / name / "model.safetensors").write_bytes(b"\0" * 1024)
        paths.append(run / name)
    for name in TEMPORARY:
        (run / name).write_text("{", encoding="utf-8")
        paths.append(run / name)
    return paths


def test_the_next_run_removes_what_a_killed_run_left_and_a_locked_directory_is_left_alone(tmp_path, caplog):
    registry = toy_registry()
    config = toy_config(epochs=1, selection="last")
    run = tmp_path / "run"
    train_toy(run, registry, config)
    leftovers = leave_leftovers(run)
    keep = run / "checkpoints" / "notes.txt"
    keep.write_text("mine", encoding="utf-8")

    lock = lock_directory(run)  # another run holds the directory
    try:
        with pytest.raises(ConfigError, match="another run is using"):
            train_toy(run, registry, config, resume=True)
        assert all(path.exists() for path in leftovers)  # not ours to remove
    finally:
        lock.close()

    with caplog.at_level("INFO", logger="xalign.training.run_directory"):
        result = train_toy(run, registry, config, resume=True)[1]
    assert result.resumed_from == "complete"
    assert not [path for path in leftovers if path.exists()]
    assert keep.read_text() == "mine"  # nothing else is touched
    assert "removed 5 folder(s) and file(s) left by an interrupted write" in caplog.text


# toy_training.py, with a pause inside the checkpoint writer (after the weights) and inside
# save_pretrained (before its rename), so that a SIGKILL can land in the middle of each.
SLOW_WRITES = """
import sys, time
from xalign import model_card
from xalign.training import checkpoints
save_model, write_model_card = checkpoints.save_model, model_card.write_model_card
def slow_save_model(*arguments, **keywords):
    save_model(*arguments, **keywords)
    time.sleep(0.5)
def slow_write_model_card(*arguments, **keywords):
    write_model_card(*arguments, **keywords)
    time.sleep(3)
checkpoints.save_model, model_card.write_model_card = slow_save_model, slow_write_model_card
from tests.reliability.toy_training import main
sys.exit(main())
"""


def test_staging_folders_left_by_sigkill_are_removed_by_the_next_run(toy_encoder_dir, tmp_path):
    output = tmp_path / "run"
    arguments = ["-c", SLOW_WRITES, str(toy_encoder_dir), str(output), "--epochs", "1", "--checkpoint-every", "1"]

    def found(pattern: str, folder):
        return lambda: next(iter(folder.glob(pattern)), None) if folder.is_dir() else None

    victim = start(arguments)  # killed while writing a checkpoint
    wait_for(found(".incomplete-*/model.safetensors", output / "checkpoints"), victim)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    staging = list((output / "checkpoints").glob(".incomplete-*"))
    assert staging and (staging[0] / "model.safetensors").is_file()

    victim = start([*arguments, "--resume"])  # resumed, then killed while saving the final model
    wait_for(found(".model.*/README.md", output), victim)  # the card is written after the weights
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=60)
    assert not list((output / "checkpoints").glob(".incomplete-*"))  # removed when the resume opened the directory
    model_staging = list(output.glob(".model.*"))
    assert model_staging and (model_staging[0] / "encoder" / "model.safetensors").is_file()

    finished = start([*arguments, "--resume"])
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err[-3000:]
    assert not list(output.glob(".model.*")) and not list((output / "checkpoints").glob(".incomplete-*"))
    assert (output / "training_complete.json").is_file() and checkpoint_states(output / "checkpoints")


def test_a_symbolic_link_loop_inside_the_run_directory_is_a_located_error(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "checkpoints").symlink_to("checkpoints")
    with pytest.raises(ConfigError, match=f"{run / 'checkpoints'} is a symbolic link loop; delete it"):
        train_toy(run, toy_registry(), toy_config(epochs=1))


def test_temporary_files_in_the_model_and_best_weights_folders_are_removed_too(tmp_path):
    """``model/.README.md.tmp`` (the model card, rewritten with results) and ``best/.step-*.tmp-*``
    (a copy of the weights) were left for good: only the run directory's top level was cleaned."""
    registry = toy_registry()
    config = toy_config(epochs=1, selection="last")
    run = tmp_path / "run"
    train_toy(run, registry, config)
    (run / "best").mkdir()
    leftovers = [run / "model" / ".README.md.tmp-4242", run / "best" / ".step-00000003.tmp-4242", run / ".evaluation.json.tmp-4242"]
    for path in leftovers:
        path.write_bytes(b"\0" * 1024)
    train_toy(run, registry, config, resume=True)
    assert not [path for path in leftovers if path.exists()]
