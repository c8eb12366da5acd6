"""Valid small dataset files in every format the loaders read, and ways to corrupt them.

Each :class:`Format` writes one valid file in the real published layout, loads it through
the real loader, and says which column holds what (so a corruption can aim at the tokens
JSON, the slot spans or the utterance) and how many records a file holds (so a successful
load can be checked to account for every line: an example or a counted skip).

Corruptions work on the file's bytes and draw their choices from a Hypothesis ``data``
object, so a failing case shrinks to a small one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import attrs
from hypothesis import strategies as st

from benchmarks.datasets.mtod import MtodLoader
from benchmarks.datasets.mtop import MtopLoader
from benchmarks.datasets.multiatis import MultiAtisLoader
from benchmarks.datasets.paws_x import PawsXLoader
from benchmarks.datasets.translations import read_translation_file
from xalign.data.examples import SlotFillingExample

UTF8_BOM = b"\xef\xbb\xbf"
HARMLESS = ("crlf", "bom", "bom_and_crlf")  # must load to the very same examples


def tokens_json(utterance: str, lower: bool = False) -> dict:
    """Whitespace tokens of ``utterance`` with character spans, as MTOP/MTOD write them."""
    tokens, spans, position = [], [], 0
    for word in utterance.split():
        start = utterance.index(word, position)
        tokens.append(word.lower() if lower else word)
        spans.append({"start": start, "length": len(word)})
        position = start + len(word)
    return {"tokens": tokens, "tokenSpans": spans}


# (id, intent, slots as (word, type) pairs, utterance); slot offsets are computed.
JOINT_ROWS = [
    ("101", "IN:GET_WEATHER", [("tomorrow", "DATE_TIME")], "will it rain tomorrow"),
    ("102", "IN:CREATE_ALARM", [("seven", "DATE_TIME")], "wake me at seven"),
    ("103", "IN:PLAY_MUSIC", [], "play some music"),
    ("104", "IN:SEND_MESSAGE", [("Priya", "RECIPIENT")], "text Priya that i am late"),
    ("105", "IN:GET_WEATHER", [("Oslo", "LOCATION"), ("today", "DATE_TIME")], "is Oslo cold today"),
]


def slot_field(utterance: str, slots: list[tuple[str, str]], prefix: str) -> str:
    return ",".join(f"{utterance.index(word)}:{utterance.index(word) + len(word)}:{prefix}{kind}" for word, kind in slots)


def mtop_text(columns: int) -> str:
    lines = []
    for example_id, intent, slots, utterance in JOINT_ROWS:
        row = [example_id, intent, slot_field(utterance, slots, "SL:"), utterance, "weather", "en_XX", f"[{intent} ]",
               json.dumps(tokens_json(utterance))]
        lines.append("\t".join(row if columns == 8 else row[1:]))
    return "".join(line + "\n" for line in lines)


def mtod_text() -> str:
    lines = []
    for _, intent, slots, utterance in JOINT_ROWS:
        intent = intent.removeprefix("IN:").lower().replace("_", "/", 1)
        tokenization = {"tokenizations": [tokens_json(utterance, lower=True)]}
        lines.append("\t".join([intent, slot_field(utterance, slots, ""), utterance, "en_XX", json.dumps(tokenization)]))
    return "".join(line + "\n" for line in lines)


def conll_text() -> str:
    blocks = []
    for _, intent, slots, utterance in JOINT_ROWS:
        intent = intent.removeprefix("IN:").lower()
        rows = [f"# text: {utterance}", f"# intent: {intent}", f"# slots: {slot_field(utterance, slots, '')}"]
        tagged = dict(slots)
        for index, word in enumerate(utterance.split(), start=1):
            tag = f"B-{tagged[word]}" if word in tagged else "NoLabel"
            rows.append(f"{index}\t{word.lower()}\t{intent}\t{tag}")
        blocks.append("\n".join(rows) + "\n")
    return "\n".join(blocks)


def multiatis_text() -> str:
    lines = ["id\tutterance\tslot_labels\tintent"]
    for example_id, intent, slots, utterance in JOINT_ROWS:
        tagged = dict(slots)
        tags = " ".join(f"B-{tagged[word]}" if word in tagged else "O" for word in utterance.split())
        lines.append(f"{example_id}\t{utterance}\t{tags}\t{intent.removeprefix('IN:').lower()}")
    return "".join(line + "\n" for line in lines)


PAIRS = [("1", "the cat sat on the mat", "on the mat sat the cat", "1"), ("2", "he left early", "she arrived late", "0"),
         ("3", "paris is in france", "france contains paris", "1"), ("4", "it rained", "the sun shone", "0")]


def paws_x_text() -> str:
    return "".join("\t".join(row) + "\n" for row in [("id", "sentence1", "sentence2", "label"), *PAIRS])


ENGLISH_TRAIN = [SlotFillingExample(example_id, tuple(utterance.split()), ("O",) * len(utterance.split()), "greet", "en")
                 for example_id, _, _, utterance in JOINT_ROWS]
GERMAN = ["wird es morgen regnen", "weck mich um sieben", "spiel etwas musik", "schreib Priya dass ich spät bin",
          "ist es heute kalt in Oslo"]


def line_aligned_text() -> str:
    return "".join(text + "\n" for text in GERMAN)


def keyed_text() -> str:
    return "".join(f"{example.id}\t{text}\n" for example, text in zip(ENGLISH_TRAIN, GERMAN))


@attrs.frozen
class Format:
    """One file format: where its file goes, how it is loaded, and what its columns hold."""

    name: str
    relative_path: str
    text: Callable[[], str]
    load: Callable[[Path], Any]  # data directory -> LoadedSplit or TranslationSet
    kind: str = "rows"  # rows (one record a line), conll (blank-line blocks), line-aligned, keyed
    header: bool = False
    roles: dict[str, int] = attrs.Factory(dict)  # "json", "spans", "utterance", "numeric", "id" -> column

    def lines_of(self, data: bytes) -> list[bytes]:
        """The file's lines as the loaders split them (final newline ends the last line)."""
        data = data.removeprefix(UTF8_BOM)
        lines = data.split(b"\n")
        if lines[-1] == b"":
            lines.pop()
        return [line.removesuffix(b"\r") for line in lines]

    def records(self, data: bytes) -> int:
        """How many records the file holds: what a successful load must account for."""
        lines = [line.decode("utf-8") for line in self.lines_of(data)]
        if self.header:
            lines = lines[1:]
        if self.kind == "conll":
            blocks, in_block = 0, False
            for line in lines:
                if line.strip() and not in_block:
                    blocks += 1
                in_block = bool(line.strip())
            return blocks
        if self.kind == "line-aligned":
            while lines and not lines[-1].strip():  # blank lines at the end translate nothing
                lines.pop()
        return len(lines)


