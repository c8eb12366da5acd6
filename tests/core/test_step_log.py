"""The step log (steps.jsonl), the logger hook and the built-in csv and tensorboard loggers."""

from __future__ import annotations

import csv
import json
import sys

import pytest

import xalign
from xalign.errors import ConfigError, UnknownComponentError
from xalign.hookspecs import hookimpl

from .model_state import assert_same_parameters, parameters_of
from .toy_data import TOY_EXAMPLES, toy_config

DEV = [example for index, example in enumerate(TOY_EXAMPLES) if index % 3 == 0]
TIMINGS = ("seconds", "tokens_per_second")


class RecordingLogger:
    """Keeps every record it is given, and how it was made and closed."""

    made: list[RecordingLogger] = []

    def __init__(self, request):
        self.request = request
        self.steps: list[dict] = []
        self.evaluations: list[dict] = []
        self.closed = 0
        type(self).made.append(self)

    def on_step(self, record):
        self.steps.append(record)

    def on_eval(self, record):
        self.evaluations.append(record)

    def close(self):
        self.closed += 1


class RecordingLoggerPlugin:
    """A third-party logger plugin, as short as a Weights & Biases one would be."""

    @hookimpl
    def xalign_register_loggers(self, register):
        register("test-recording", RecordingLogger)


@pytest.fixture
def recording_plugin(monkeypatch, tiny_registry):
    monkeypatch.setattr(RecordingLogger, "made", [])
    # The builder checks the name in the registry it builds with; train() looks loggers up
    # in the process's registry.
    registries = (tiny_registry, xalign.get_registry())
    for registry in registries:
        registry.register_plugin(RecordingLoggerPlugin(), name="recording-logger")
    yield
    for registry in registries:
        registry.unregister_plugin("recording-logger")


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def without_timings(records: list[dict]) -> list[dict]:
    return [{key: value for key, value in record.items() if key not in TIMINGS} for record in records]


def test_steps_jsonl_has_one_row_per_optimizer_step_and_one_per_evaluation(tiny_registry, toy_examples, toy_translations, tmp_path):
    assembly, _ = xalign.build(toy_config(epochs=2, eval_every=4), registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    lines = read_lines(tmp_path / "run" / "steps.jsonl")
    steps = [line for line in lines if line["event"] == "step"]
    assert [line["step"] for line in steps] == list(range(1, result.steps + 1)) == list(range(1, 13))
    assert [line["epoch"] for line in steps] == [1] * 6 + [2] * 6
    for line in steps:
        assert set(line["losses"]) == {"intent", "slots", "align"}
        assert line["loss"] == pytest.approx(sum(line["losses"].values()), rel=1e-5)  # fixed weights of 1
        assert line["lr"] > 0 and line["real_tokens"] > 0 and line["tokens_per_second"] > 0
    assert sum(line["real_tokens"] for line in steps) == result.real_tokens
    # The schedule's warm-up: the rate rises from lr / 25 at the first step.
    assert steps[0]["lr"] == pytest.approx(2e-3 / 25) and steps[1]["lr"] > steps[0]["lr"]
    evaluations = [line for line in lines if line["event"] == "eval"]
    assert [line["step"] for line in evaluations] == [4, 8, 12]
    assert [line["scores"] for line in evaluations] == [entry["scores"] for entry in result.evaluations]
    # Each evaluation follows the step it was made at.
    assert [lines[lines.index(line) - 1]["step"] for line in evaluations] == [4, 8, 12]


def test_a_logger_plugin_receives_every_step_and_every_evaluation(recording_plugin, tiny_registry, toy_examples, toy_translations, tmp_path):
    config = toy_config(epochs=2, eval_every=5, loggers=("test-recording",))
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    (made,) = RecordingLogger.made
    assert made.request.output_dir == tmp_path / "run" and made.request.resumed_step == 0
    assert made.request.config.training == config.training
    assert [record["step"] for record in made.steps] == list(range(1, 13))
    assert [record["step"] for record in made.evaluations] == [5, 10, 12]
    assert made.closed == 1
    lines = read_lines(tmp_path / "run" / "steps.jsonl")
    assert made.steps + made.evaluations == [line for line in lines if line["event"] == "step"] + [line for line in lines if line["event"] == "eval"]
    assert made.evaluations[-1]["best_step"] == result.selected["step"]


def test_a_logger_that_raises_is_dropped_and_training_goes_on(tiny_registry, toy_examples, toy_translations, caplog):
    class Broken:
        closed = False

        def on_step(self, record):
            raise ConnectionError("tracker unreachable")

        def on_eval(self, record):
            raise AssertionError("never called once dropped")

        def close(self):
            Broken.closed = True

    assembly, _ = xalign.build(toy_config(epochs=1), registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV}, loggers=[Broken()])
    assert result.steps == 6 and Broken.closed
    assert "logger 'Broken' failed in on_step and is dropped" in caplog.text and "tracker unreachable" in caplog.text


def test_an_unknown_logger_name_fails_at_build_with_the_known_ones(tiny_registry):
    with pytest.raises(ConfigError, match="TrainingConfig.logger: unknown logger 'tensorbord'.*csv.*Did you mean 'tensorboard'"):
        xalign.build(toy_config(epochs=1, loggers=("tensorbord",)), registry=tiny_registry)


