"""Property tests of the collator: padding, special tokens, word -> subword label alignment and back.

Tokenizers are :func:`xalign.testing.tiny_tokenizer` over a generated vocabulary: words in
the vocabulary are one token, a vocabulary word with a suffix splits into word pieces
(``sets`` -> ``set ##s``), other words become ``[UNK]`` or several pieces.
"""

from __future__ import annotations

import functools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from xalign.data.collate import Collator, ParallelItem
from xalign.data.examples import ClassificationExample, SlotFillingExample, Translation
from xalign.data.labels import IGNORE_INDEX, word_predictions
from xalign.errors import DataError
from xalign.heads import LabelSpace
from xalign.testing import tiny_tokenizer

SETTINGS = settings(max_examples=40, deadline=None)
INTENTS = ("alarm", "music")
TAGS = ("O", "B-TIME", "I-TIME", "B-GENRE")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@functools.lru_cache(maxsize=64)
def tokenizer_for(vocabulary: tuple[str, ...]):
    return tiny_tokenizer(vocabulary)


def subword_count(tokenizer, word: str) -> int:
    """How many subwords ``word`` becomes on its own (the oracle the collator is checked against)."""
    return len(tokenizer(word, add_special_tokens=False)["input_ids"])


@st.composite
def vocabularies(draw) -> tuple[str, ...]:
    return tuple(sorted(draw(st.lists(st.text(LETTERS, min_size=2, max_size=6), min_size=1, max_size=10, unique=True))))


@st.composite
def words_over(draw, vocabulary: tuple[str, ...]) -> str:
    known = st.sampled_from(vocabulary)
    kind = draw(st.sampled_from(["known", "suffixed", "unknown", "punctuated"]))
    if kind == "known":
        return draw(known)
    if kind == "suffixed":  # splits into the vocabulary word and ##pieces, unless it is itself known
        return draw(known) + draw(st.text(LETTERS + "0123456789", min_size=1, max_size=3))
    if kind == "unknown":
        return draw(st.text(LETTERS, min_size=1, max_size=7))
    return draw(known) + draw(st.sampled_from(["-", "'", "."])) + draw(st.text(LETTERS, min_size=1, max_size=3))


@st.composite
def slot_examples(draw, vocabulary: tuple[str, ...], example_id: str) -> SlotFillingExample:
    words = draw(st.lists(words_over(vocabulary), min_size=1, max_size=8))
    tags = draw(st.lists(st.sampled_from(TAGS), min_size=len(words), max_size=len(words)))
    return SlotFillingExample(id=example_id, words=words, slot_tags=tags, intent=draw(st.sampled_from(INTENTS)))


@st.composite
def batches(draw):
    """``(tokenizer, items)``: 1-4 slot examples, each with 0-2 translations."""
    vocabulary = draw(vocabularies())
    size = draw(st.integers(1, 4))
    items = []
    for index in range(size):
        example = draw(slot_examples(vocabulary, f"ex-{index}"))
        translations = tuple(
            Translation(example.id, language, " ".join(draw(st.lists(words_over(vocabulary), min_size=1, max_size=6))))
            for language in draw(st.lists(st.sampled_from(["de", "fr"]), max_size=2, unique=True))
        )
        items.append(ParallelItem(example, translations))
    return tokenizer_for(vocabulary), items


def collator(tokenizer, **options) -> Collator:
    return Collator(tokenizer, LabelSpace(INTENTS, TAGS), max_length=options.pop("max_length", 512), **options)


def real_length(batch: dict, row: int) -> int:
    return int(batch["attention_mask"][row].sum())


@SETTINGS
@given(batches())
def test_collated_shapes_follow_rows_and_longest_sequence(case):
    tokenizer, items = case
    batch = collator(tokenizer)(items)
    number_of_translations = sum(len(item.translations) for item in items)
    rows = len(items) + number_of_translations
    width = batch["input_ids"].shape[1]
    assert batch["input_ids"].shape == batch["attention_mask"].shape == (rows, width)
    assert max(real_length(batch, row) for row in range(rows)) == width
    assert batch["slot_labels"].shape == batch["word_index"].shape == (len(items), width)
    assert batch["intent_labels"].tolist() == [INTENTS.index(item.example.intent) for item in items]
    assert batch["num_source"] == batch["num_labelled"] == len(items)
    assert batch["translation_source_index"].shape == (number_of_translations,)


@SETTINGS
@given(batches())
def test_padding_is_masked_and_never_labelled(case):
    tokenizer, items = case
    batch = collator(tokenizer)(items)
    mask = batch["attention_mask"]
    for row in range(mask.shape[0]):
        length = real_length(batch, row)
        assert mask[row, :length].eq(1).all() and mask[row, length:].eq(0).all()  # real tokens first
        assert batch["input_ids"][row, length:].eq(tokenizer.pad_token_id).all()
    labelled_padding = mask[: len(items)] == 0
    assert batch["slot_labels"][labelled_padding].eq(IGNORE_INDEX).all()
    assert batch["word_index"][labelled_padding].eq(-1).all()


