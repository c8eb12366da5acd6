"""``python -m benchmarks.demo DIR`` writes the dataset and prints its counts."""

from __future__ import annotations

from benchmarks.demo.__main__ import main


def test_cli_writes_the_dataset_and_prints_counts(tmp_path, capsys):
    assert main([str(tmp_path), "--seed", "4", "--train-size", "20", "--eval-size", "5", "--test-size", "10"]) == 0
    output = capsys.readouterr().out
    assert "seed 4" in output and "14 intents" in output
    assert any(line.split() == ["th", "20", "5", "10", "20"] for line in output.splitlines())
    assert len((tmp_path / "en" / "train.txt").read_text(encoding="utf-8").splitlines()) == 20


def test_cli_reports_bad_settings_and_fails(tmp_path, capsys):
    assert main([str(tmp_path), "--test-unseen-value-rate", "2"]) == 2
    assert "test_unseen_value_rate" in capsys.readouterr().err
