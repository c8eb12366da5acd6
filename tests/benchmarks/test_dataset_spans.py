"""Character slot spans -> word BIO: exact cases and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.datasets.spans import (
    SlotSpan,
    bio_tag_problem,
    bio_to_spans,
    parse_slot_field,
    slots_to_bio,
    words_from_tokens,
)


def spans_of(words: list[str]) -> list[tuple[int, int]]:
    spans, position = [], 0
    for word in words:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    return spans


def test_first_overlapping_word_is_b_and_the_rest_i():
    words = ["wake", "me", "at", "seven", "tomorrow"]
    result = slots_to_bio(spans_of(words), [SlotSpan(8, 25, "DATE_TIME")])
    assert result.tags == ("O", "O", "B-DATE_TIME", "I-DATE_TIME", "I-DATE_TIME")
    assert (result.misaligned, result.overlapping, result.unmatched) == (0, 0, 0)


def test_slot_ending_inside_a_word_tags_that_word_and_is_counted_misaligned():
    # "alarmat7" as one tokeniser word while the slot covers only "at7", as in unspaced Thai
    words = ["set", "alarmat7"]
    result = slots_to_bio(spans_of(words), [SlotSpan(9, 12, "time")])
    assert result.tags == ("O", "B-time")
    assert result.misaligned == 1


def test_slots_sharing_a_word_keep_it_for_the_earlier_slot():
    words = ["remind", "buyfoodtonight"]  # two slots meet inside one word
    slots = [SlotSpan(7, 14, "todo"), SlotSpan(14, 21, "date")]
    result = slots_to_bio(spans_of(words), slots)
    assert result.tags == ("O", "B-todo")
    assert (result.misaligned, result.overlapping) == (2, 1)


def test_slot_over_whitespace_only_is_counted_unmatched():
    result = slots_to_bio([(0, 2), (4, 6)], [SlotSpan(2, 4, "gap")])
    assert result.tags == ("O", "O")
    assert result.unmatched == 1


def test_slot_field_parsing_strips_the_mtop_prefix():
    assert parse_slot_field("0:4:SL:DATE_TIME,5:9:SL:LOCATION", 9, "SL:") == [
        SlotSpan(0, 4, "DATE_TIME"),
        SlotSpan(5, 9, "LOCATION"),
    ]
    assert parse_slot_field("", 9) == []


def test_negative_slot_start_is_read_as_zero_and_flagged():
    assert parse_slot_field("-2:5:datetime", 9) == [SlotSpan(0, 5, "datetime", clamped=True)]


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("a:4:x", "non-numeric"),
        ("0:40:x", "past the end"),
        ("5:3:x", "not after its start"),
        ("0:4", "not start:end"),
        ("0:4:DATE", "without the 'SL:' prefix"),
    ],
)
def test_bad_slot_fields_say_why(field, problem):
    with pytest.raises(ValueError, match=problem):
        parse_slot_field(field, 9, "SL:" if "DATE" in field else "")


def test_token_spans_in_decomposed_code_points_are_repaired():
    utterance = "Mañana temprano"
    decomposed_length = len(unicodedata.normalize("NFD", "Mañana"))  # 7, not 6
    words = words_from_tokens(utterance, ["mañana", "temprano"], [(0, decomposed_length), (decomposed_length + 1, 8)])
    assert words.words == ("Mañana", "temprano")
    assert words.spans == ((0, 6), (7, 15))
    assert words.offsets in ("nfd", "utf-8")


def test_words_keep_the_utterance_case_and_characters():
    words = words_from_tokens("Call Anna", ["call", "anna"], [(0, 4), (5, 4)])
    assert words.words == ("Call", "Anna")
    assert words.offsets == "characters"


def test_unmatched_token_text_falls_back_to_the_tokens():
    words = words_from_tokens("abc def", ["xyz", "def"], [(0, 3), (4, 3)])
    assert words.words == ("xyz", "def")
    assert words.offsets == "as-given"


def test_token_span_past_the_end_is_an_error():
    with pytest.raises(ValueError, match="past the end"):
        words_from_tokens("abc", ["abcd"], [(0, 9)])


def test_bio_tag_shapes():
    assert bio_tag_problem("O") is None
    assert bio_tag_problem("B-fromloc.city_name") is None
    assert bio_tag_problem("I-x") is None
    for bad in ("B-", "X-city", "b-city", "B-two words", "", "NoLabel"):
        assert bio_tag_problem(bad) is not None


WORD = st.text(alphabet="abcdefghij", min_size=1, max_size=6)
TYPE = st.sampled_from(["date", "city", "person"])


def assert_valid_bio(tags: tuple[str, ...]) -> None:
    previous = "O"
    for tag in tags:
        assert bio_tag_problem(tag) is None
        if tag.startswith("I-"):
            assert previous != "O" and previous[2:] == tag[2:], f"{tag} after {previous}"
        previous = tag


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_word_aligned_spans_round_trip_through_bio(data):
    words = data.draw(st.lists(WORD, min_size=1, max_size=12))
    word_spans = spans_of(words)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(words)), max_size=8)))
    slots = []
    for first, last in zip(cuts, cuts[1:]):
        if data.draw(st.booleans()):
            slots.append(SlotSpan(word_spans[first][0], word_spans[last - 1][1], data.draw(TYPE)))
    result = slots_to_bio(word_spans, slots)
    assert len(result.tags) == len(words)
    assert_valid_bio(result.tags)
    back = [
        SlotSpan(word_spans[first][0], word_spans[end - 1][1], kind) for first, end, kind in bio_to_spans(result.tags)
    ]
    assert back == slots
    assert (result.misaligned, result.overlapping, result.unmatched) == (0, 0, 0)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_span_gives_valid_bio_and_inside_word_boundaries_are_counted(data):
    words = data.draw(st.lists(WORD, min_size=1, max_size=10))
    word_spans = spans_of(words)
    length = word_spans[-1][1]
    start = data.draw(st.integers(0, length - 1))
    end = data.draw(st.integers(start + 1, length))
    result = slots_to_bio(word_spans, [SlotSpan(start, end, "x")])
    assert_valid_bio(result.tags)
    inside = any(a < start < b or a < end < b for a, b in word_spans)
    assert result.misaligned == int(inside)
    covered = [i for i, (a, b) in enumerate(word_spans) if a < end and start < b]
    assert [i for i, tag in enumerate(result.tags) if tag != "O"] == covered
    assert result.unmatched == int(not covered)
