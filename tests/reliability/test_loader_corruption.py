"""Property tests: every dataset loader, fed corrupted versions of a valid file, either loads
(the same examples, for harmless changes such as CRLF line endings or a byte-order mark),
accounts for every line (an example or a counted Skip), or raises a DataError naming the
file and the line — never another exception, never a silent drop.

The number of corrupted inputs tried per format is printed at the end of the session.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xalign.datasets import LoadedSplit
from xalign.errors import DataError

from .corruption import FORMATS, HARMLESS, UTF8_BOM, applicable, corrupt

TRIED: collections.Counter = collections.Counter()  # (format, outcome) -> corrupted inputs tried
# 300 per format keeps this file under 20 s on two shared cores; raise it for a longer hunt.
EXAMPLES_PER_FORMAT = int(os.environ.get("XALIGN_CORRUPTION_EXAMPLES", "300"))


def outcome_of(fmt, directory: Path, path: Path, corrupted: bytes, touched: set[int] | None, harmless: bool, expected) -> str:
    """Load ``corrupted`` and check the result; returns how it ended.

    ``touched``: the lines the corruption changed; an error must name one of them.
    """
    path.write_bytes(corrupted)
    try:
        loaded = fmt.load(directory)
    except DataError as error:
        assert error.path is not None and Path(error.path) == path, f"the error does not name the file: {error}"
        if error.line is None:
            # The one whole-file problem: a translation file read as line-aligned whose line count
            # is not the English example count (no single line is at fault; both counts are named).
            assert fmt.kind in ("line-aligned", "keyed") and "line i must translate English example i" in error.problem, str(error)
            return "error naming the file (line count)"
        assert 1 <= error.line <= len(fmt.lines_of(corrupted)), f"line {error.line} is not in the file: {error}"
        assert f"{path}:{error.line}: " in str(error)
        # A duplicate id is reported at its second line, naming the first: either may be the changed one.
        names_changed_line = touched is None or error.line in touched or any(f"line {number})" in error.problem for number in touched)
        assert names_changed_line, f"the error names line {error.line}, the change was on {sorted(touched)}: {error}"
        return "error naming file and line"
    assert not harmless or _same(loaded, expected), f"a harmless change altered the result: {loaded} != {expected}"
    if isinstance(loaded, LoadedSplit):
        accounted = len(loaded.examples) + len(loaded.skipped)
        assert accounted == fmt.records(corrupted), f"{fmt.records(corrupted)} records, {len(loaded.examples)} examples, {len(loaded.skipped)} skips"
        return "loaded with counted skips" if loaded.skipped else ("loaded, same examples" if harmless else "loaded")
    notes = loaded.notes
    kept = len(loaded.by_id)
    if loaded.source.startswith("line-aligned"):
        assert kept + notes["empty_translations"] == fmt.records(corrupted)
    else:
        assert kept + notes["empty_translations"] + notes["blank_lines"] == fmt.records(corrupted)
    assert notes["untranslated"] == len(expected.by_id) - kept  # every English example without one is counted
    return "loaded with counted omissions" if kept < len(expected.by_id) else ("loaded, same examples" if harmless else "loaded")


def _same(loaded, expected) -> bool:
    if isinstance(loaded, LoadedSplit):
        return loaded.examples == expected.examples and loaded.skipped == expected.skipped
    return loaded.by_id == expected.by_id


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A directory per format holding its valid file, and the valid load to compare against."""
    prepared = {}
    for fmt in FORMATS:
        directory = tmp_path_factory.mktemp(fmt.name)
        path = directory / fmt.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        original = fmt.text().encode("utf-8")
        path.write_bytes(original)
        prepared[fmt.name] = (directory, path, original, fmt.load(directory))
    return prepared


@pytest.mark.parametrize("fmt", FORMATS, ids=[fmt.name for fmt in FORMATS])
@settings(max_examples=EXAMPLES_PER_FORMAT, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_corrupted_files_load_the_same_or_account_for_every_line_or_fail_naming_file_and_line(fmt, workspace, data):
    directory, path, original, expected = workspace[fmt.name]
    name = data.draw(st.sampled_from(applicable(fmt)), label="corruption")
    corrupted, touched = corrupt(fmt, original, name, data)
    harmless = name in HARMLESS or corrupted == original
    # Windows line endings and a byte-order mark on top of any corruption change no result and no line number.
    if b"\r\n" not in corrupted and data.draw(st.booleans(), label="CRLF on top"):
        corrupted = corrupted.replace(b"\n", b"\r\n")
    if not corrupted.startswith(UTF8_BOM) and data.draw(st.booleans(), label="BOM on top"):
        corrupted = UTF8_BOM + corrupted
    outcome = outcome_of(fmt, directory, path, corrupted, touched, harmless, expected)
    TRIED[(fmt.name, name, outcome)] += 1


def test_the_valid_files_load_completely(workspace):
    for fmt in FORMATS:
        _, _, original, expected = workspace[fmt.name]
        count = len(expected.examples) if isinstance(expected, LoadedSplit) else len(expected.by_id)
        assert count == fmt.records(original) and count >= 4, fmt.name


@pytest.mark.parametrize("start", ["\u0661\u0663", "\uff11\uff13", "1\u00b3"])
def test_slot_offsets_in_digits_other_than_ascii_are_a_located_error(tmp_path, start):
    """``str.isdigit`` accepted them: the Arabic-Indic "١٣" and the fullwidth "１３" were read as 13
    without a word, and "1³" ended in int()'s own message instead of the loader's."""
    from benchmarks.datasets.mtop import MtopLoader

    from .corruption import mtop_text

    lines = mtop_text(8).splitlines()
    columns = lines[0].split("\t")
    assert columns[2] == "13:21:SL:DATE_TIME"
    columns[2] = f"{start}:21:SL:DATE_TIME"
    path = tmp_path / "en" / "test.txt"
    path.parent.mkdir()
    path.write_text("\n".join(["\t".join(columns), *lines[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"{path}:1: .*slot '{start}:21:SL:DATE_TIME' has a non-numeric offset"):
        MtopLoader().load_split(tmp_path, "en", "test")