def _mtop(directory: Path, split: str) -> Any:
    return MtopLoader().load_split(directory, "en", split)


FORMATS = [
    Format("mtop-8-columns", "en/test.txt", lambda: mtop_text(8), lambda d: _mtop(d, "test"),
           roles={"id": 0, "spans": 2, "utterance": 3, "json": 7}),
    Format("mtop-7-columns", "en/dev.txt", lambda: mtop_text(7), lambda d: _mtop(d, "dev"),
           roles={"spans": 1, "utterance": 2, "json": 6}),
    Format("mtod-tsv", "en/test-en.tsv", mtod_text, lambda d: MtodLoader(format="tsv").load_split(d, "en", "test"),
           roles={"spans": 1, "utterance": 2, "json": 4}),
    Format("mtod-conll", "en/test-en.conllu", conll_text, lambda d: MtodLoader(format="conll").load_split(d, "en", "test"),
           kind="conll", roles={"numeric": 0, "utterance": 0}),
    Format("paws-x", "en/test_2k.tsv", paws_x_text, lambda d: PawsXLoader().load_split(d, "en", "test"),
           header=True, roles={"id": 0, "utterance": 1, "numeric": 3}),
    Format("multiatis-fail", "test_EN.tsv", multiatis_text, lambda d: MultiAtisLoader().load_split(d, "en", "test"),
           header=True, roles={"id": 0, "utterance": 1, "spans": 2}),
    Format("multiatis-skip", "test_EN.tsv", multiatis_text,
           lambda d: MultiAtisLoader().load_split(d, "en", "test", on_mismatch="skip"),
           header=True, roles={"id": 0, "utterance": 1, "spans": 2}),
    Format("translations-line-aligned", "de/train.tsv", line_aligned_text,
           lambda d: read_translation_file(d / "de" / "train.tsv", "de", ENGLISH_TRAIN), kind="line-aligned",
           roles={"utterance": 0}),
    Format("translations-keyed", "de/train.tsv", keyed_text,
           lambda d: read_translation_file(d / "de" / "train.tsv", "de", ENGLISH_TRAIN), kind="keyed",
           roles={"id": 0, "utterance": 1}),
]

