"""The runner compares like with like: PAWS-X averages include English as the paper's do,
every model records its training files and alignment source, long test rows are counted and
scored at full length, and modes are named as the paper defines them.

Small PAWS-X and MTOP fixtures written here, a tiny random encoder, one epoch."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks.run import main

WORDS = "the a cat dog sat ran on under mat car red blue fast slow house tree die der katze hund sass lief auf unter matte auto rot blau".split()
HEADER = "id\tsentence1\tsentence2\tlabel\n"


def paws_rows(rng: random.Random, count: int, language: str, long_row: bool = False) -> str:
    pool = WORDS[:16] if language == "en" else WORDS[16:]
    rows = []
    for index in range(count):
        first = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
        second = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
        rows.append(f"{index}\t{first}\t{second}\t{index % 2}")
    if long_row:  # far past --max-length 16 in subwords
        rows[0] = f"0\t{' '.join(pool * 3)}\t{' '.join(pool * 2)}\t0"
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def paws_x(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("paws-x")
    rng = random.Random(0)
    for language, train_name in (("en", "train.tsv"), ("de", "translated_train.tsv")):
        (root / language).mkdir()
        (root / language / train_name).write_text(paws_rows(rng, 24, language), encoding="utf-8")
        (root / language / "dev_2k.tsv").write_text(paws_rows(rng, 8, language), encoding="utf-8")
        (root / language / "test_2k.tsv").write_text(paws_rows(rng, 8, language, long_row=language == "de"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def encoder(tmp_path_factory) -> Path:
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("encoder"), WORDS)


@pytest.fixture(autouse=True)
def restore_logging():
    from xalign.testing import restored_logging

    with restored_logging():
        yield


def test_paws_x_averages_include_english_and_every_model_records_its_data(paws_x, encoder, tmp_path, capsys):
    output = tmp_path / "out"
    code = main(["--dataset", "paws-x", "--data-dir", str(paws_x), "--encoder", str(encoder), "--modes", "zero-shot,target,translate-train,xeroalign",
                 "--epochs", "1", "--max-length", "16", "--device", "cpu", "--no-progress", "--output", str(output)])
    assert code == 0, capsys.readouterr().err
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert results["preset"] == "paper" and results["average_languages"] == ["en", "de"]
    by_key = {(run["mode"], run["language"]): run["metrics"]["accuracy"] for run in results["runs"]}
    for mode in ("zero-shot", "target", "translate-train", "xeroalign"):
        assert set(results["average"][mode]) == {"accuracy"}
        assert results["average"][mode]["accuracy"] == pytest.approx((by_key[(mode, "en")] + by_key[(mode, "de")]) / 2)
    models = results["modes"]
    assert models["translate-train"]["models"]["translate-train-de"]["training_files"] == [str(paws_x / "en" / "train.tsv"), str(paws_x / "de" / "translated_train.tsv")]
    assert models["xeroalign"]["models"]["xeroalign-de"]["alignment"] == {"de": "machine-translated target training set"}
    assert models["target"]["models"]["target-de"]["training_files"] == [str(paws_x / "de" / "translated_train.tsv")]
    # The long German test pair is counted, and read whole rather than cut to 16 subwords.
    assert results["long_test_rows"]["de"] == 1 and results["long_test_rows"]["en"] == 0
    report = (output / "results.md").read_text(encoding="utf-8")
    assert "Preset `paper`" in report and "average (en, de)" in report
    assert "Test rows longer than max length 16" in report and "de 1" in report
    assert "translate-train-de (translate-train, 1 epochs)" in report


def test_translate_train_is_refused_where_the_target_training_data_is_human_labelled(tmp_path, encoder, capsys):
    from benchmarks.demo.generate import write_demo_dataset

    data = tmp_path / "mtop"
    write_demo_dataset(data, train_size=16, test_size=4, eval_size=4, languages=("en", "de"))
    code = main(["--dataset", "mtop", "--data-dir", str(data), "--encoder", str(encoder), "--modes", "translate-train",
                 "--no-progress", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "use mode en+target" in err
    assert not (tmp_path / "out" / "models").exists()


def test_an_empty_evaluation_file_is_refused_before_training(paws_x, encoder, tmp_path, capsys):
    import shutil

    data = shutil.copytree(paws_x, tmp_path / "data")
    (data / "de" / "test_2k.tsv").write_text(HEADER, encoding="utf-8")
    code = main(["--dataset", "paws-x", "--data-dir", str(data), "--encoder", str(encoder), "--modes", "zero-shot",
                 "--epochs", "1", "--no-progress", "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "de/test has no examples" in err and "test_2k.tsv" in err
    assert not (tmp_path / "out" / "models").exists()
