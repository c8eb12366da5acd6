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
    expected = f"{weights} has" if with_checksums else f"{weights}: not a readable safetensors file"
    with pytest.raises(ModelNotFoundError, match=expected):
        xalign.load_pretrained(run / "model", registry=registry)
    with pytest.raises((TrainingError, ModelNotFoundError), match=expected):
        train_toy(run, registry, LAST, resume=True)


def _damaged_weights(kind: str, original: bytes) -> bytes:
    return {"pickle": pickle.dumps({"weight": [0.0] * 64}), "garbage": bytes(range(256)) * 8, "empty": b"",
            "truncated": original[: len(original) // 2]}[kind]


@pytest.mark.parametrize("kind", ["pickle", "garbage", "empty", "truncated"])
def test_an_encoder_directory_with_unreadable_weights_is_a_located_error(tmp_path, kind):
    """``ModelConfig(encoder=DIR)`` / ``--encoder DIR``: a plain Hugging Face directory (no
    checksums) whose ``model.safetensors`` is not safetensors. Before: a raw SafetensorError."""
    from xalign.testing import save_tiny_encoder

    from .toy_training import INTENTS, SLOT_LABELS, vocabulary

    encoder = save_tiny_encoder(tmp_path / "encoder", vocabulary())
    weights = encoder / "model.safetensors"
    weights.write_bytes(_damaged_weights(kind, weights.read_bytes()))
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder=str(encoder), intent_labels=INTENTS, slot_labels=SLOT_LABELS))
    with pytest.raises(ModelNotFoundError, match=f"{weights}: not a readable safetensors file .*never reads pickled weights. Restore the file"):
        xalign.build(config)


def test_an_encoder_directory_with_a_pickle_for_weights_exits_2_from_the_runner(tmp_path, demo_data_dir, demo_encoder_dir, call_runner):
    from .conftest import runner_arguments

    encoder = Path(shutil.copytree(demo_encoder_dir, tmp_path / "encoder"))
    (encoder / "model.safetensors").write_bytes(pickle.dumps({"weight": [0.0] * 64}))
    code, stderr = call_runner(runner_arguments(demo_data_dir, encoder, tmp_path / "out"))
    assert code == 2
    assert f"error: {encoder / 'model.safetensors'}: not a readable safetensors file" in stderr
    assert "Traceback" not in stderr


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


def test_a_flipped_byte_in_the_best_weights_is_found_when_the_run_resumes(registry, tmp_path):
    """``selection="best"`` keeps the best evaluation's weights in ``best/`` and reads them back at
    the end. Before the fix nothing checked them: a resumed run selected damaged weights."""
    from xalign.training.loop import TrainingInterrupted

    from .test_last_step_interruption import sigint_in_step

    run = tmp_path / "run"
    config = toy_config(eval_every=1)  # the best evaluation is step 3's (see below)
    with sigint_in_step(5), pytest.raises(TrainingInterrupted):
        train_toy(run, registry, config)
    best = run / "best" / "step-00000003.safetensors"
    flip_bit(best)
    with pytest.raises(TrainingError, match=(
            f"the best weights of step 3 are damaged: {best} does not match the SHA-256 recorded when it was written "
            rf"\(in the trainer state\).*delete the run's folder, {run}, and train it again")):
        train_toy(run, registry, config, resume=True)


