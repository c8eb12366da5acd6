"""Configuration and input errors are reported before any model trains, with exit code 2 from
the command line: unknown components, wrong types, a missing data directory, an unwritable
output directory, a corrupted data file, and too little disk space for a checkpoint."""

from __future__ import annotations

import json
import re
import shutil
from collections import namedtuple

import pytest

import xalign
from xalign.errors import ConfigError
from xalign.testing import TinyEncoderPlugin, fresh_registry

from .conftest import run, runner_arguments


def test_an_unknown_component_is_refused_before_any_model_trains(demo_data_dir, demo_encoder_dir, tmp_path, call_runner):
    output = tmp_path / "out"
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--aligner", "no-such-aligner"))
    assert code == 2
    assert "ModelConfig.aligner" in err and "'no-such-aligner'" in err
    assert not (output / "models").exists()


def test_a_value_of_the_wrong_type_is_refused_naming_the_setting(demo_data_dir, demo_encoder_dir, tmp_path, call_runner):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"training": {"epochs": "three", "batch_size": -1}}), encoding="utf-8")
    output = tmp_path / "out"
    code, err = call_runner(["--config", str(settings), "--dataset", "mtop", "--data-dir", str(demo_data_dir),
                             "--encoder", str(demo_encoder_dir), "--output", str(output)])
    assert code == 2
    assert "TrainingConfig.epochs must be a positive integer, got 'three'" in err
    assert "TrainingConfig.batch_size must be a positive integer, got -1" in err  # every problem at once
    assert not (output / "models").exists()


def test_a_missing_data_directory_is_refused(demo_encoder_dir, tmp_path, call_runner):
    output = tmp_path / "out"
    code, err = call_runner(runner_arguments(tmp_path / "no-such-dir", demo_encoder_dir, output))
    assert code == 2 and f"--data-dir {tmp_path / 'no-such-dir'} does not exist" in err
    assert not (output / "models").exists()


def test_an_unwritable_output_directory_is_refused(demo_data_dir, demo_encoder_dir, tmp_path, call_runner):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, blocker / "out"))
    assert code == 2 and f"output directory {blocker / 'out'} is not writable" in err


def test_a_corrupted_data_file_exits_with_code_2_naming_file_and_line(demo_data_dir, demo_encoder_dir, tmp_path):
    data = shutil.copytree(demo_data_dir, tmp_path / "data")
    broken = data / "de" / "test.txt"
    lines = broken.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rsplit("\t", 1)[0] + "\n"  # line 3 loses its tokens column
    broken.write_text("".join(lines), encoding="utf-8")
    result = run(["-m", "benchmarks.run", *runner_arguments(data, demo_encoder_dir, tmp_path / "out")])
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"error: {broken}:3: expected 8 tab-separated columns, found 7" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "models").exists()


WORDS = ("play", "some", "jazz", "spiel", "etwas")


def test_too_little_disk_for_a_checkpoint_is_refused_before_the_first_step(tmp_path, monkeypatch):
    registry = fresh_registry(TinyEncoderPlugin(WORDS))
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", head="sequence-classification", intent_labels=("music",)),
        training=xalign.TrainingConfig(epochs=1, batch_size=2, device="cpu", progress=False),
    )
    assembly, _ = xalign.build(config, registry=registry)
    before = {name: tensor.clone() for name, tensor in assembly.state_dict().items()}
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    examples = [xalign.ClassificationExample(id=str(i), text="play some jazz", label="music") for i in range(4)]

    with pytest.raises(ConfigError) as caught:
        xalign.train(assembly, examples, output_dir=tmp_path / "run")
    message = str(caught.value)
    assert "not enough disk space in" in message and "4,096 bytes (0.0 MiB) are free" in message
    from xalign.training.checkpoints import checkpoint_bytes, final_model_bytes
    # keep_checkpoints (2) checkpoints, the one being written, and the final model
    assert f"needs about {3 * checkpoint_bytes(assembly) + final_model_bytes(assembly):,} bytes" in message
    assert not (tmp_path / "run" / "checkpoints").exists()
    assert all(tensor.equal(before[name]) for name, tensor in assembly.state_dict().items())  # no step was taken


@pytest.mark.parametrize("name, content, where", [
    ("settings.yaml", "training:\n  seed: 7\n  epochs: 1\n  epochs: 40\n", "key 'epochs' appears twice in one mapping (line 4)"),
    ("settings.json", '{"model": {"trust_remote_code": false, "trust_remote_code": true}}', "key 'trust_remote_code' appears twice in one object"),
])
def test_a_key_repeated_in_a_config_file_is_refused_naming_it(tmp_path, call_runner, name, content, where):
    """YAML and JSON readers keep the last of two equal keys without a word, so a reader of the
    file could see one value and the run use another. Before: accepted, the last one won."""
    settings = tmp_path / name
    settings.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{settings}: {where}; a setting may appear once")):
        xalign.XalignConfig.load(settings)
    code, err = call_runner(["--config", str(settings), "--print-config"])
    assert code == 2 and f"error: {settings}: {where}" in err and "Traceback" not in err


@pytest.mark.parametrize("key", ["model.encoder", "model.tokenizer", "benchmark.data_dir", "benchmark.translations_dir", "benchmark.output"])
def test_a_path_longer_than_the_system_allows_is_a_config_error(demo_data_dir, demo_encoder_dir, tmp_path, call_runner, key):
    """Before: an OSError traceback (ENAMETOOLONG) from wherever the path was first looked at."""
    output = tmp_path / "out"
    long_name = "é" * 300  # 600 bytes: beyond the 255 a file name may have
    code, err = call_runner(runner_arguments(demo_data_dir, demo_encoder_dir, output, "--set", f"{key}={long_name}"))
    assert code == 2 and "Traceback" not in err
    section = "ModelConfig" if key.startswith("model.") else "BenchmarkSettings"
    assert f"{section}.{key.split('.')[1]} is longer than this system allows for a path or file name (300 characters" in err
    assert not (output / "models").exists()


def test_a_warmup_fraction_of_zero_trains_without_warm_up():
    """``--set training.warmup_fraction=0`` passed validation (0 is a fraction) and then stopped
    training at its start with a traceback: torch's OneCycleLR refuses the int 0."""
    from .tiny_runs import STEPS_PER_EPOCH, toy_config, toy_registry, train_toy

    _, result = train_toy(None, toy_registry(), toy_config(warmup_fraction=0, epochs=1, checkpoint_every=None))
    assert result.steps == STEPS_PER_EPOCH
