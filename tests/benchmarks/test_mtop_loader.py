"""MTOP flat files: published 8 columns, the authors' 7-column copy, errors and id joins."""

from __future__ import annotations

import json

import pytest

from benchmarks.datasets.mtop import MtopLoader
from xalign.data.examples import SlotFillingExample
from xalign.datasets import MissingDatasetError
from xalign.errors import DataError

ENGLISH = [
    ("101", "IN:GET_WEATHER", "18:26:SL:DATE_TIME", "will it rain near tomorrow"),
    ("102", "IN:CREATE_ALARM", "", "make an alarm"),
    ("103", "IN:SEND_MESSAGE", "11:16:SL:RECIPIENT,22:36:SL:CONTENT_EXACT", "message to Priya that i am on my way"),
]
GERMAN = [
    ("101", "IN:GET_WEATHER", "15:21:SL:DATE_TIME", "regnet es nahe morgen"),
    ("103", "IN:SEND_MESSAGE", "", "schreib Priya eine Nachricht"),
    ("999", "IN:CREATE_ALARM", "", "stell einen Wecker"),
]


@pytest.fixture
def data_dir(tmp_path, write, mtop_row):
    for language, locale, rows in (("en", "en_XX", ENGLISH), ("de", "de_DE", GERMAN)):
        text = "".join(mtop_row(*row, locale=locale) + "\n" for row in rows)
        for name in ("train.txt", "eval.txt", "test.txt"):
            write(f"{language}/{name}", text)
    return tmp_path


def test_published_rows_parse_to_words_bio_and_kept_intents(data_dir):
    split = MtopLoader().load_split(data_dir, "en_XX", "train")
    assert split.examples[0] == SlotFillingExample(
        id="101",
        words=("will", "it", "rain", "near", "tomorrow"),
        slot_tags=("O", "O", "O", "O", "B-DATE_TIME"),
        intent="IN:GET_WEATHER",
        language="en",
    )
    assert split.examples[1].slot_tags == ("O", "O", "O")
    assert split.examples[2].slot_tags == (
        "O", "O", "B-RECIPIENT", "O",
        "B-CONTENT_EXACT", "I-CONTENT_EXACT", "I-CONTENT_EXACT", "I-CONTENT_EXACT", "I-CONTENT_EXACT",
    )  # fmt: skip
    assert split.notes["slots"] == 3 and split.notes["misaligned_spans"] == 0
    assert split.files == [str(data_dir / "en" / "train.txt")]


def test_tokens_that_split_inside_whitespace_words_keep_their_own_spans(write, tmp_path):
    utterance = "what's the weather?"
    tokens = {
        "tokens": ["what", "'s", "the", "weather", "?"],
        "tokenSpans": [
            {"start": 0, "length": 4},
            {"start": 4, "length": 2},
            {"start": 7, "length": 3},
            {"start": 11, "length": 7},
            {"start": 18, "length": 1},
        ],
    }
    columns = ["7", "IN:GET_WEATHER", "11:18:SL:WEATHER_ATTRIBUTE", utterance, "weather", "en_XX", "[]"]
    row = "\t".join([*columns, json.dumps(tokens)])
    path = write("en/test.txt", row + "\n")
    example = MtopLoader().load_split(tmp_path, "en", "test").examples[0]
    assert example.words == ("what", "'s", "the", "weather", "?")
    assert example.slot_tags == ("O", "O", "O", "B-WEATHER_ATTRIBUTE", "O")
    assert path.exists()


def test_authors_seven_column_copy_with_dev_file_is_read(write, tmp_path, mtop_row):
    row = mtop_row(*ENGLISH[0]).split("\t", 1)[1]  # drop the id column
    write("en/dev.txt", row + "\n" + row + "\n")
    split = MtopLoader().load_split(tmp_path, "en", "dev")
    assert [example.id for example in split.examples] == ["en-dev-1", "en-dev-2"]
    assert split.examples[0].slot_tags[-1] == "B-DATE_TIME"


def test_translations_join_on_shared_ids(data_dir):
    loader = MtopLoader()
    english = loader.load_split(data_dir, "en", "train").examples
    translations = loader.load_translations(data_dir, "de_DE", english)
    assert set(translations.by_id) == {"101", "103"}
    assert translations.by_id["101"].text == "regnet es nahe morgen"
    assert translations.by_id["101"].language == "de"
    assert translations.source.startswith("joined on id with ")
    assert str(data_dir / "de" / "train.txt") in translations.source
    assert translations.notes == {"untranslated": 1, "target_only": 1, "duplicate_ids": 0}