def test_a_flipped_byte_in_the_best_weights_is_found_before_they_are_selected(tmp_path):
    import torch

    from xalign.training.checkpoints import TrainerState
    from xalign.training.selection import ModelSelection

    model = torch.nn.Linear(64, 64)
    selection = ModelSelection(xalign.TrainingConfig(selection="best"), "dev", tmp_path / "run" / "best", None)
    state = TrainerState()
    state.global_step = 1
    selection.record(state, {"dev": {"accuracy": 0.9}}, model)  # the best: written to best/
    best_weights = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    with torch.no_grad():
        model.weight.add_(1.0)
    state.global_step = 2
    selection.record(state, {"dev": {"accuracy": 0.5}}, model)

    path = tmp_path / "run" / "best" / "step-00000001.safetensors"
    intact = path.read_bytes()
    flip_bit(path)
    with pytest.raises(TrainingError, match=f"the best weights of step 1 are damaged: {path} does not match the SHA-256"):
        selection.load_best(model, state)
    path.write_bytes(intact)
    assert selection.load_best(model, state)
    assert all(torch.equal(tensor, best_weights[name]) for name, tensor in model.state_dict().items())


@pytest.mark.parametrize("content, kept", [
    (b"\xff\xfe\x80 not text", []),
    (b"[]\n", []),  # a header the logger does not write
    (b"step,epoch,loss\n1,1,0.5\n2,1,0.4,surplus\n9,2,0.1\n", ["1", "2"]),  # a row with a surplus field; step 9 is after the resume
    ("step,epoch,loss\n1,1,0.5\n\u00b2,1,0.4\n".encode(), ["1"]),  # "²" is no step number
])
def test_a_damaged_csv_log_keeps_what_can_be_read_and_never_stops_a_resume(tmp_path, content, kept):
    """Before: bytes that are not UTF-8 or a row with a surplus field in ``steps.csv`` or
    ``evaluations.csv`` gave a traceback when a run with the ``csv`` logger resumed, and a
    header the logger does not write made it drop every column of every later row."""
    import csv

    from xalign.training.trackers import CsvLogger
    from xalign.training.tracking import LoggerRequest

    for name in ("steps.csv", "evaluations.csv"):
        (tmp_path / name).write_bytes(content)
    logger = CsvLogger(LoggerRequest(output_dir=tmp_path, config=toy_config(), resumed_step=5))
    logger.on_step({"step": 6, "epoch": 2, "loss": 0.3, "losses": {"task": 0.3}})
    logger.close()
    with open(tmp_path / "steps.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["step"] for row in rows] == [*kept, "6"]
    assert rows[-1]["loss"] == "0.3"


def _edit_json(path: Path, edit) -> None:
    path.write_text(json.dumps(edit(json.loads(path.read_text(encoding="utf-8")))), encoding="utf-8")


def _run_cli(arguments: list[str], capsys) -> tuple[int, str]:
    from xalign.__main__ import main

    code = main(arguments)
    return code, capsys.readouterr().err


NAN = float("nan")
DAMAGED_MODEL_FILES = {  # what a fuzzing pass over saved models found, each a traceback (or silence) before
    "config value of the wrong type": ("encoder/config.json", lambda c: {**c, "hidden_size": None}, "config.json (StrictDataclassFieldValidationError"),
    "hidden size 0": ("encoder/config.json", lambda c: {**c, "hidden_size": 0}, "config.json and weights (ZeroDivisionError"),
    "layers dropped": ("encoder/config.json", lambda c: {**c, "num_hidden_layers": 1}, "the saved weights do not match its config.json; 16 weight(s) the config has no place for"),
    "NaN layer norm epsilon": ("encoder/config.json", lambda c: {**c, "layer_norm_eps": NAN}, "layer_norm_eps is not a finite number"),
    "tokenizer file of the wrong shape": ("encoder/tokenizer.json", lambda t: {**t, "version": 1.5}, "tokenizer files (tokenizer.json, tokenizer_config.json) (Exception"),
    "special token of the wrong type": ("encoder/tokenizer_config.json", lambda t: {**t, "unk_token": 0}, "tokenizer files (tokenizer.json, tokenizer_config.json) (TypeError"),
    "no padding token": ("encoder/tokenizer_config.json", lambda t: {k: v for k, v in t.items() if k != "pad_token"}, "the tokenizer has no padding token"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_MODEL_FILES))
def test_a_damaged_config_or_tokenizer_of_a_saved_model_is_a_located_error_for_every_command(finished_last, tmp_path, capsys, damage):
    """``predict`` and ``align-score`` on a saved model, and ``align-score --encoder`` on its bare
    encoder directory. Before: tracebacks from transformers, tokenizers or torch (a value of the
    wrong type, hidden_size 0, a tokenizer file that parses but is not one), and a config.json
    naming fewer layers than the weights hold loaded without a word, with layers dropped."""
    name, edit, problem = DAMAGED_MODEL_FILES[damage]
    model = Path(shutil.copytree(finished_last[0] / "model", tmp_path / "model"))
    _edit_json(model / name, edit)
    lines = tmp_path / "lines.txt"
    lines.write_text("will it rain\nwake me at seven\n", encoding="utf-8")
    commands = [["predict", str(model), str(lines)], ["align-score", "--encoder", str(model), str(lines), str(lines)]]
    if damage != "layers dropped":  # a bare Hugging Face directory may hold weights its model does not use (a pretraining head)
        commands.append(["align-score", "--encoder", str(model / "encoder"), str(lines), str(lines)])
    for arguments in commands:
        code, err = _run_cli(arguments, capsys)
        assert code == 2, (arguments, err)
        assert err.startswith(f"error: {model / 'encoder'}") and problem in err, (arguments, err)


def test_a_model_whose_scores_are_not_numbers_is_an_error_not_a_nan_in_the_json(finished_last, tmp_path, capsys):
    """Before: ``predict --json`` printed ``"score": NaN``, which no JSON reader accepts."""
    from safetensors.torch import load_file, save_file

    model = Path(shutil.copytree(finished_last[0] / "model", tmp_path / "model"))
    head = {name: torch_tensor.fill_(NAN) if name.endswith("bias") else torch_tensor
            for name, torch_tensor in load_file(str(model / "head.safetensors")).items()}
    save_file(head, str(model / "head.safetensors"))
    write_manifest(model, ["head.safetensors", "encoder/model.safetensors"])  # intact files whose values are NaN
    lines = tmp_path / "lines.txt"
    lines.write_text("will it rain\n", encoding="utf-8")
    code, err = _run_cli(["predict", str(model), str(lines), "--json"], capsys)
    assert code == 2 and f"error: {model}: the model gives scores that are not numbers (NaN) for line 1 of {lines}" in err


@pytest.mark.parametrize("damage", ["module path not a string", "module path outside", "pooling config missing", "pooling config empty", "prompts not a mapping"])
def test_a_damaged_sentence_transformers_directory_is_a_located_error(finished_last, tmp_path, capsys, damage):
    """``--encoder`` on a sentence-transformers directory. Before: tracebacks from the library
    (``Pooling.__init__() missing ... 'embedding_dimension'``, ``'int' object has no attribute 'items'``)."""
    from xalign.export import export_sentence_transformers

    directory = export_sentence_transformers(finished_last[0] / "model", tmp_path / "st")
    if damage == "module path not a string":
        _edit_json(directory / "modules.json", lambda modules: [{**modules[0], "path": None}, *modules[1:]])
    elif damage == "module path outside":
        _edit_json(directory / "modules.json", lambda modules: [{**modules[0], "path": "../elsewhere"}, *modules[1:]])
    elif damage == "pooling config missing":
        next(directory.glob("*Pooling/config.json")).unlink()
    elif damage == "pooling config empty":
        _edit_json(next(directory.glob("*Pooling/config.json")), lambda _: {})
    else:
        _edit_json(directory / "config_sentence_transformers.json", lambda config: {**config, "prompts": 3})
    lines = tmp_path / "lines.txt"
    lines.write_text("will it rain\nwake me at seven\n", encoding="utf-8")
    code, err = _run_cli(["align-score", "--encoder", str(directory), str(lines), str(lines)], capsys)
    assert code == 2 and f"error: {directory}" in err and "Traceback" not in err, err
