"""Strict line reading: UTF-8 with located errors, BOM and CRLF accepted, no line lost."""

from __future__ import annotations

import pytest

from benchmarks.datasets.tsv import check_header, read_lines, split_columns
from xalign.errors import DataError


def test_bom_and_crlf_are_accepted_transparently(write):
    path = write("a.tsv", "\ufeffid\ttext\r\n1\tgood morning\r\n2\tgood night\n")
    assert read_lines(path) == [(1, "id\ttext"), (2, "1\tgood morning"), (3, "2\tgood night")]


def test_empty_lines_are_returned_not_dropped(write):
    path = write("a.tsv", "one\n\ntwo\n\n")
    assert read_lines(path) == [(1, "one"), (2, ""), (3, "two"), (4, "")]


def test_unicode_line_separators_inside_a_line_do_not_split_it(write):
    path = write("a.tsv", "left\u2028right\x85end\nnext\n")
    assert read_lines(path) == [(1, "left\u2028right\x85end"), (2, "next")]


def test_invalid_utf8_names_file_and_line(write):
    path = write("bad.tsv", b"fine\nalso fine\nbroken \xff byte\n")
    with pytest.raises(DataError) as caught:
        read_lines(path)
    assert f"{path}:3:" in str(caught.value)
    assert "invalid UTF-8" in str(caught.value)
    assert caught.value.line == 3


def test_utf16_file_is_refused_with_the_fix(write):
    path = write("wide.tsv", "id\ttext\n".encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16"):
        read_lines(path)


def test_wrong_column_count_names_both_counts(tmp_path):
    with pytest.raises(DataError) as caught:
        split_columns("a\tb", 3, tmp_path / "x.tsv", 7)
    assert "x.tsv:7:" in str(caught.value)
    assert "expected 3 tab-separated columns, found 2" in str(caught.value)


def test_header_mismatch_is_reported(tmp_path):
    with pytest.raises(DataError, match="header"):
        check_header([(1, "id\tsentence")], ("id", "sentence1"), tmp_path / "x.tsv")
