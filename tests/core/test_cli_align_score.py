"""``python -m xalign align-score``: retrieval and cosine scores of two line-aligned files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import xalign
from xalign.__main__ import main

from .toy_data import TOY_EXAMPLES, TOY_TRANSLATIONS, toy_config

KEYS = {"encoder", "pooler", "pairs", "top1_src2tgt", "top1_tgt2src", "mean_cos_true", "mean_cos_random"}


@pytest.fixture
def parallel_files(tmp_path) -> tuple[Path, Path]:
    english = [example.text for example in TOY_EXAMPLES[::7]]
    german = [TOY_TRANSLATIONS["de"][example.id].text for example in TOY_EXAMPLES[::7]]
    source, target = tmp_path / "src.txt", tmp_path / "tgt.txt"
    source.write_text("\n".join(english) + "\n", encoding="utf-8")
    target.write_text("\n".join(german) + "\n", encoding="utf-8")
    return source, target


def check_scores(scores: dict, pairs: int) -> None:
    assert set(scores) == KEYS
    assert scores["pairs"] == pairs
    assert 0.0 <= scores["top1_src2tgt"] <= 1.0 and 0.0 <= scores["top1_tgt2src"] <= 1.0
    assert -1.0 <= scores["mean_cos_random"] <= 1.0 and -1.0 <= scores["mean_cos_true"] <= 1.0


def test_align_score_prints_the_documented_json_keys(tiny_encoder_dir, parallel_files):
    source, target = parallel_files
    completed = subprocess.run(
        [sys.executable, "-m", "xalign", "align-score", "--encoder", str(tiny_encoder_dir), str(source), str(target), "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert completed.returncode == 0, completed.stderr
    scores = json.loads(completed.stdout)
    check_scores(scores, pairs=6)
    assert scores["encoder"] == str(tiny_encoder_dir) and scores["pooler"] == "cls"


def test_align_score_reads_a_saved_xalign_model(tiny_registry, parallel_files, tmp_path, capsys):
    assembly, _ = xalign.build(toy_config(), registry=tiny_registry)
    xalign.save_pretrained(assembly, tmp_path / "model")
    source, target = parallel_files
    assert main(["align-score", "--encoder", str(tmp_path / "model"), "--pooler", "cls", str(source), str(target), "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    check_scores(scores, pairs=6)
    assert scores["pooler"] == "cls"


def test_files_of_different_lengths_exit_with_code_2_naming_both(parallel_files, capsys):
    source, target = parallel_files
    target.write_text("eins\nzwei\n", encoding="utf-8")
    assert main(["align-score", "--encoder", "unused", str(source), str(target)]) == 2
    error = capsys.readouterr().err
    assert str(source) in error and str(target) in error and "6 lines" in error and "2" in error


def test_an_empty_line_is_reported_with_file_and_line(parallel_files, capsys):
    source, target = parallel_files
    lines = target.read_text(encoding="utf-8").splitlines()
    lines[2] = "   "
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["align-score", "--encoder", "unused", str(source), str(target)]) == 2
    assert f"{target}:3: empty line" in capsys.readouterr().err
