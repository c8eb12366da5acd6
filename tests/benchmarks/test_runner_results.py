"""``python -m benchmarks.run``: the files it writes and the schema of ``results.json``.

Runs in-process on a small generated demo dataset (MTOP format) and a tiny random encoder.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from benchmarks.run import main


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> Path:
    from benchmarks.demo.generate import write_demo_dataset

    directory = tmp_path_factory.mktemp("demo")
    write_demo_dataset(directory, train_size=48, test_size=16, eval_size=8, languages=("en", "de", "th"))
    return directory


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory, small_demo) -> Path:
    from xalign.testing import save_tiny_encoder

    words = set()
    for path in small_demo.glob("*/*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words.update(line.split("\t")[3].split())
    return save_tiny_encoder(tmp_path_factory.mktemp("encoder"), sorted(words))


@pytest.fixture(autouse=True)
def quiet_logging_and_one_thread():
    import torch

    root = logging.getLogger()
    handlers, level, threads = list(root.handlers), root.level, torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def common(data_dir: Path, encoder: Path, output: Path) -> list[str]:
    return ["--data-dir", str(data_dir), "--encoder", str(encoder), "--epochs", "1", "--batch-size", "8",
            "--max-length", "32", "--device", "cpu", "--no-progress", "--output", str(output)]


def test_results_json_has_exactly_the_documented_schema_and_the_report_files_exist(small_demo, tiny_encoder, tmp_path, capsys):
    output = tmp_path / "out"
    code = main(["--dataset", "mtop", "--modes", "zero-shot,xeroalign", "--align-languages", "both", *common(small_demo, tiny_encoder, output)])
    assert code == 0, capsys.readouterr().err
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert set(results) == {"dataset", "encoder", "pooler", "aligner", "preset", "average_languages", "config", "languages",
                            "train_examples", "alignment_sources", "translation_sources", "translation_counts", "long_test_rows",
                            "data_notes", "modes", "runs", "average"}
    # MTOP runs under the paper preset, whose sentence embedding is the encoder's pooler output.
    assert (results["dataset"], results["aligner"], results["pooler"], results["preset"]) == ("mtop", "mse", "pooler", "paper")
    assert results["encoder"] == str(tiny_encoder)
    assert results["average_languages"] == ["de", "th"]
    assert results["alignment_sources"] == {"de": "parallel target training set (human translations)", "th": "parallel target training set (human translations)"}
    assert results["modes"]["xeroalign"]["models"]["xeroalign-de"]["training_files"] == [str(small_demo / "en" / "train.txt")]
    assert results["modes"]["xeroalign"]["models"]["xeroalign-de"]["alignment"] == {"de": "parallel target training set (human translations)"}
    assert set(results["long_test_rows"]) == {"en", "de", "th"}
    for run in results["runs"]:
        assert set(run) == {"mode", "language", "metrics", "models", "train_seconds", "long_test_rows"}
        assert set(run["metrics"]) == {"intent_acc", "slot_f1", "joint_acc"}
        assert all(0.0 <= value <= 1.0 for value in run["metrics"].values())
    pairs = {(run["mode"], run["language"]) for run in results["runs"]}
    # zero-shot is trained once and tested everywhere; xeroalign once per language; xeroalign-all once.
    assert pairs == {("zero-shot", "en"), ("zero-shot", "de"), ("zero-shot", "th"), ("xeroalign", "de"), ("xeroalign", "th"),
                     ("xeroalign-all", "de"), ("xeroalign-all", "th")}
    zero_shot_seconds = {run["train_seconds"] for run in results["runs"] if run["mode"] == "zero-shot"}
    assert len(zero_shot_seconds) == 1
    assert set(results["average"]) == {"zero-shot", "xeroalign", "xeroalign-all"}
    de_th = [run["metrics"]["intent_acc"] for run in results["runs"] if run["mode"] == "zero-shot" and run["language"] != "en"]
    assert results["average"]["zero-shot"]["intent_acc"] == pytest.approx(sum(de_th) / 2)
    assert results["translation_sources"]["de"].startswith("joined on id")
    assert results["config"]["model"]["encoder"] == str(tiny_encoder)
    assert results["config"]["sources"]["training.learning_rate"] == "preset paper"
    assert results["config"]["sources"]["training.epochs"] == "flag"
    table = (output / "results.md").read_text(encoding="utf-8")
    assert "| language | zero-shot | xeroalign | xeroalign-all |" in table and "average" in table
    assert (output / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (output / "run.log").is_file()
    assert (output / "models" / "xeroalign-de" / "model" / "head.safetensors").is_file()
    printed = capsys.readouterr().out
    assert "| th |" in printed


def test_dataset_all_runs_what_it_finds_lists_the_failures_and_exits_2(small_demo, tiny_encoder, tmp_path, capsys):
    root = tmp_path / "data"
    root.mkdir()
    (root / "mtop").symlink_to(small_demo, target_is_directory=True)
    output = tmp_path / "out"
    code = main(["--dataset", "all", "--modes", "zero-shot", "--languages", "de", *common(root, tiny_encoder, output)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert (output / "mtop" / "results.json").is_file()
    for missing in ("mtod", "paws-x", "multiatis"):
        assert f"failed: {missing}: " in captured.err


def test_missing_dataset_files_exit_2_naming_where_they_were_expected(tiny_encoder, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code = main(["--dataset", "mtop", "--modes", "zero-shot", *common(empty, tiny_encoder, tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "train.txt" in err and str(empty) in err and "Download" in err


def test_an_unknown_aligner_exits_2_with_a_suggestion_before_training(small_demo, tiny_encoder, tmp_path, capsys):
    code = main(["--dataset", "mtop", "--aligner", "mes", *common(small_demo, tiny_encoder, tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown aligner 'mes'" in err and "Did you mean 'mse'?" in err
    assert not (tmp_path / "out" / "models").exists()


def test_settings_come_from_a_yaml_file_and_flags_override_them(small_demo, tiny_encoder, tmp_path, capsys):
    settings = tmp_path / "settings.yaml"
    settings.write_text("training:\n  epochs: 3\n  batch_size: 8\nbenchmark:\n  dataset: mtop\n  modes: [zero-shot]\n  languages: [de]\n", encoding="utf-8")
    output = tmp_path / "out"
    code = main(["--config", str(settings), *common(small_demo, tiny_encoder, output)])
    assert code == 0, capsys.readouterr().err
    saved = json.loads((output / "results.json").read_text(encoding="utf-8"))["config"]
    assert saved["config"]["training"]["epochs"] == 1 and saved["sources"]["training.epochs"] == "flag"  # the flag wins over the file's 3
    assert saved["benchmark"]["modes"] == ["zero-shot"] and saved["benchmark"]["languages"] == ["de"]
    assert saved["sources"]["benchmark.modes"] == f"file {settings}"


def test_a_finished_runs_saved_config_reproduces_it(small_demo, tiny_encoder, tmp_path, capsys):
    first = tmp_path / "first"
    code = main(["--dataset", "mtop", "--modes", "zero-shot", "--languages", "de", "--set", "training.weight_decay=0.05", *common(small_demo, tiny_encoder, first)])
    assert code == 0, capsys.readouterr().err
    second = tmp_path / "second"
    code = main(["--config", str(first / "run_config.yaml"), "--output", str(second)])
    assert code == 0, capsys.readouterr().err
    one, two = (json.loads((path / "results.json").read_text(encoding="utf-8")) for path in (first, second))
    assert one["config"]["config"] == two["config"]["config"]
    assert one["config"]["config"]["training"]["weight_decay"] == 0.05
    assert [run["metrics"] for run in one["runs"]] == [run["metrics"] for run in two["runs"]]


def test_the_runner_says_the_disk_it_needs_before_training_and_keeps_no_more(small_demo, tiny_encoder, tmp_path, capsys):
    import re

    output = tmp_path / "out"
    arguments = ["--dataset", "mtop", "--modes", "zero-shot", "--languages", "de", "--set", "training.save_precision=fp16"]
    assert main([*arguments, *common(small_demo, tiny_encoder, output)]) == 0, capsys.readouterr().err
    log = (output / "run.log").read_text(encoding="utf-8")
    announced = re.search(r"disk: each model needs up to ([\d,]+) MB while it trains and keeps ([\d,]+) MB; 1 model\(s\) keep about ([\d,]+) MB", log)
    assert announced, log
    assert log.index("disk: each model") < log.index("epoch 1 |")  # said before the first model trains
    kept = sum(path.stat().st_size for path in (output / "models").rglob("*") if path.is_file())
    assert not list((output / "models").rglob("checkpoints"))  # removed after training under the paper preset
    assert kept <= int(announced.group(3).replace(",", "")) * 2**20


def test_a_saved_runner_model_is_scored_on_raw_text_beside_its_pre_split_words(small_demo, tiny_encoder, tmp_path, capsys):
    from benchmarks import raw_text

    output = tmp_path / "out"
    assert main(["--dataset", "mtop", "--modes", "zero-shot", "--languages", "th", *common(small_demo, tiny_encoder, output)]) == 0
    capsys.readouterr()
    report_file = tmp_path / "raw.json"
    model = output / "models" / "zero-shot" / "model"
    code = raw_text.main([str(model), "--dataset", "mtop", "--data-dir", str(small_demo), "--languages", "th,en", "--output", str(report_file)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "| th |" in printed and "| en |" in printed
    report = json.loads(report_file.read_text(encoding="utf-8"))
    for language in ("th", "en"):
        scores = report["languages"][language]
        assert scores["examples"] == 16 and scores["spans_off_text"] == 0
        assert set(scores["raw_text"]) == {"span_f1", "span_precision", "span_recall", "intent_acc"}
        assert 0.0 <= scores["pre_split"]["slot_f1"] <= 1.0
    # English words are joined with spaces, so both readings see the same subwords and agree.
    english = report["languages"]["en"]
    assert english["raw_text"]["intent_acc"] == english["pre_split"]["intent_acc"]


def test_raw_text_scores_refuse_a_batch_size_of_zero_by_name(capsys):
    from benchmarks import raw_text

    assert raw_text.main(["unused", "--batch-size", "0"]) == 2
    assert "--batch-size 0: must be at least 1" in capsys.readouterr().err
