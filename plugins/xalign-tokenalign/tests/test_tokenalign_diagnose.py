"""The diagnostic command: statistics of true against mismatched pairs, clear errors on bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from tokenalign_toy import toy_config, toy_examples, toy_translations

import xalign
from xalign_tokenalign.diagnose import DEFAULT_TEMPERATURE, diagnose, main, model_temperature


def parallel_files(tmp_path):
    english = [example.text for example in toy_examples()]
    german = [toy_translations()["de"][example.id].text for example in toy_examples()]
    source, target = tmp_path / "en.txt", tmp_path / "de.txt"
    source.write_text("\n".join(english) + "\n", encoding="utf-8")
    target.write_text("\n".join(german) + "\n", encoding="utf-8")
    return source, target


@pytest.fixture(scope="module")
def trained_model(tiny_encoder_dir, tmp_path_factory):
    config = toy_config(str(tiny_encoder_dir), "mse+token-align:1,slot-projection")
    assembly, _ = xalign.build(config)
    result = xalign.train(assembly, toy_examples(), toy_translations(), config.training, output_dir=tmp_path_factory.mktemp("diagnose") / "run")
    return result.model_dir


def test_diagnose_reports_every_statistic_for_true_and_mismatched_pairs(trained_model, tmp_path):
    source, target = parallel_files(tmp_path)
    assembly = xalign.load_pretrained(trained_model)
    assert model_temperature(assembly) == 0.05  # the model's own token-align temperature
    result = diagnose(assembly, source.read_text().splitlines(), target.read_text().splitlines(), batch_size=3, show=2)
    assert result["pairs"]["pairs"] == len(toy_examples())
    for side in ("pairs", "mismatched"):
        assert 0 <= result[side]["entropy"] <= 1 and 0 <= result[side]["diagonal_distance"] <= 1
        assert 0 <= result[side]["mutual_argmax"] <= 1 and 0 < result[side]["hub_share"] <= 1
    assert len(result["examples"]) == 2
    first_english_words = toy_examples()[0].words
    assert [source for source, _, _ in result["examples"][0]["links"]] == list(first_english_words)  # words only: no specials, no prefix


def test_diagnose_command_prints_a_table_or_json(trained_model, tmp_path):
    source, target = parallel_files(tmp_path)
    shown = subprocess.run([sys.executable, "-m", "xalign_tokenalign.diagnose", str(trained_model), str(source), str(target), "--show", "1"],
                           capture_output=True, text=True, check=True)
    assert "translation pairs" in shown.stdout and "mismatched pairs" in shown.stdout and "diagonal_distance" in shown.stdout
    as_json = subprocess.run([sys.executable, "-m", "xalign_tokenalign.diagnose", str(trained_model), str(source), str(target), "--json", "--temperature", "0.1"],
                             capture_output=True, text=True, check=True)
    result = json.loads(as_json.stdout)
    assert result["temperature"] == 0.1 and math.isfinite(result["pairs"]["entropy"])


def test_an_encoder_name_works_too_with_the_default_temperature(tiny_encoder_dir, tmp_path, capsys):
    source, target = parallel_files(tmp_path)
    assert main([str(tiny_encoder_dir), str(source), str(target), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["temperature"] == DEFAULT_TEMPERATURE


def test_bad_input_is_an_error_naming_the_file_and_line(trained_model, tmp_path, capsys):
    source, target = parallel_files(tmp_path)
    target.write_text("eins\n\nzwei\n", encoding="utf-8")
    assert main([str(trained_model), str(source), str(target)]) == 2
    error = capsys.readouterr().err
    assert str(target) in error and "2" in error and "empty line" in error
    assert main([str(trained_model), str(source), str(source), "--temperature", "0"]) == 2
    assert "temperature" in capsys.readouterr().err
