"""Hostile input sizes and characters end in a located, bounded error or the right result:
a 1 MB field in any column of any dataset format, tokens JSON nested too deeply for
Python's parser, a zero batch size, and line separators inside a sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.datasets.mtod import MtodLoader
from benchmarks.datasets.mtop import MtopLoader
from xalign.__main__ import main
from xalign.alignment_score import read_parallel_lines
from xalign.errors import MESSAGE_LIMIT, DataError, excerpt

from .corruption import FORMATS, mtod_text, mtop_text

HUGE = 1_000_000


def test_excerpt_keeps_short_text_and_cuts_long_text_saying_how_much():
    assert excerpt("short line") == "short line"
    text = "S" * 10 + "x" * 5_000_000 + "E" * 10
    cut = excerpt(text, 200)
    assert len(cut) < 260
    assert cut.startswith("S" * 10) and cut.endswith("E" * 10)
    assert f"[{len(text) - 200} characters cut]" in cut


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
def test_a_huge_field_in_any_column_gives_a_bounded_located_error(fmt, tmp_path):
    lines = fmt.text().split("\n")
    index = 2 if fmt.header else 1  # the second record
    columns = lines[index].split("\t")
    cases = {f"column {column}": columns[:column] + [filler] + columns[column + 1:]
             for column in range(len(columns)) for filler in ("x" * HUGE, "9" * HUGE, " ".join(["ab"] * (HUGE // 3)))}
    cases["whole line"] = ["x" * HUGE]
    cases["extra column"] = [*columns, "x" * HUGE]
    tried = 0
    for name, replaced in cases.items():
        directory = tmp_path / f"case-{tried}"
        path = directory / fmt.relative_path
        path.parent.mkdir(parents=True)
        path.write_text("\n".join([*lines[:index], "\t".join(replaced), *lines[index + 1:]]), encoding="utf-8")
        tried += 1
        try:
            fmt.load(directory)
        except DataError as error:
            message = str(error)
            assert message.startswith(f"{path}:"), (name, message[:300])
            assert len(message) <= MESSAGE_LIMIT + len(str(path)) + 60, (name, len(message), message[:300])
    assert tried == len(cases)


def test_a_huge_header_line_is_echoed_as_an_excerpt(tmp_path):
    fmt = next(fmt for fmt in FORMATS if fmt.name == "paws-x")
    path = tmp_path / fmt.relative_path
    path.parent.mkdir(parents=True)
    path.write_text("x" * 5_000_000 + "\n" + fmt.text().split("\n", 1)[1], encoding="utf-8")
    with pytest.raises(DataError, match=r":1: expected the header row") as caught:
        fmt.load(tmp_path)
    assert len(str(caught.value)) < 600


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_mtop_tokens_json_nested_too_deeply_is_a_located_data_error(tmp_path):
    lines = mtop_text(8).splitlines()
    columns = lines[1].split("\t")
    columns[7] = json.dumps({"tokens": [], "tokenSpans": []})[:-1] + ', "deep": ' + nested(200_000) + "}"
    path = tmp_path / "en" / "test.txt"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([lines[0], "\t".join(columns), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"test\.txt:2: bad tokens JSON \(maximum recursion depth"):
        MtopLoader().load_split(tmp_path, "en", "test")


def test_mtod_tokenisation_json_nested_too_deeply_is_a_located_data_error(tmp_path):
    lines = mtod_text().splitlines()
    columns = lines[2].split("\t")
    columns[4] = '{"tokenizations": ' + nested(200_000) + "}"
    path = tmp_path / "en" / "test-en.tsv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join([*lines[:2], "\t".join(columns), *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"test-en\.tsv:3: bad tokenisation JSON \(maximum recursion depth"):
        MtodLoader(format="tsv").load_split(tmp_path, "en", "test")


@pytest.fixture
def parallel(tmp_path) -> tuple[Path, Path]:
    source, target = tmp_path / "en.txt", tmp_path / "de.txt"
    source.write_text("set an alarm\nplay some jazz\n", encoding="utf-8")
    target.write_text("stelle einen wecker\nspiel etwas jazz\n", encoding="utf-8")
    return source, target


@pytest.mark.parametrize("size", ["0", "-3"])
def test_align_score_refuses_a_batch_size_below_one_before_loading_anything(parallel, size, toy_encoder_dir, capsys):
    assert main(["align-score", "--encoder", str(toy_encoder_dir), "--batch-size", size, *map(str, parallel)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: batch_size must be a positive integer") and "--batch-size" in err
    # Refused before any load is tried: an encoder that does not exist gives the same error.
    assert main(["align-score", "--encoder", "/no/such/encoder", "--batch-size", size, *map(str, parallel)]) == 2
    assert capsys.readouterr().err.startswith("error: batch_size must be a positive integer")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x1e"])
def test_a_unicode_line_separator_inside_a_sentence_does_not_split_it(tmp_path, separator):
    source, target = tmp_path / "en.txt", tmp_path / "de.txt"
    source.write_text(f"set an{separator}alarm\r\nplay some jazz\n", encoding="utf-8")
    target.write_text("stelle einen wecker\nspiel etwas jazz", encoding="utf-8")  # no final newline
    sources, targets = read_parallel_lines(source, target)
    assert sources == [f"set an{separator}alarm", "play some jazz"]
    assert targets == ["stelle einen wecker", "spiel etwas jazz"]
