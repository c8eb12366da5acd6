"""MultiATIS++ files: BIO per token, tag-count mismatches (fail or skip), id joins."""

from __future__ import annotations

import pytest

from benchmarks.datasets.multiatis import MultiAtisLoader
from xalign.data.examples import SlotFillingExample
from xalign.errors import DataError

HEADER = "id\tutterance\tslot_labels\tintent\n"
ENGLISH = (
    HEADER
    + "0\tflights from boston to denver\tO O B-fromloc.city_name O B-toloc.city_name\tatis_flight\n"
    + "1\tfares and flights to dallas\tO O O O B-toloc.city_name\tatis_flight#atis_airfare\n"
)
FRENCH = (
    HEADER
    + "0\tvols de boston à denver\tO O B-fromloc.city_name O B-toloc.city_name\tatis_flight\n"
    + "1\ttarifs et vols pour dallas\tO O O B-toloc.city_name\tatis_flight#atis_airfare\n"
)


@pytest.fixture
def data_dir(tmp_path, write):
    for split in ("train", "dev", "test"):
        write(f"{split}_EN.tsv", ENGLISH)
        write(f"{split}_FR.tsv", FRENCH)
    return tmp_path


def test_rows_parse_with_bio_per_token_and_multi_intents_as_one_class(data_dir):
    split = MultiAtisLoader().load_split(data_dir, "en", "train")
    assert split.examples == [
        SlotFillingExample(
            "0",
            ("flights", "from", "boston", "to", "denver"),
            ("O", "O", "B-fromloc.city_name", "O", "B-toloc.city_name"),
            "atis_flight",
            "en",
        ),
        SlotFillingExample(
            "1",
            ("fares", "and", "flights", "to", "dallas"),
            ("O", "O", "O", "O", "B-toloc.city_name"),
            "atis_flight#atis_airfare",
            "en",
        ),
    ]


def test_tag_count_mismatch_fails_with_file_line_and_both_counts(data_dir):
    with pytest.raises(DataError) as caught:
        MultiAtisLoader().load_split(data_dir, "fr", "train")
    assert f"{data_dir / 'train_FR.tsv'}:3:" in str(caught.value)
    assert "4 slot tags for 5 tokens" in str(caught.value)


def test_tag_count_mismatch_can_be_skipped_and_counted(data_dir):
    split = MultiAtisLoader().load_split(data_dir, "fr", "train", on_mismatch="skip")
    assert [example.id for example in split.examples] == ["0"]
    assert split.notes["tag_count_mismatch"] == 1
    assert [(skip.line, skip.problem) for skip in split.skipped] == [(3, "4 slot tags for 5 tokens")]


def test_translations_join_on_id_skipping_broken_target_rows(data_dir):
    loader = MultiAtisLoader()
    english = loader.load_split(data_dir, "en", "train").examples
    translations = loader.load_translations(data_dir, "FR", english)
    assert {key: value.text for key, value in translations.by_id.items()} == {"0": "vols de boston à denver"}
    assert translations.notes["untranslated"] == 1


def test_release_data_folder_is_found(tmp_path, write):
    for split in ("train", "dev", "test"):
        write(f"data/{split}_ZH.tsv", HEADER + "7\t从 波士顿 出发\tO B-fromloc.city_name O\tatis_flight\n")
    assert MultiAtisLoader().available_languages(tmp_path) == ["zh"]
    assert MultiAtisLoader().load_split(tmp_path, "zh", "dev").examples[0].words == ("从", "波士顿", "出发")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("5\tto denver\tO B_toloc\tatis_flight", "slot tag 'B_toloc' is not O, B-TYPE or I-TYPE"),
        ("5\t  \t\tatis_flight", "empty utterance"),
        ("5\tto denver\tO O", "expected 4 tab-separated columns, found 3"),
        ("5\tto denver\tO O\t", "empty intent"),
    ],
)
def test_malformed_rows_name_file_line_and_problem(tmp_path, write, row, problem):
    path = write("test_EN.tsv", ENGLISH + row + "\n")
    with pytest.raises(DataError) as caught:
        MultiAtisLoader().load_split(tmp_path, "en", "test")
    assert f"{path}:4:" in str(caught.value)
    assert problem in str(caught.value)
