"""PAWS-X files: pairs, labels, skipped empty translations, id joins."""

from __future__ import annotations

import pytest

from benchmarks.datasets.paws_x import PawsXLoader
from xalign.data.examples import PairExample
from xalign.errors import DataError

HEADER = "id\tsentence1\tsentence2\tlabel\n"
ENGLISH = HEADER + "1\tThe cat sat on the mat .\tOn the mat sat the cat .\t1\n2\tA red car passed .\tA car passed the red one .\t0\n"
GERMAN = HEADER + "1\tDie Katze sass auf der Matte .\tAuf der Matte sass die Katze .\t1\n2\t\tEin Auto fuhr vorbei .\t0\n"


@pytest.fixture
def data_dir(tmp_path, write):
    write("en/train.tsv", ENGLISH)
    write("de/translated_train.tsv", GERMAN)
    for language in ("en", "de"):
        write(f"{language}/dev_2k.tsv", ENGLISH)
        write(f"{language}/test_2k.tsv", ENGLISH)
    return tmp_path


def test_pairs_parse_with_string_labels(data_dir):
    split = PawsXLoader().load_split(data_dir, "en", "train")
    assert split.examples == [
        PairExample("1", "The cat sat on the mat .", "On the mat sat the cat .", "1", "en"),
        PairExample("2", "A red car passed .", "A car passed the red one .", "0", "en"),
    ]
    assert split.notes["empty_sentence"] == 0


def test_translated_rows_with_an_empty_sentence_are_skipped_and_counted(data_dir):
    split = PawsXLoader().load_split(data_dir, "de", "train")
    assert [example.id for example in split.examples] == ["1"]
    assert split.notes["empty_sentence"] == 1
    assert [(skip.line, skip.problem) for skip in split.skipped] == [(3, "empty sentence1")]
    assert split.skipped[0].path == str(data_dir / "de" / "translated_train.tsv")


def test_translations_join_on_id_and_carry_both_sentences(data_dir):
    loader = PawsXLoader()
    english = loader.load_split(data_dir, "en", "train").examples
    translations = loader.load_translations(data_dir, "de", english)
    assert list(translations.by_id) == ["1"]
    assert translations.by_id["1"].text == "Die Katze sass auf der Matte ."
    assert translations.by_id["1"].text_pair == "Auf der Matte sass die Katze ."
    assert translations.notes["untranslated"] == 1
    assert "joined on id with" in translations.source


def test_release_folder_layout_is_found(tmp_path, write):
    write("x-final/ko/translated_train.tsv", ENGLISH)
    write("x-final/ko/dev_2k.tsv", ENGLISH)
    write("x-final/ko/test_2k.tsv", ENGLISH)
    assert PawsXLoader().available_languages(tmp_path) == ["ko"]
    assert len(PawsXLoader().load_split(tmp_path, "KO", "test").examples) == 2


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("id\tsentence1\tsentence2\n1\ta\tb\n", 1, "expected the header row"),
        (HEADER + "1\ta\tb\tyes\n", 2, "label 'yes' is not 0 or 1"),
        (HEADER + "1\ta\tb\t1\n2\ta\tb\n", 3, "expected 4 tab-separated columns, found 3"),
        (HEADER + "\ta\tb\t1\n", 2, "empty id"),
    ],
)
def test_malformed_rows_name_file_line_and_problem(tmp_path, write, content, line, problem):
    path = write("en/dev_2k.tsv", content)
    with pytest.raises(DataError) as caught:
        PawsXLoader().load_split(tmp_path, "en", "dev")
    assert f"{path}:{line}:" in str(caught.value)
    assert problem in str(caught.value)