@SETTINGS
@given(batches())
def test_special_tokens_get_no_slot_label_and_no_word(case):
    tokenizer, items = case
    batch = collator(tokenizer)(items)
    english_ids = batch["input_ids"][: len(items)]
    special = (english_ids == tokenizer.cls_token_id) | (english_ids == tokenizer.sep_token_id)
    assert special.sum().item() == 2 * len(items)
    assert batch["slot_labels"][special].eq(IGNORE_INDEX).all()
    assert batch["word_index"][special].eq(-1).all()


@SETTINGS
@given(batches())
def test_first_subword_mode_labels_one_position_per_word_with_subwords(case):
    tokenizer, items = case
    batch = collator(tokenizer, slot_subwords="first")(items)
    for row, item in enumerate(items):
        words_with_subwords = [index for index, word in enumerate(item.example.words) if subword_count(tokenizer, word) > 0]
        labelled = batch["slot_labels"][row] != IGNORE_INDEX
        assert int(labelled.sum()) == len(words_with_subwords)
        assert batch["word_index"][row][labelled].tolist() == words_with_subwords
        gold = [TAGS.index(item.example.slot_tags[index]) for index in words_with_subwords]
        assert batch["slot_labels"][row][labelled].tolist() == gold


@SETTINGS
@given(batches())
def test_gold_labels_read_back_from_first_subwords_give_the_gold_tags(case):
    tokenizer, items = case
    batch = collator(tokenizer)(items)
    for row, item in enumerate(items):
        # Feed the gold label ids in place of predictions: the round trip must be lossless.
        predicted = batch["slot_labels"][row].clamp(min=0).tolist()
        tags = word_predictions(batch["word_index"][row].tolist(), predicted, len(item.example.words), TAGS)
        assert tuple(tags) == item.example.slot_tags


@SETTINGS
@given(batches())
def test_translation_rows_follow_the_english_rows_and_point_at_their_source(case):
    tokenizer, items = case
    batch = collator(tokenizer)(items)
    for row, item in enumerate(items):
        expected = tokenizer([list(item.example.words)], is_split_into_words=True)["input_ids"][0]
        assert batch["input_ids"][row, : real_length(batch, row)].tolist() == expected
    row = len(items)
    for source, item in enumerate(items):
        for translation in item.translations:
            assert batch["translation_source_index"][row - len(items)].item() == source
            expected = tokenizer(translation.text)["input_ids"]
            assert batch["input_ids"][row, : real_length(batch, row)].tolist() == expected
            row += 1
    assert row == batch["input_ids"].shape[0]


@SETTINGS
@given(batches())
def test_all_subwords_mode_labels_every_subword_with_its_word_tag(case):
    tokenizer, items = case
    batch = collator(tokenizer, slot_subwords="all")(items)
    for row, item in enumerate(items):
        expected = []
        for word, tag in zip(item.example.words, item.example.slot_tags):
            expected += [TAGS.index(tag)] * subword_count(tokenizer, word)
        labels = batch["slot_labels"][row]
        assert labels[labels != IGNORE_INDEX].tolist() == expected
        # Scoring still reads each word once, from its first subword.
        assert int((batch["word_index"][row] >= 0).sum()) == sum(subword_count(tokenizer, w) > 0 for w in item.example.words)


@SETTINGS
@given(batches())
def test_text_prefix_words_get_no_labels(case):
    tokenizer, items = case
    plain = collator(tokenizer)(items)
    prefixed = collator(tokenizer, text_prefix="query: ")(items)
    prefix_length = subword_count(tokenizer, "query:")
    for row in range(len(items)):
        assert prefixed["slot_labels"][row, 1 : 1 + prefix_length].eq(IGNORE_INDEX).all()
        assert prefixed["word_index"][row, 1 : 1 + prefix_length].eq(-1).all()
        for key in ("slot_labels", "word_index"):
            before = plain[key][row][plain[key][row] != (IGNORE_INDEX if key == "slot_labels" else -1)]
            after = prefixed[key][row][prefixed[key][row] != (IGNORE_INDEX if key == "slot_labels" else -1)]
            assert after.tolist() == before.tolist()



