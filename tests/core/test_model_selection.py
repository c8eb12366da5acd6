"""Evaluation schedule, best-model selection and early stopping, checked against the recorded scores."""

from __future__ import annotations

import json

import pytest

import xalign
from xalign.errors import ConfigError
from xalign.presets import get_preset

from .model_state import assert_same_parameters, parameters_of
from .toy_data import TOY_EXAMPLES, toy_config

DEV = [example for index, example in enumerate(TOY_EXAMPLES) if index % 3 == 0]  # 14 English rows


class WeightsAtEvaluation:
    """A logger that snapshots the assembly's weights at every evaluation (a test's view of them)."""

    def __init__(self, assembly):
        self.assembly = assembly
        self.weights: dict[int, dict] = {}

    def on_step(self, record):
        pass

    def on_eval(self, record):
        self.weights[record["step"]] = parameters_of(self.assembly)

    def close(self):
        pass


def selection_key(scores: dict[str, float], metric: str = "joint_acc") -> tuple[float, float]:
    """How evaluations compare: the metric, then the mean of all the set's scores."""
    return scores[metric], sum(scores.values()) / len(scores)


def expected_stop(scores: list[tuple[float, float]], patience: int) -> int | None:
    """The index of the evaluation at which ``patience`` evaluations in a row brought no new best."""
    best, since = None, 0
    for index, score in enumerate(scores):
        if best is None or score > best:
            best, since = score, 0
        else:
            since += 1
        if since >= patience:
            return index
    return None


@pytest.fixture
def best_of_every_second_step(tiny_registry, toy_examples, toy_translations, tmp_path):
    """3 epochs of 6 steps, evaluated every 2 steps; the best evaluation (step 4) is not the last."""
    config = toy_config(epochs=3, eval_every=2, learning_rate=2e-3, selection="best")
    assembly, _ = xalign.build(config, registry=tiny_registry)
    snapshots = WeightsAtEvaluation(assembly)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV}, loggers=[snapshots])
    return assembly, snapshots, result, tmp_path / "run"


def test_evaluations_run_every_n_steps_and_the_history_records_each(best_of_every_second_step):
    _, snapshots, result, run_dir = best_of_every_second_step
    assert [entry["step"] for entry in result.evaluations] == [2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert sorted(snapshots.weights) == [2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert all(set(entry["scores"]["en-dev"]) == {"intent_acc", "slot_f1", "joint_acc"} for entry in result.evaluations)
    assert json.loads((run_dir / "metrics.json").read_text())["evaluations"] == result.evaluations
    # Epoch entries carry the evaluation made at their last step (6, 12, 18).
    assert [entry["eval"] for entry in result.history] == [result.evaluations[index]["scores"] for index in (2, 5, 8)]


def test_best_selection_keeps_the_weights_of_the_best_recorded_evaluation(best_of_every_second_step, tiny_registry):
    assembly, snapshots, result, run_dir = best_of_every_second_step
    keys = [selection_key(entry["scores"]["en-dev"]) for entry in result.evaluations]
    best_index = keys.index(max(keys))  # the first of equal keys is kept
    best_step = result.evaluations[best_index]["step"]
    best_score = keys[best_index][0]
    assert result.selected == {"rule": "best", "step": best_step, "metric": "en-dev/joint_acc", "score": best_score}
    assert best_step != result.steps  # the case tests something: the last weights are not the best
    assert_same_parameters(parameters_of(assembly), snapshots.weights[best_step])  # the assembly holds them...
    saved = xalign.load_pretrained(result.model_dir, registry=tiny_registry)
    assert_same_parameters(parameters_of(saved), snapshots.weights[best_step])  # ...and so does model/
    assert selection_key(xalign.evaluate(saved, DEV)) == keys[best_index]
    assert not (run_dir / "best").exists()  # a finished run keeps the selected weights in model/ only


def test_last_selection_keeps_the_final_weights(tiny_registry, toy_examples, toy_translations):
    config = toy_config(epochs=3, eval_every=2, learning_rate=2e-3, selection="last")
    assembly, _ = xalign.build(config, registry=tiny_registry)
    snapshots = WeightsAtEvaluation(assembly)
    result = xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV}, loggers=[snapshots])
    assert result.selected["rule"] == "last" and result.selected["step"] == result.steps == 18
    assert_same_parameters(parameters_of(assembly), snapshots.weights[18])