CORRUPTIONS = ("wrong_column_count", "bad_json", "non_numeric", "span_past_end", "empty_utterance", "invalid_utf8",
               "crlf", "bom", "bom_and_crlf", "truncated_line", "truncated_file", "byte_flips", "merged_lines")


NEEDS = {"bad_json": {"json"}, "non_numeric": {"spans", "numeric", "json"}, "span_past_end": {"spans", "numeric", "json"},
         "empty_utterance": {"utterance"}}  # a corruption aims at one of these columns


def applicable(fmt: Format) -> list[str]:
    """The corruptions that make sense for ``fmt`` (no JSON to break in a CoNLL file)."""
    return [name for name in CORRUPTIONS if name not in NEEDS or NEEDS[name] & set(fmt.roles)]


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["tokens", "tokenSpans", "start", "length", "tokenizations"]) | st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xed\xa0\x80", b"\xf0\x28\x8c\xbc", b"\xc0\xaf"]
# Field values never hold a line break: that would be another corruption, and would shift line numbers.
FIELD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=12)


def _data_line(fmt: Format, lines: list[str], data) -> int:
    first = 1 if fmt.header else 0
    return data.draw(st.integers(first, len(lines) - 1), label="line")


def _column_line(fmt: Format, lines: list[str], data, role: str) -> tuple[int, list[str], int]:
    """A line to change and the column that plays ``role`` in it (CoNLL: a token row or the text line)."""
    if fmt.kind == "conll":
        if role == "utterance":
            candidates = [i for i, line in enumerate(lines) if line.startswith("# text:")]
            index = data.draw(st.sampled_from(candidates), label="line")
            return index, ["# text:", lines[index][len("# text:"):]], 1
        candidates = [i for i, line in enumerate(lines) if line and not line.startswith("#")]
        index = data.draw(st.sampled_from(candidates), label="line")
        return index, lines[index].split("\t"), fmt.roles[role]
    index = _data_line(fmt, lines, data)
    return index, lines[index].split("\t"), fmt.roles[role]


def corrupt(fmt: Format, original: bytes, name: str, data) -> tuple[bytes, set[int] | None]:
    """``original`` changed by the corruption ``name``, its choices drawn from ``data``, and the
    1-based numbers of the lines it changed (``None`` when line numbers may have shifted)."""
    corrupted, touched = _corrupt(fmt, original, name, data)
    if touched is not None and fmt.kind == "conll":
        touched = _blocks_around(fmt.lines_of(corrupted), touched)
    return corrupted, touched


def _blocks_around(lines: list[bytes], touched: set[int]) -> set[int]:
    """CoNLL: the whole blank-line-separated block of every touched line (the loader checks a
    block as a whole, so a bad '# intent:' line surfaces at the first token row that disagrees)."""
    wider = set()
    for number in touched:
        first = last = number
        while first > 1 and lines[first - 2].strip():
            first -= 1
        while last < len(lines) and lines[last].strip():
            last += 1
        wider.update(range(first, last + 1))
    return wider


def _line_at(data: bytes, position: int) -> int:
    return data[:position].count(b"\n") + 1