@SETTINGS
@given(batches())
def test_word_starts_mark_the_first_piece_of_every_word_in_english_and_translation_rows(case):
    tokenizer, items = case
    batch = collator(tokenizer, text_prefix="query: ")(items)
    rows = batch["input_ids"].shape[0]
    assert batch["word_starts"].shape == batch["input_ids"].shape
    markers = set(tokenizer.all_special_tokens) - {tokenizer.unk_token}  # an unknown word is still a word
    for row in range(rows):
        tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][row, : real_length(batch, row)].tolist())
        if row < len(items):  # English rows: the example's own words, where their labels sit (not the prefix)
            assert batch["word_starts"][row].tolist() == (batch["word_index"][row] >= 0).long().tolist()
        else:  # translations: the tokenizer's words; in a word-piece vocabulary, every piece without "##"
            expected = [int(token not in markers and not token.startswith("##")) for token in tokens]
            assert batch["word_starts"][row, : len(tokens)].tolist() == expected
        assert batch["word_starts"][row, len(tokens) :].eq(0).all()  # padding starts no word

def test_words_split_into_word_pieces_are_labelled_at_their_first_piece():
    tokenizer = tiny_tokenizer(["set", "alarm", "for"])
    example = SlotFillingExample(id="pieces", words=("sets", "alarms", "for", "seven"), slot_tags=("O", "B-GENRE", "O", "B-TIME"), intent="alarm")
    assert tokenizer.tokenize("sets") == ["set", "##s"]
    batch = collator(tokenizer).collate_examples([example])
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    assert tokens == ["[CLS]", "set", "##s", "alarm", "##s", "for", "[UNK]", "[SEP]"]
    assert batch["slot_labels"][0].tolist() == [-100, 0, -100, 3, -100, 0, 1, -100]
    assert batch["word_index"][0].tolist() == [-1, 0, -1, 1, -1, 2, 3, -1]
    everywhere = collator(tokenizer, slot_subwords="all").collate_examples([example])
    assert everywhere["slot_labels"][0].tolist() == [-100, 0, 0, 3, 3, 0, 1, -100]


def long_example(example_id: str = "long-1") -> SlotFillingExample:
    words = ("set", "an", "alarm", "for", "seven", "am", "please", "now")
    return SlotFillingExample(id=example_id, words=words, slot_tags=("O",) * 6 + ("B-TIME", "I-TIME"), intent="alarm")


def test_overlong_rows_are_truncated_to_max_length_and_counted():
    tokenizer = tiny_tokenizer(long_example().words)
    short = SlotFillingExample(id="short", words=("alarm",), slot_tags=("O",), intent="alarm")
    item = ParallelItem(long_example(), (Translation("long-1", "de", "stelle einen wecker für sieben uhr bitte jetzt"),))
    batches_collator = collator(tokenizer, max_length=6)
    batch = batches_collator([item, ParallelItem(short)])
    assert batch["input_ids"].shape[1] == 6
    assert batch["input_ids"][0, -1].item() == tokenizer.sep_token_id  # still well formed
    assert batch["input_ids"][2, -1].item() == tokenizer.sep_token_id
    assert batches_collator.truncated.rows == 2  # the long English row and its translation
    assert batches_collator.truncated.labelled_words_lost == 4  # 8 words, 4 kept
    assert batch["word_index"][0].tolist() == [-1, 0, 1, 2, 3, -1]
    assert batch["word_starts"][0].tolist() == [0, 1, 1, 1, 1, 0]  # cut with the row


def test_overlong_rows_raise_a_data_error_naming_the_example_when_asked():
    tokenizer = tiny_tokenizer(long_example().words)
    with pytest.raises(DataError, match=r"'long-7'.*max_length=6"):
        collator(tokenizer, max_length=6, overlong="error").collate_examples([long_example("long-7")])
    text = ClassificationExample(id="text-3", text="set an alarm for seven am please now", label="alarm")
    with pytest.raises(DataError, match="'text-3'"):
        collator(tokenizer, max_length=6, overlong="error").collate_examples([text])


def test_unknown_labels_raise_a_data_error_naming_the_example():
    tokenizer = tiny_tokenizer(["play", "jazz"])
    bad_intent = SlotFillingExample(id="ex-42", words=("play", "jazz"), slot_tags=("O", "B-GENRE"), intent="weather")
    with pytest.raises(DataError, match=r"'ex-42'.*'weather'"):
        collator(tokenizer).collate_examples([bad_intent])
    bad_tag = SlotFillingExample(id="ex-43", words=("play", "jazz"), slot_tags=("O", "B-ARTIST"), intent="music")
    with pytest.raises(DataError, match=r"'ex-43'.*B-ARTIST"):
        collator(tokenizer).collate_examples([bad_tag])


def test_unlabelled_collation_accepts_unknown_labels_and_omits_label_tensors():
    tokenizer = tiny_tokenizer(["play", "jazz"])
    example = SlotFillingExample(id="ex-44", words=("play", "jazz"), intent="never-seen")
    batch = collator(tokenizer).collate_examples([example], with_labels=False)
    assert "intent_labels" not in batch and "slot_labels" not in batch
    assert batch["word_index"][0].tolist() == [-1, 0, 1, -1]
    assert torch.equal(batch["attention_mask"], torch.ones(1, 4, dtype=torch.long))
