"""The textclass loader on small files in the real format: examples, ids, errors, translations."""

from __future__ import annotations

import pytest

from xalign.data.examples import ClassificationExample
from xalign.datasets import DatasetLoader
from xalign.errors import DataError
from xalign_textclass import TextClassLoader

loader = TextClassLoader()
ENGLISH = "the food was great\tpositive\nthe room was dirty\tnegative\nit was fine\tneutral\n"


def test_loader_follows_the_dataset_loader_protocol():
    assert isinstance(loader, DatasetLoader)
    assert (loader.name, loader.task) == ("textclass", "classification")


def test_rows_become_classification_examples_with_line_based_ids(write, tmp_path):
    write("en/train.tsv", "text\tlabel\n" + ENGLISH.replace("\n", "\r\n", 1) + "\n")
    split = loader.load_split(tmp_path, "en", "train")
    assert split.examples == [
        ClassificationExample("en-train-2", "the food was great", "positive", "en"),
        ClassificationExample("en-train-3", "the room was dirty", "negative", "en"),
        ClassificationExample("en-train-4", "it was fine", "neutral", "en"),
    ]
    assert split.notes == {"header": 1, "blank_lines": 1} and split.files == [str(tmp_path / "en" / "train.tsv")]


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("good\tpositive\nno label here\n", 2, "expected 2 tab-separated columns"),
        ("good\tpositive\nbad\tnegative\textra\n", 2, "found 3"),
        ("good\tpositive\n\tnegative\n", 2, "text column is empty"),
        ("good\tpositive\nbad\t \n", 2, "label column is empty"),
        (b"good\tpositive\nbad \xff\tnegative\n", 2, "invalid UTF-8"),
    ],
)
def test_malformed_lines_are_data_errors_naming_file_line_and_problem(write, tmp_path, content, line, problem):
    path = write("de/test.tsv", content)
    with pytest.raises(DataError, match=problem) as raised:
        loader.load_split(tmp_path, "de", "test")
    assert (raised.value.path, raised.value.line) == (str(path), line)


def test_missing_files_say_where_to_write_them_and_dev_is_optional(write, tmp_path):
    write("en/train.tsv", ENGLISH)
    with pytest.raises(DataError, match=r"(?s)test split of textclass \(en\).*en/test.tsv"):
        loader.load_split(tmp_path, "en", "test")
    assert loader.load_split(tmp_path, "en", "dev").examples == []


def test_available_languages_are_english_first_then_every_folder_with_a_test_file(write, tmp_path):
    write("fr/test.tsv", "bon\tpositive\n")
    write("de/test.tsv", "gut\tpositive\n")
    write("es/dev.tsv", "bueno\tpositive\n")  # no test file: not a target language
    write("translations/de/train.tsv", "gut\n")
    assert loader.available_languages(tmp_path) == ["de", "fr"]  # English needs train and test files
    write("en/train.tsv", ENGLISH)
    write("en/test.tsv", ENGLISH)
    assert loader.available_languages(tmp_path) == ["en", "de", "fr"]


def test_line_aligned_translations_follow_the_english_rows(write, tmp_path):
    write("en/train.tsv", "text\tlabel\n" + ENGLISH)
    write("translations/de/train.tsv", "das essen war toll\ndas zimmer war schmutzig\nes war in ordnung\n\n")
    english = loader.load_split(tmp_path, "en", "train").examples
    found = loader.load_translations(tmp_path, "de", english)
    assert {key: value.text for key, value in found.by_id.items()} == {
        "en-train-2": "das essen war toll", "en-train-3": "das zimmer war schmutzig", "en-train-4": "es war in ordnung",
    }
    assert found.source.startswith("line-aligned file")


def test_keyed_translations_may_cover_a_subset_in_any_order(write, tmp_path):
    write("en/train.tsv", ENGLISH)
    path = write("elsewhere/de.tsv", "en-train-3\tdas zimmer war schmutzig\nen-train-1\tdas essen war toll\n")
    english = loader.load_split(tmp_path, "en", "train").examples
    found = loader.load_translations(tmp_path, "de", english, translation_file=path)
    assert sorted(found.by_id) == ["en-train-1", "en-train-3"] and found.notes == {"untranslated": 1}
    assert found.by_id["en-train-1"].language == "de"


@pytest.mark.parametrize(
    ("content", "line", "problem"),
    [
        ("eins\nzwei\n", None, "2 lines in a line-aligned translation file for 3"),
        ("eins\nzwei\tdrei\nvier\n", 2, "one text and no tab"),
        ("eins\n \nvier\n", 2, "empty translation of English example 'en-train-2'"),
        ("en-train-1\teins\nen-train-9\tneun\n", 2, "'en-train-9' is not the id of an English training example"),
        ("en-train-1\teins\nen-train-1\tnoch eins\n", 2, "translated twice"),
    ],
)
def test_bad_translation_files_are_data_errors(write, tmp_path, content, line, problem):
    write("en/train.tsv", ENGLISH)
    path = write("translations/de/train.tsv", content)
    english = loader.load_split(tmp_path, "en", "train").examples
    with pytest.raises(DataError, match=problem) as raised:
        loader.load_translations(tmp_path, "de", english)
    assert (raised.value.path, raised.value.line) == (str(path), line)


def test_missing_translations_list_the_places_looked_at(write, tmp_path):
    write("en/train.tsv", ENGLISH)
    english = loader.load_split(tmp_path, "en", "train").examples
    with pytest.raises(DataError, match=r"translations/fr/train.tsv, .*translations/fr.tsv"):
        loader.load_translations(tmp_path, "fr", english)


def test_the_example_data_set_reads_cleanly(example_data):
    assert loader.available_languages(example_data) == ["en", "de", "fr"]
    english = loader.load_split(example_data, "en", "train").examples
    assert len(english) == 60 and {e.label for e in english} == {"positive", "negative"}
    german, french = (loader.load_translations(example_data, language, english) for language in ("de", "fr"))
    assert len(german.by_id) == len(french.by_id) == 60
    assert german.source.startswith("line-aligned") and french.source.startswith("keyed")  # both forms shown
    assert all(loader.load_split(example_data, language, "test").examples for language in ("en", "de", "fr"))
