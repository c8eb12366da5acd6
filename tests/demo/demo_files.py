"""A small reader of MTOP's flat format for the demo tests, independent of the generator's
own writer and of the project's loader (so the tests trust neither)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs

from benchmarks.demo import DemoManifest

SPLITS = ("train", "eval", "test")


@attrs.frozen
class Row:
    """One MTOP row, read back from a file."""

    id: str
    intent: str
    slots: tuple[tuple[int, int, str], ...]  # start, end, type (without "SL:")
    utterance: str
    domain: str
    locale: str
    decoupled: str
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # start, length

    def slot_text(self, slot: tuple[int, int, str]) -> str:
        return self.utterance[slot[0]:slot[1]]

    @property
    def skeleton(self) -> str:
        """The utterance with every slot replaced by ``{TYPE}``: the template it came from."""
        text = self.utterance
        for start, end, slot_type in sorted(self.slots, reverse=True):
            text = text[:start] + "{" + slot_type + "}" + text[end:]
        return text


def parse_row(line: str) -> Row:
    columns = line.rstrip("\n").split("\t")
    assert len(columns) == 8, f"{len(columns)} columns in {line!r}"
    example_id, intent, slot_field, utterance, domain, locale, decoupled, tokens_field = columns
    slots = []
    for item in filter(None, slot_field.split(",")):
        start, end, prefix, slot_type = item.split(":")
        assert prefix == "SL", item
        slots.append((int(start), int(end), slot_type))
    tokens = json.loads(tokens_field)
    assert list(tokens) == ["tokens", "tokenSpans"]
    spans = tuple((span["start"], span["length"]) for span in tokens["tokenSpans"])
    return Row(example_id, intent, tuple(slots), utterance, domain, locale, decoupled, tuple(tokens["tokens"]), spans)


def read_rows(path: Path) -> list[Row]:
    return [parse_row(line) for line in path.read_text(encoding="utf-8").splitlines()]


@attrs.frozen
class Demo:
    """A written dataset: its directory, manifest and rows by language and split."""

    directory: Path
    manifest: DemoManifest
    rows: dict[str, dict[str, list[Row]]]

    def translations(self, language: str) -> list[str]:
        path = self.directory / "translations" / language / "train.tsv"
        return path.read_text(encoding="utf-8").splitlines()


def load_demo(directory: Path, manifest: DemoManifest) -> Demo:
    rows = {
        language: {split: read_rows(directory / language / f"{split}.txt") for split in SPLITS}
        for language in manifest.languages
    }
    return Demo(directory, manifest, rows)