def _corrupt(fmt: Format, original: bytes, name: str, data) -> tuple[bytes, set[int] | None]:
    text = original.decode("utf-8")
    lines = text.split("\n")[:-1]  # every valid file ends with a newline

    def rebuild(index: int, columns: list[str] | None = None) -> tuple[bytes, set[int]]:
        if columns is not None:
            lines[index] = "".join(columns) if columns[0] == "# text:" else "\t".join(columns)
        return "".join(line + "\n" for line in lines).encode("utf-8"), {index + 1}

    if name == "crlf":
        return original.replace(b"\n", b"\r\n"), None
    if name == "bom":
        return UTF8_BOM + original, None
    if name == "bom_and_crlf":
        return UTF8_BOM + original.replace(b"\n", b"\r\n"), None
    if name == "invalid_utf8":
        position = data.draw(st.integers(0, len(original)), label="position")
        return original[:position] + data.draw(st.sampled_from(INVALID_UTF8), label="bytes") + original[position:], {_line_at(original, position)}
    if name == "truncated_file":
        cut = original[: data.draw(st.integers(1, len(original) - 1), label="length")]
        return cut, {_line_at(cut, len(cut) - 1)}
    if name == "byte_flips":
        changed = bytearray(original)
        positions = set()
        for _ in range(data.draw(st.integers(1, 3), label="flips")):
            position = data.draw(st.integers(0, len(changed) - 1), label="position")
            changed[position] ^= data.draw(st.integers(1, 255), label="mask")
            positions.add(position)
        same_lines = changed.count(b"\n") == original.count(b"\n") and all(
            (original[p] == 10) == (changed[p] == 10) for p in positions)
        return bytes(changed), {_line_at(original, p) for p in positions} if same_lines else None
    if name == "merged_lines":
        index = data.draw(st.integers(0, len(lines) - 2), label="line")
        lines[index : index + 2] = [lines[index] + lines[index + 1]]
        return rebuild(index)
    if name == "truncated_line":
        index = _data_line(fmt, lines, data)
        lines[index] = lines[index][: data.draw(st.integers(0, max(len(lines[index]) - 1, 0)), label="length")]
        return rebuild(index)
    if name == "wrong_column_count":
        index = _data_line(fmt, lines, data) if fmt.kind != "conll" else data.draw(st.integers(0, len(lines) - 1), label="line")
        columns = lines[index].split("\t")
        if data.draw(st.booleans(), label="drop") and len(columns) > 1:
            del columns[data.draw(st.integers(0, len(columns) - 1), label="column")]
        else:
            columns.insert(data.draw(st.integers(0, len(columns)), label="column"), data.draw(FIELD_TEXT, label="extra"))
        lines[index] = "\t".join(columns)
        return rebuild(index)
    if name == "bad_json":
        index, columns, column = _column_line(fmt, lines, data, "json")
        if data.draw(st.booleans(), label="cut"):
            columns[column] = columns[column][: data.draw(st.integers(0, len(columns[column]) - 1), label="length")]
        else:
            columns[column] = json.dumps(data.draw(JSON_VALUES, label="json"))
        return rebuild(index, columns)
    if name == "empty_utterance":
        index, columns, column = _column_line(fmt, lines, data, "utterance")
        columns[column] = data.draw(st.sampled_from(["", " ", "  \u00a0"]), label="blank")
        return rebuild(index, columns)
    if name in ("non_numeric", "span_past_end"):
        role = next(role for role in ("spans", "numeric", "json") if role in fmt.roles)
        index, columns, column = _column_line(fmt, lines, data, role)
        if role == "json":  # a token span with a wrong start or length
            spans = json.loads(columns[column])
            target = spans["tokenizations"][0] if "tokenizations" in spans else spans
            span = data.draw(st.sampled_from(target["tokenSpans"]), label="span")
            key = data.draw(st.sampled_from(["start", "length"]), label="key")
            span[key] = data.draw(FIELD_TEXT, label="value") if name == "non_numeric" else span[key] + data.draw(st.integers(1, 10**6), label="past")
            columns[column] = json.dumps(spans)
        elif role == "spans" and fmt.name.startswith("multiatis"):
            tags = columns[column].split()
            if name == "non_numeric":
                tags.insert(data.draw(st.integers(0, len(tags)), label="at"), data.draw(FIELD_TEXT.filter(lambda t: t.strip()), label="tag"))
            else:
                tags += ["O"] * data.draw(st.integers(1, 3), label="extra")  # more tags than tokens
            columns[column] = " ".join(tags)
        elif role == "spans":
            utterance_length = len(columns[fmt.roles["utterance"]])
            if name == "non_numeric":
                columns[column] = f"{data.draw(FIELD_TEXT, label='start')}:{data.draw(FIELD_TEXT, label='end')}:SL:DATE_TIME"
            else:
                end = utterance_length + data.draw(st.integers(1, 10**6), label="past")
                start = data.draw(st.integers(0, end + 5), label="start")
                columns[column] = f"{start}:{end}:{'SL:' if fmt.name.startswith('mtop') else ''}DATE_TIME"
        else:  # a numeric column: PAWS-X label, CoNLL token index
            if name == "non_numeric":
                columns[column] = data.draw(FIELD_TEXT, label="value")
            else:
                columns[column] = str(int(columns[column]) + data.draw(st.integers(1, 10**6), label="past"))
        return rebuild(index, columns)
    raise ValueError(name)
