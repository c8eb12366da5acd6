"""Checkpoints and resuming: written and pruned on schedule, finished runs protected, resume exact."""

from __future__ import annotations

import contextlib
import json
import signal
from typing import Iterator

import pytest

import xalign
from xalign.aligners.mse import MSEAligner
from xalign.errors import ConfigError, TrainingError
from xalign.training.loop import TrainingInterrupted

from .model_state import assert_same_parameters, parameters_of
from .toy_data import toy_config


def without_timings(history: list[dict]) -> list[dict]:
    return [{key: value for key, value in entry.items() if key != "epoch_seconds"} for entry in history]


@pytest.fixture
def finished_run(tiny_registry, toy_examples, toy_translations, tmp_path):
    """A run of 5 steps (stopped by max_steps in the first epoch), checkpointing every 2 steps."""
    config = toy_config(epochs=2, checkpoint_every=2, max_steps=5, keep_checkpoints=2)
    assembly, _ = xalign.build(config, registry=tiny_registry)
    output = tmp_path / "run"
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=output)
    return config, output, result


def test_checkpoints_are_written_every_n_steps_and_only_the_newest_kept(finished_run):
    _, output, result = finished_run
    assert result.steps == 5
    checkpoints = sorted(path.name for path in (output / "checkpoints").iterdir() if not path.name.startswith("."))
    assert checkpoints == ["step-00000004", "step-00000005"]  # step 2 pruned; 5 written at the end of training
    newest = output / "checkpoints" / "step-00000005"
    assert {path.name for path in newest.iterdir()} == {"model.safetensors", "state.pt", "trainer_state.json", "checksums.json"}
    assert json.loads((newest / "trainer_state.json").read_text())["global_step"] == 5
    assert (output / "training_complete.json").is_file()


def test_resuming_a_finished_run_loads_its_final_model_without_training(finished_run, tiny_registry, toy_examples, toy_translations):
    config, output, first = finished_run
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=output, resume=True)
    assert result.resumed_from == "complete"
    assert result.steps == first.steps == 5
    assert without_timings(result.history) == without_timings(first.history)
    assert result.model_dir == output / "model"
    saved = xalign.load_pretrained(output / "model", registry=tiny_registry)
    assert_same_parameters(parameters_of(assembly), parameters_of(saved))


def test_a_finished_run_is_not_overwritten_unless_asked(finished_run, tiny_registry, toy_examples, toy_translations):
    config, output, _ = finished_run
    assembly, _ = xalign.build(config, registry=tiny_registry)
    with pytest.raises(ConfigError, match="holds a finished run.*overwrite=True"):
        xalign.train(assembly, toy_examples, toy_translations, output_dir=output)
    assert (output / "training_complete.json").is_file()  # left as it was
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=output, overwrite=True)
    assert result.resumed_from is None and result.steps == 5


@contextlib.contextmanager
def interrupted_at_call(call: int) -> Iterator[None]:
    """Within the block, the MSE aligner sends SIGINT to this process on its ``call``-th forward pass."""
    calls = [0]
    forward = MSEAligner.forward

    def interrupting_forward(self, source, target):
        calls[0] += 1
        if calls[0] == call:
            signal.raise_signal(signal.SIGINT)
        return forward(self, source, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MSEAligner, "forward", interrupting_forward)
        yield


def test_unfinished_checkpoints_are_not_silently_restarted(tiny_registry, toy_examples, toy_translations, tmp_path):
    config = toy_config(epochs=1)
    output = tmp_path / "run"
    with interrupted_at_call(2), pytest.raises(TrainingError):
        xalign.train(xalign.build(config, registry=tiny_registry)[0], toy_examples, toy_translations, output_dir=output)
    with pytest.raises(ConfigError, match="unfinished run.*resume=True"):
        xalign.train(xalign.build(config, registry=tiny_registry)[0], toy_examples, toy_translations, output_dir=output)


def test_an_interrupted_run_resumes_to_the_same_parameters_as_an_uninterrupted_one(tiny_registry, toy_examples, toy_translations, tmp_path):
    # Dropout is on (0.1), so equality needs the RNG, optimizer and schedule states restored.
    config = toy_config(epochs=2, checkpoint_every=4)
    eval_sets = {"en": toy_examples[:4]}

    straight, _ = xalign.build(config, registry=tiny_registry)
    expected = xalign.train(straight, toy_examples, toy_translations, output_dir=tmp_path / "straight", eval_sets=eval_sets)
    assert expected.steps == 12

    interrupted_dir = tmp_path / "interrupted"
    with interrupted_at_call(7), pytest.raises(TrainingInterrupted, match="stopped by signal at epoch 2, step 7.*resume=True"):
        # step 7 is the first step of epoch 2 (6 steps per epoch)
        xalign.train(xalign.build(config, registry=tiny_registry)[0], toy_examples, toy_translations, output_dir=interrupted_dir, eval_sets=eval_sets)
    assert not (interrupted_dir / "training_complete.json").exists()

    resumed, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(resumed, toy_examples, toy_translations, output_dir=interrupted_dir, eval_sets=eval_sets, resume=True)
    assert result.resumed_from is not None and result.resumed_from.endswith("step-00000007")
    assert result.steps == 12
    assert without_timings(result.history) == without_timings(expected.history)
    assert_same_parameters(parameters_of(resumed), parameters_of(straight))
    metrics_lines = (interrupted_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in metrics_lines] == [1, 2]  # no duplicated epoch after resuming
