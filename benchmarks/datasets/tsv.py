"""Strict line reading shared by every dataset loader.

Owns the byte-level rules: UTF-8 only (a clear error naming file and line otherwise), a
UTF-8 byte-order mark and CRLF line endings accepted transparently, tab-separated columns
counted exactly, and a problem found while parsing a line reported at ``file:line``
(:func:`located`). Knows nothing of any dataset's columns or labels.

Lines are split on ``\\n`` only. ``str.splitlines`` would also split on characters such
as U+2028 or U+0085, which can occur inside an utterance, and would shift every later
line number.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Sequence

from xalign.errors import DataError, excerpt

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def read_lines(path: Path) -> list[tuple[int, str]]:
    """Every line of ``path`` as ``(1-based line number, text without its line ending)``.

    A final newline ends the last line rather than starting an empty one; any other empty
    line is returned (as ``""``) so that callers count it instead of losing it.
    """
    path = Path(path)
    data = path.read_bytes()  # the largest file (PAWS-X English train) is about 10 MB
    if data.startswith(UTF16_BOMS):
        raise DataError("the file is UTF-16 encoded; re-save it as UTF-8", path, 1)
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    raw_lines = data.split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataError(
                f"invalid UTF-8 at byte {error.start + 1} of the line ({error.reason}); "
                "re-save the file as UTF-8",
                path,
                number,
            ) from None
        lines.append((number, text))
    return lines


def split_columns(text: str, expected: int | Sequence[int], path: Path, line: int) -> list[str]:
    """The tab-separated columns of one line, or a :class:`DataError` if their count is wrong."""
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)
    columns = text.split("\t")
    if len(columns) not in allowed:
        wanted = " or ".join(str(count) for count in allowed)
        raise DataError(f"expected {wanted} tab-separated columns, found {len(columns)}", path, line)
    return columns


def check_header(lines: list[tuple[int, str]], names: Sequence[str], path: Path) -> list[tuple[int, str]]:
    """The lines after a header row that must read ``names`` (tab-separated)."""
    if not lines:
        raise DataError(f"empty file; expected a header row {' '.join(names)!r}", path, 1)
    number, text = lines[0]
    found = [column.strip() for column in text.split("\t")]
    if found != list(names):
        raise DataError(f"expected the header row {'<TAB>'.join(names)!r}, found {excerpt(text)!r}", path, number)
    return lines[1:]


@contextlib.contextmanager
def located(path: Path, line: int) -> Iterator[None]:
    """Turn a ``ValueError`` (or an unlocated :class:`DataError`) raised while parsing one
    line into a :class:`DataError` at ``path:line``."""
    try:
        yield
    except DataError as error:
        if error.path is not None:
            raise
        raise DataError(error.problem, path, line) from error
    except ValueError as error:
        raise DataError(str(error), path, line) from error
