"""Fixtures for the dataset-loader tests: small files in the real formats, written per test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest


def tokens_json(utterance: str, lower: bool = False) -> dict:
    """Whitespace tokens of ``utterance`` with character spans, as the MTOP/MTOD tokeniser writes them."""
    tokens, spans, position = [], [], 0
    for word in utterance.split():
        start = utterance.index(word, position)
        tokens.append(word.lower() if lower else word)
        spans.append({"start": start, "length": len(word)})
        position = start + len(word)
    return {"tokens": tokens, "tokenSpans": spans}


def mtop_row(example_id: str, intent: str, slots: str, utterance: str, locale: str = "en_XX") -> str:
    """One published 8-column MTOP row (domain and decoupled form are placeholders)."""
    return "\t".join(
        [example_id, intent, slots, utterance, "weather", locale, f"[{intent} ]", json.dumps(tokens_json(utterance))]
    )


def mtod_row(intent: str, slots: str, utterance: str, locale: str = "es_XX", tokens: dict | None = None) -> str:
    """One MTOD PyText TSV row with lower-cased tokens, as published."""
    tokenization = tokens if tokens is not None else tokens_json(utterance, lower=True)
    return "\t".join([intent, slots, utterance, locale, json.dumps({"tokenizations": [tokenization]})])


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """``write("de/train.txt", text)`` writes UTF-8 text (or raw bytes) under ``tmp_path``."""

    def write_file(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return write_file


@pytest.fixture(name="tokens_json")
def tokens_json_fixture() -> Callable[..., dict]:
    return tokens_json


@pytest.fixture(name="mtop_row")
def mtop_row_fixture() -> Callable[..., str]:
    return mtop_row


@pytest.fixture(name="mtod_row")
def mtod_row_fixture() -> Callable[..., str]:
    return mtod_row