def test_early_stopping_stops_at_the_evaluation_that_exhausts_the_patience(tiny_registry, toy_examples, toy_translations, tmp_path):
    config = toy_config(epochs=3, eval_every=2, learning_rate=2e-3, early_stopping_patience=3)
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    keys = [selection_key(entry["scores"]["en-dev"]) for entry in result.evaluations]
    stop = expected_stop(keys, 3)
    assert stop == len(keys) - 1 and result.stopped_early  # it stopped at the first evaluation that exhausted the patience
    assert result.steps == result.evaluations[stop]["step"] == 10  # joint accuracy 0, .21 (the best), then 3 lower
    lines = [json.loads(line) for line in (tmp_path / "run" / "steps.jsonl").read_text().splitlines()]
    assert [line["step"] for line in lines if line["event"] == "step"] == list(range(1, 11))
    assert result.history[-1]["step"] == 10 and result.history[-1]["epoch"] == 2  # the partial epoch is recorded


def test_without_learning_the_run_stops_after_patience_evaluations(tiny_registry, toy_examples, toy_translations):
    # A learning rate too small to change a prediction: every score equals the first one,
    # so with a patience of 2 the run stops at its third evaluation.
    config = toy_config(epochs=2, eval_every=1, learning_rate=1e-12, early_stopping_patience=2)
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV})
    assert result.steps == 3 and result.stopped_early
    assert result.selected["step"] == 1  # ties keep the earlier evaluation


def test_every_epoch_is_evaluated_without_eval_every(tiny_registry, toy_examples, toy_translations):
    config = toy_config(epochs=2, selection_metric="en-dev/intent_acc")
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV, "de-dev": DEV})
    assert [entry["step"] for entry in result.evaluations] == [6, 12]
    assert result.selected["metric"] == "en-dev/intent_acc"
    assert all(set(entry["scores"]) == {"en-dev", "de-dev"} for entry in result.evaluations)


def test_eval_every_that_does_not_divide_the_run_also_evaluates_the_last_step(tiny_registry, toy_examples, toy_translations):
    config = toy_config(epochs=1, eval_every=4)
    assembly, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV})
    assert [entry["step"] for entry in result.evaluations] == [4, 6]


def test_a_selection_metric_naming_a_missing_set_fails_before_training(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(epochs=1, selection_metric="de-dev/joint_acc"), registry=tiny_registry)
    with pytest.raises(ConfigError, match="names the eval set 'de-dev'.*'en-dev'"):
        xalign.train(assembly, toy_examples, toy_translations, eval_sets={"en-dev": DEV})


def test_a_selection_metric_the_set_is_not_scored_with_fails_before_the_first_step(tiny_registry, toy_examples, toy_translations, tmp_path):
    assembly, _ = xalign.build(toy_config(epochs=1, selection_metric="en-dev/accuracy"), registry=tiny_registry)
    with pytest.raises(ConfigError, match="scored with intent_acc, slot_f1, joint_acc, not 'accuracy'"):
        xalign.train(assembly, toy_examples, toy_translations, output_dir=tmp_path / "run", eval_sets={"en-dev": DEV})
    assert not (tmp_path / "run" / "steps.jsonl").exists() and not (tmp_path / "run" / "checkpoints").exists()


def test_early_stopping_without_eval_sets_is_a_config_error(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(epochs=1, early_stopping_patience=2), registry=tiny_registry)
    with pytest.raises(ConfigError, match="early_stopping_patience needs eval sets"):
        xalign.train(assembly, toy_examples, toy_translations)


def test_without_eval_sets_the_last_weights_are_kept(tiny_registry, toy_examples, toy_translations):
    assembly, _ = xalign.build(toy_config(epochs=1), registry=tiny_registry)
    result = xalign.train(assembly, toy_examples, toy_translations)
    assert result.evaluations == [] and result.selected == {"rule": "last", "step": 6, "metric": None, "score": None}


@pytest.mark.parametrize("field,value,message", [
    ("selection_metric", "joint_acc", "must be '<eval set>/<metric>'"),
    ("selection", "first", "must be one of 'best', 'last'"),
    ("eval_every", 0, "must be a positive integer"),
    ("early_stopping_patience", -1, "must be a positive integer"),
])
def test_selection_settings_are_validated(field, value, message):
    with pytest.raises(ConfigError, match=f"TrainingConfig.{field} {message}"):
        xalign.TrainingConfig(**{field: value})


def test_the_paper_preset_keeps_the_last_model():
    assert get_preset("paper").values["training.selection"] == "last"
    assert xalign.TrainingConfig().selection == "best"
