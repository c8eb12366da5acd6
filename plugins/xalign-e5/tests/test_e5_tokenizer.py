"""The rebuilt XLM-R tokenizer: normalisation map, pieces, special tokens."""

from __future__ import annotations

import re

import pytest

from xalign_e5.charsmap import build_precompiled_charsmap, lookup
from xalign_e5.model_file import ModelFile, bundled_model_path

METASPACE = "\u2581"


@pytest.fixture(scope="module")
def model_file() -> ModelFile:
    return ModelFile(bundled_model_path())


def test_charsmap_returns_each_replacement_for_its_codepoint(model_file):
    charsmap = build_precompiled_charsmap(model_file.normalisation)
    for codepoint, replacement in model_file.normalisation.items():
        assert lookup(charsmap, chr(codepoint)) == [replacement]
    assert lookup(charsmap, "a") == []


def test_normaliser_applies_the_file_map_to_every_codepoint(model_file, tokenizer):
    # e5.c replaces each codepoint through the map, then collapses runs of spaces.
    normaliser = tokenizer.backend_tokenizer.normalizer
    mapping = model_file.normalisation
    codepoints = [c for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000]
    for start in range(0, len(codepoints), 50_000):
        chunk = codepoints[start : start + 50_000]
        text = "a".join(chr(c) for c in chunk)  # "a" keeps every codepoint its own grapheme start
        expected = re.sub(" {2,}", " ", "".join(mapping.get(ord(c), c) for c in text))
        assert normaliser.normalize_str(text) == expected, f"codepoints {chunk[0]:#x}..{chunk[-1]:#x}"


def test_no_piece_has_an_inner_metaspace(model_file):
    # Why splitting words at U+2581 before the unigram search changes nothing.
    assert not [piece for piece in model_file.vocabulary.pieces if METASPACE in piece[1:]]


def test_single_text_and_pairs_use_the_xlm_r_template(tokenizer):
    single = tokenizer("query: hello world")
    assert single["input_ids"][0] == 0 and single["input_ids"][-1] == 2
    assert "token_type_ids" not in single
    pair = tokenizer("first", "second")["input_ids"]
    assert tokenizer.convert_ids_to_tokens(pair) == ["<s>", "\u2581first", "</s>", "</s>", "\u2581second", "</s>"]


def test_saved_tokenizer_loads_as_a_fast_tokenizer_in_any_transformers_version(converted_dir, tokenizer):
    import json

    config = json.loads((converted_dir / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"
    assert tokenizer.is_fast
    words = tokenizer(["Set", "an", "alarm"], is_split_into_words=True)
    assert words.word_ids() == [None, 0, 1, 2, None]


def test_special_tokens_and_length_limit(tokenizer):
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id) == (0, 1, 2)
    assert tokenizer.unk_token_id == 3
    assert tokenizer.mask_token_id == 250001
    assert tokenizer.model_max_length == 512
    assert len(tokenizer("word " * 1000, truncation=True)["input_ids"]) == 512
    assert tokenizer.decode(tokenizer("query: Hello  world")["input_ids"], skip_special_tokens=True) == (
        "query: Hello world"
    )