def test_an_unknown_logger_name_given_only_to_train_fails_before_any_step(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(epochs=1), registry=tiny_registry)
    with pytest.raises(UnknownComponentError, match="unknown logger 'tensorbord'.*csv.*Did you mean 'tensorboard'"):
        xalign.train(assembly, toy_examples, toy_translations, config=toy_config(epochs=1, loggers=("tensorbord",)).training)


def test_the_csv_logger_writes_a_row_per_step_and_per_evaluation(tiny_registry, toy_examples, toy_translations, tmp_path):
    assembly, _ = xalign.build(toy_config(epochs=1, eval_every=3, loggers=("csv",)), registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    with open(tmp_path / "run" / "steps.csv", newline="") as handle:
        steps = list(csv.DictReader(handle))
    with open(tmp_path / "run" / "evaluations.csv", newline="") as handle:
        evaluations = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in steps] == list(range(1, 7))
    assert {"loss", "lr", "tokens_per_second", "loss/intent", "loss/slots", "loss/align"} <= set(steps[0])
    assert [int(row["step"]) for row in evaluations] == [3, 6]
    assert float(evaluations[-1]["en-dev/joint_acc"]) == result.evaluations[-1]["scores"]["en-dev"]["joint_acc"]


def test_the_csv_logger_needs_an_output_directory(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(epochs=1, loggers=("csv",)), registry=tiny_registry)
    with pytest.raises(ConfigError, match="'csv' logger writes into the run directory: pass output_dir"):
        xalign.train(assembly, toy_examples, toy_translations)


def test_the_tensorboard_logger_writes_every_step_and_evaluation(tiny_registry, toy_examples, toy_translations, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    assembly, _ = xalign.build(toy_config(epochs=1, eval_every=3, loggers=("tensorboard",)), registry=tiny_registry)
    xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard"))
    events.Reload()
    assert [event.step for event in events.Scalars("train/loss")] == list(range(1, 7))
    assert {"train/intent", "train/slots", "train/align", "train/lr", "train/tokens_per_second"} <= set(events.Tags()["scalars"])
    assert [event.step for event in events.Scalars("eval/en-dev/joint_acc")] == [3, 6]


def test_the_tensorboard_logger_names_the_extra_when_tensorboard_is_missing(tiny_registry, toy_examples, toy_translations, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # as if the package were not installed
    assembly, _ = xalign.build(toy_config(epochs=1, loggers=("tensorboard",)), registry=tiny_registry)
    with pytest.raises(ConfigError, match=r"pip install 'xalign\[tensorboard\]'"):
        xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run")


class CrashAtStep:
    """Ends the process's run abruptly (as a kill would: no checkpoint) when ``step`` is logged."""

    def __init__(self, step: int):
        self.step = step

    def on_step(self, record):
        if record["step"] == self.step:
            raise KeyboardInterrupt  # not an Exception: the tracker does not catch it

    def on_eval(self, record):
        pass

    def close(self):
        pass


def test_a_run_resumed_after_a_crash_selects_and_logs_as_an_uninterrupted_one(tiny_registry, toy_examples, toy_translations, tmp_path):
    # Evaluations every 2 steps, checkpoints every 3: the crash at step 9 comes after the
    # evaluation of step 8 (whose weights may have become the best) and before any
    # checkpoint records it; the resumed run restarts from step 6.
    config = toy_config(epochs=3, eval_every=2, checkpoint_every=3, learning_rate=2e-3, early_stopping_patience=6, loggers=("csv",))
    eval_sets = {"en-dev": DEV}
    expected_assembly, _ = xalign.build(config, registry=tiny_registry)
    expected = xalign.train(expected_assembly, toy_examples, toy_translations, output_dir=tmp_path / "expected", eval_sets=eval_sets)

    crashed, _ = xalign.build(config, registry=tiny_registry)
    with pytest.raises(KeyboardInterrupt):
        xalign.train(crashed, toy_examples, toy_translations, output_dir=tmp_path / "resumed", eval_sets=eval_sets, loggers=[CrashAtStep(9)])
    assert [json.loads(line)["step"] for line in (tmp_path / "resumed" / "steps.jsonl").read_text().splitlines()][-1] == 9
    resumed, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(resumed, toy_examples, toy_translations, output_dir=tmp_path / "resumed", eval_sets=eval_sets, resume=True)

    assert result.resumed_from.endswith("step-00000006")
    assert result.selected == expected.selected and result.selected["step"] != result.steps
    assert (result.steps, result.stopped_early) == (expected.steps, expected.stopped_early)
    assert result.evaluations == expected.evaluations
    assert_same_parameters(parameters_of(resumed), parameters_of(expected_assembly))
    assert without_timings(read_lines(tmp_path / "resumed" / "steps.jsonl")) == without_timings(read_lines(tmp_path / "expected" / "steps.jsonl"))
    for name in ("steps.csv", "evaluations.csv"):
        resumed_rows = list(csv.DictReader(open(tmp_path / "resumed" / name, newline="")))
        expected_rows = list(csv.DictReader(open(tmp_path / "expected" / name, newline="")))
        assert without_timings(resumed_rows) == without_timings(expected_rows)