def test_seven_column_copy_cannot_be_joined_on_id(write, tmp_path, mtop_row, data_dir):
    english = MtopLoader().load_split(data_dir, "en", "train").examples
    write("fr/train.txt", mtop_row(*GERMAN[0], locale="fr_XX").split("\t", 1)[1] + "\n")
    with pytest.raises(DataError, match="no id column"):
        MtopLoader().load_translations(tmp_path, "fr", english)


def test_missing_language_lists_expected_files_and_where_to_get_it(tmp_path):
    with pytest.raises(MissingDatasetError) as caught:
        MtopLoader().load_split(tmp_path, "th", "dev")
    message = str(caught.value)
    assert "missing data" in message
    assert str(tmp_path / "th" / "eval.txt") in message
    assert str(tmp_path / "mtop" / "th" / "dev.txt") in message
    assert "https://fb.me/mtop_dataset" in message


def test_available_languages_need_all_three_splits(data_dir, write):
    write("hi/train.txt", "")
    assert MtopLoader().available_languages(data_dir) == ["en", "de"]
    expected = [data_dir / "hi" / name for name in ("train.txt", "eval.txt", "test.txt")]
    assert MtopLoader().expected_files(data_dir, "hi") == expected


GOOD = ["5", "IN:GET_WEATHER", "8:13:SL:DATE_TIME", "weather today", "weather", "en_XX", "[]"]
GOOD_TOKENS = '{"tokens": ["weather", "today"], "tokenSpans": [{"start": 0, "length": 7}, {"start": 8, "length": 5}]}'


def bad(index: int, value: str) -> str:
    columns = GOOD + [GOOD_TOKENS]
    columns[index] = value
    return "\t".join(columns)


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("\t".join(GOOD), "expected 8 tab-separated columns, found 7"),  # first row sets 8 below
        (bad(7, '{"tokens": ["weather", "today"]'), "bad tokens JSON"),
        (bad(2, "x:13:SL:DATE_TIME"), "non-numeric offset"),
        (bad(2, "8:30:SL:DATE_TIME"), "past the end of the utterance"),
        (bad(2, "13:8:SL:DATE_TIME"), "not after its start"),
        (bad(3, "   "), "empty utterance"),
        (bad(5, "de_DE"), "is not the language of this file"),
        (bad(7, '{"tokens": ["weather"], "tokenSpans": [{"start": 0, "length": 7}, {"start": 8, "length": 5}]}'), "1 tokens but 2 token spans"),
        (bad(7, '{"tokens": ["weather", "today"], "tokenSpans": [{"start": 0, "length": 7}, {"start": 8, "length": 50}]}'), "past the end"),
        (bad(7, '{"tokens": ["weather", "today"], "tokenSpans": [{"start": 0, "length": 7}, {"start": "8", "length": 5}]}'), "integer start and length"),
    ],
)
def test_malformed_row_names_file_line_and_problem(write, tmp_path, row, problem):
    path = write("en/train.txt", bad(0, "4") + "\n" + row + "\n")
    with pytest.raises(DataError) as caught:
        MtopLoader().load_split(tmp_path, "en", "train")
    assert f"{path}:2:" in str(caught.value)
    assert problem in str(caught.value)


def test_invalid_utf8_in_a_row_names_file_and_line(write, tmp_path):
    path = write("en/train.txt", (bad(0, "4") + "\n").encode() + b"5\tIN:X\t\tbad \xc3\x28 text\n")
    with pytest.raises(DataError, match=rf"{path}:2: invalid UTF-8"):
        MtopLoader().load_split(tmp_path, "en", "train")


def test_crlf_and_bom_rows_load_like_plain_ones(write, tmp_path):
    write("en/train.txt", "\ufeff" + bad(0, "4") + "\r\n" + bad(0, "5") + "\r\n")
    split = MtopLoader().load_split(tmp_path, "en", "train")
    assert [example.id for example in split.examples] == ["4", "5"]
    assert split.examples[1].slot_tags == ("O", "B-DATE_TIME")


def test_blank_line_is_recorded_as_a_skip(write, tmp_path):
    path = write("en/train.txt", bad(0, "4") + "\n\n" + bad(0, "5") + "\n")
    split = MtopLoader().load_split(tmp_path, "en", "train")
    assert len(split.examples) == 2
    assert [(skip.path, skip.line, skip.problem) for skip in split.skipped] == [(str(path), 2, "blank line")]


def test_bad_arguments_are_refused(data_dir):
    with pytest.raises(ValueError, match="unknown split"):
        MtopLoader().load_split(data_dir, "en", "validation")
    with pytest.raises(ValueError, match="on_mismatch"):
        MtopLoader().load_split(data_dir, "en", "train", on_mismatch="ignore")
