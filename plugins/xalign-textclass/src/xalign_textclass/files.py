"""Reading ``text<TAB>label`` files and translation files, strictly, with file and line in every error.

Byte rules: UTF-8 (a byte-order mark is accepted), ``\\n`` or ``\\r\\n`` line endings.
Lines are split on ``\\n`` only (``str.splitlines`` would also split inside an utterance on
U+2028 or U+0085 and shift every later line number). Knows nothing of the runner.
"""

from __future__ import annotations

from pathlib import Path

from xalign.data.examples import ClassificationExample, Translation
from xalign.errors import DataError

HEADER = ("text", "label")


def read_lines(path: Path) -> list[tuple[int, str]]:
    """``(1-based line number, text)`` for every line of ``path``; a final newline adds no line."""
    data = Path(path).read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("the file is UTF-16 encoded; re-save it as UTF-8", path, 1)
    data = data.removeprefix(b"\xef\xbb\xbf")
    raw_lines = data.split(b"\n")
    if raw_lines[-1] == b"":
        raw_lines.pop()
    lines = []
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append((number, raw.removesuffix(b"\r").decode("utf-8")))
        except UnicodeDecodeError as error:
            raise DataError(f"invalid UTF-8 at byte {error.start + 1} of the line; re-save the file as UTF-8", path, number) from None
    return lines


def read_examples(path: Path, language: str, split: str) -> tuple[list[ClassificationExample], dict[str, int]]:
    """Examples of one ``text<TAB>label`` file and counted quirks (blank lines, a header).

    Ids are ``<language>-<split>-<line number>``, so a keyed translation file can name them
    and line-aligned translations follow the file's order. An optional first line
    ``text<TAB>label`` is a header.
    """
    examples: list[ClassificationExample] = []
    notes = {"blank_lines": 0, "header": 0}
    for number, text in read_lines(path):
        if not text.strip():
            notes["blank_lines"] += 1
            continue
        columns = text.split("\t")
        if number == 1 and tuple(column.strip().lower() for column in columns) == HEADER:
            notes["header"] = 1
            continue
        if len(columns) != 2:
            raise DataError(f"expected 2 tab-separated columns (text, label), found {len(columns)}", path, number)
        utterance, label = columns[0].strip(), columns[1].strip()
        if not utterance:
            raise DataError("the text column is empty", path, number)
        if not label:
            raise DataError("the label column is empty", path, number)
        examples.append(ClassificationExample(id=f"{language}-{split}-{number}", text=utterance, label=label, language=language))
    if not examples:
        raise DataError("no examples: the file holds no text<TAB>label rows", path)
    return examples, {key: value for key, value in notes.items() if value}


def read_translations(path: Path, language: str, english_ids: list[str]) -> tuple[dict[str, Translation], str, dict[str, int]]:
    """Translations of the English examples ``english_ids`` from ``path``: ``(by_id, form, notes)``.

    Keyed (``id<TAB>text``, any order, any subset) when the first non-blank line has two
    columns and its first column is an English id; otherwise line-aligned (line i
    translates English example i, one text per line, as many lines as examples).
    """
    lines = read_lines(path)
    known = set(english_ids)
    first = next((text for _, text in lines if text.strip()), "")
    columns = first.split("\t")
    if len(columns) == 2 and columns[0].strip() in known:
        return _keyed(path, lines, language, known)
    return _line_aligned(path, lines, language, english_ids)


def _line_aligned(path: Path, lines: list[tuple[int, str]], language: str, english_ids: list[str]):
    while lines and not lines[-1][1].strip():  # blank lines at the end translate nothing
        lines = lines[:-1]
    if len(lines) != len(english_ids):
        raise DataError(
            f"{len(lines)} lines in a line-aligned translation file for {len(english_ids)} English training "
            "examples; line i must translate English example i, so the counts must be equal",
            path,
        )
    by_id = {}
    for (number, text), example_id in zip(lines, english_ids):
        if "\t" in text:
            raise DataError(
                "a line-aligned translation line holds one text and no tab (in a keyed file the first "
                f"column is an English id such as {english_ids[0]!r})",
                path,
                number,
            )
        if not text.strip():
            raise DataError(f"empty translation of English example {example_id!r}", path, number)
        by_id[example_id] = Translation(id=example_id, language=language, text=text.strip())
    return by_id, "line-aligned", {}


def _keyed(path: Path, lines: list[tuple[int, str]], language: str, known: set[str]):
    by_id: dict[str, Translation] = {}
    first_line: dict[str, int] = {}
    for number, text in lines:
        if not text.strip():
            continue
        columns = text.split("\t")
        if len(columns) != 2:
            raise DataError(f"a keyed translation line holds 2 tab-separated columns (id, text), found {len(columns)}", path, number)
        example_id, translated = columns[0].strip(), columns[1].strip()
        if example_id not in known:
            raise DataError(f"id {example_id!r} is not the id of an English training example", path, number)
        if example_id in first_line:
            raise DataError(f"id {example_id!r} is translated twice (first on line {first_line[example_id]})", path, number)
        if not translated:
            raise DataError(f"empty translation of English example {example_id!r}", path, number)
        first_line[example_id] = number
        by_id[example_id] = Translation(id=example_id, language=language, text=translated)
    return by_id, "keyed", {"untranslated": len(known) - len(by_id)}
