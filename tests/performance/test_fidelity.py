"""The fidelity benchmark: the reference recipe is scored as it was trained, the verdicts, the run."""

from __future__ import annotations

import contextlib
import io
import json
import math

import pytest
import torch

from benchmarks import fidelity
from benchmarks.datasets.demo import DemoLoader
from benchmarks.demo import write_demo_dataset
from benchmarks.reference_recipe import _cls, prepare_pairs, reference_forward
from xalign.errors import DataError
from xalign.inference import collator_for, predict, standard_forward


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("fidelity-demo")
    write_demo_dataset(directory, train_size=40, test_size=12, eval_size=4)
    return directory


@pytest.fixture(scope="module")
def demo_encoder(demo_dir, tmp_path_factory):
    """A tiny random BERT whose word vocabulary covers the small demo's words in every language."""
    from xalign.testing import save_tiny_encoder

    loader = DemoLoader()
    words = {"query:"}
    for language in loader.languages:
        for split in ("train", "test"):
            words.update(word for example in loader.load_split(demo_dir, language, split).examples for word in example.words)
    return save_tiny_encoder(tmp_path_factory.mktemp("fidelity-encoder") / "tiny", sorted(words))


def run(*arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = fidelity.main(list(arguments))
    return code, out.getvalue(), err.getvalue()


def small_run(demo_dir, demo_encoder, output, *extra: str) -> tuple[int, str, str]:
    return run(
        "--encoder", str(demo_encoder), "--data-dir", str(demo_dir), "--output", str(output), "--seeds", "1,2",
        "--languages", "de,hi", "--train-examples", "20", "--test-examples", "6", "--fast-epochs", "2", "--fast-batch-size", "8",
        "--quiet", "--threads", "1", *extra,
    )


@pytest.fixture(scope="module")
def finished(demo_dir, demo_encoder, tmp_path_factory):
    output = tmp_path_factory.mktemp("fidelity-run")
    code, printed, log = small_run(demo_dir, demo_encoder, output, "--json")
    assert code == 0, log
    return output, json.loads(printed.strip().splitlines()[-1]), log


def test_a_run_scores_every_path_and_seed_on_english_and_each_target(finished):
    output, summary, _ = finished
    assert summary["seeds"] == [1, 2] and summary["languages"] == ["de", "hi"]
    assert set(summary["paths"]) == set(fidelity.PATHS)
    for path, entry in summary["paths"].items():
        assert set(entry["scores"]) == {"en", "de", "hi", "target_avg"}
        for metric in fidelity.METRICS:
            values = entry["scores"]["de"][metric]["values"]
            assert len(values) == 2 and all(0.0 <= value <= 1.0 for value in values)
        record = json.loads((output / "models" / f"{path}-seed1.json").read_text())
        assert record["settings"]["path"] == path and record["train_seconds"] > 0
        assert set(record["scores"]) == {"en", "de", "hi"}
    faithful_only = summary["paths"]["faithful"]["scores"]["de"]["intent_acc"]
    assert "difference" not in faithful_only
    assert "within_noise" in summary["paths"]["fast"]["scores"]["target_avg"]["slot_f1"]
    assert (output / "fidelity.md").read_text().startswith("| path | metric | en | de | hi | target_avg |")


def test_a_second_run_reuses_stored_scores_and_refuses_other_settings(finished, demo_dir, demo_encoder):
    output, summary, _ = finished
    code, printed, log = small_run(demo_dir, demo_encoder, output, "--json")
    assert code == 0
    assert log.count("reused") == 6 and "training on" not in log
    assert json.loads(printed.strip().splitlines()[-1]) == summary
    code, _, log = small_run(demo_dir, demo_encoder, output, "--learning-rate", "3e-4")
    assert code == 2
    assert "faithful-seed1.json was trained with other settings" in log and "--overwrite" in log


def test_bad_options_are_named(demo_dir, demo_encoder, tmp_path):
    code, _, log = small_run(demo_dir, demo_encoder, tmp_path, "--paths", "faithful,slow")
    assert code == 2 and "--paths: unknown or missing path(s) slow" in log
    code, _, log = small_run(demo_dir, demo_encoder, tmp_path, "--seeds", "1,x")
    assert code == 2 and "--seeds must be a comma list of integers" in log
    code, _, log = run("--languages", "de,xx", "--output", str(tmp_path))
    assert code == 2 and "--languages: choose among de, es, fr, hi, th" in log


@pytest.fixture(scope="module")
def reference_model(demo_dir, demo_encoder):
    import argparse

    arguments = argparse.Namespace(encoder=str(demo_encoder), data_dir=demo_dir, train_examples=10, test_examples=6)
    data = fidelity.load_data(arguments, ["de"])
    assembly = fidelity.build_reference_style(arguments, data, seed=0)
    assert assembly.config.model.pooler == "pooler"  # the tiny BERT has a pooler layer, as XLM-R does
    return assembly.eval(), data


def test_the_reference_model_is_scored_on_the_fixed_length_unmasked_rows_it_trained_on(reference_model):
    assembly, data = reference_model
    collator = collator_for(assembly)
    examples = list(data.english[:6])
    fixed = prepare_pairs(collator, examples, [], 70)
    with torch.no_grad():
        token_states, cls = _cls(assembly, fixed.task_ids)
        logits = assembly.head(token_states, cls)
    expected_intents = [data.intents[index] for index in logits["intent"].argmax(-1).tolist()]
    predicted = predict(assembly, examples, batch_size=4, forward=reference_forward(70, collator.pad_id))
    assert [p.label for p in predicted] == expected_intents
    # Scored with a mask and dynamic padding instead, the same weights read different inputs.
    batch = collator.collate_examples(examples, with_labels=False)
    with torch.no_grad():
        masked = standard_forward(assembly, {key: batch[key] for key in ("input_ids", "attention_mask")})
    assert not torch.allclose(masked["intent"], logits["intent"])


def test_with_a_mask_the_reference_reads_what_our_trainer_reads(reference_model):
    """Masked, the padding is invisible: fixed-length rows give our dynamic-padding logits."""
    assembly, data = reference_model
    collator = collator_for(assembly)
    batch = collator.collate_examples(list(data.english[:6]), with_labels=False)
    inputs = {key: batch[key] for key in ("input_ids", "attention_mask")}
    with torch.no_grad():
        ours = standard_forward(assembly, inputs)
        masked = reference_forward(70, collator.pad_id, masked=True)(assembly, inputs)
        unmasked = reference_forward(70, collator.pad_id)(assembly, inputs)
    assert torch.allclose(masked["intent"], ours["intent"], atol=1e-5)
    width = ours["slots"].shape[1]
    masked_gap = (masked["slots"][:, :width] - ours["slots"]).abs().max()
    unmasked_gap = (unmasked["slots"][:, :width] - ours["slots"]).abs().max()
    assert masked_gap < 1e-5 and unmasked_gap > 100 * max(masked_gap, 1e-7)


def test_the_reference_forward_refuses_rows_longer_than_its_padding(reference_model):
    assembly, data = reference_model
    forward = reference_forward(3, collator_for(assembly).pad_id)
    with pytest.raises(DataError, match="pads to 3 and refuses longer ones"):
        predict(assembly, data.tests["de"][:2], forward=forward)


def scores_of(values: list[float]) -> list[dict]:
    return [{"train_seconds": 1.0, "scores": {"en": {"intent_acc": v, "slot_f1": v}, "de": {"intent_acc": v, "slot_f1": v}}} for v in values]


def test_a_difference_is_within_noise_only_inside_two_standard_errors():
    faithful = [0.50, 0.60, 0.70]  # sd 0.1, standard error of the mean 0.0577
    summary = fidelity.compare({"faithful": scores_of(faithful), "same_batch": scores_of([0.55, 0.65, 0.75]), "fast": scores_of([0.80, 0.90, 1.00])}, ["de"])
    near, far = summary["same_batch"]["scores"]["de"]["intent_acc"], summary["fast"]["scores"]["de"]["intent_acc"]
    assert near["standard_error"] == pytest.approx(math.sqrt(2 * 0.01 / 3))
    assert near["difference"] == pytest.approx(0.05) and near["within_noise"] is True and near["verdict"] == "same"
    assert far["difference"] == pytest.approx(0.30) and far["within_noise"] is False  # 0.30 > 2 x 0.0816
    assert far["verdict"] == "better"
    reversed_summary = fidelity.compare({"faithful": scores_of([0.80, 0.90, 1.00]), "fast": scores_of(faithful)}, ["de"])
    assert reversed_summary["fast"]["scores"]["de"]["intent_acc"]["verdict"] == "worse"
    single = fidelity.compare({"faithful": scores_of([0.5]), "fast": scores_of([0.9])}, ["de"])
    assert single["fast"]["scores"]["de"]["intent_acc"]["verdict"] == "unknown"  # one seed: no spread, no verdict
    assert "▲" in fidelity.table(summary, ["de"]) and "(+5.0 =)" in fidelity.table(summary, ["de"])
    assert summary["faithful"]["scores"]["target_avg"]["slot_f1"]["mean"] == pytest.approx(0.6)
