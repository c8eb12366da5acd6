"""Translation files: line-aligned and keyed, auto-detected, with located errors."""

from __future__ import annotations

import pytest

from benchmarks.datasets.translations import detect_translation_format, read_translation_file
from xalign.data.examples import PairExample, SlotFillingExample
from xalign.errors import DataError

ENGLISH = [SlotFillingExample(f"en-train-{n}", ("hello",), ("O",), "greet", "en") for n in (1, 2, 3)]


def test_line_aligned_file_maps_line_i_to_english_example_i(write):
    path = write("th/train.tsv", "\ufeffสวัสดี\r\nอรุณสวัสดิ์\r\nลาก่อน\r\n\n")
    translations = read_translation_file(path, "th", ENGLISH)
    assert [(key, value.text, value.language) for key, value in translations.by_id.items()] == [
        ("en-train-1", "สวัสดี", "th"),
        ("en-train-2", "อรุณสวัสดิ์", "th"),
        ("en-train-3", "ลาก่อน", "th"),
    ]
    assert translations.source == f"line-aligned file {path}"


def test_line_count_mismatch_names_both_counts(write):
    path = write("es/train.tsv", "hola\nadiós\n")
    with pytest.raises(DataError) as caught:
        read_translation_file(path, "es", ENGLISH)
    assert str(path) in str(caught.value)
    assert "2 lines" in str(caught.value) and "3 English training examples" in str(caught.value)


def test_empty_line_leaves_its_example_untranslated_and_counted(write):
    translations = read_translation_file(write("es/train.tsv", "hola\n\nadiós\n"), "es", ENGLISH)
    assert set(translations.by_id) == {"en-train-1", "en-train-3"}
    assert translations.notes == {"empty_translations": 1, "untranslated": 1}


def test_keyed_file_is_detected_and_may_hold_a_subset(write):
    path = write("es/keyed.tsv", "en-train-3\tadiós\nen-train-1\thola\n")
    translations = read_translation_file(path, "es", ENGLISH)
    assert {key: value.text for key, value in translations.by_id.items()} == {
        "en-train-3": "adiós",
        "en-train-1": "hola",
    }
    assert translations.source == f"keyed file {path}"
    assert translations.notes["untranslated"] == 1


def test_keyed_file_with_an_unknown_id_names_the_line(write):
    path = write("es/keyed.tsv", "en-train-1\thola\nen-train-9\tnada\n")
    with pytest.raises(DataError) as caught:
        read_translation_file(path, "es", ENGLISH)
    assert f"{path}:2:" in str(caught.value)
    assert "'en-train-9' is not the id of an English training example" in str(caught.value)


def test_keyed_file_with_a_repeated_id_names_both_lines(write):
    path = write("es/keyed.tsv", "en-train-1\thola\nen-train-1\tholà\n")
    with pytest.raises(DataError, match=r"keyed.tsv:2: id 'en-train-1' is translated twice \(first on line 1\)"):
        read_translation_file(path, "es", ENGLISH)


def test_explicit_format_overrides_detection(write):
    path = write("es/odd.tsv", "en-train-1\thola\nx\ty\nz\tw\n")
    with pytest.raises(DataError, match="line-aligned translation line holds 1"):
        read_translation_file(path, "es", ENGLISH, format="line-aligned")


def test_detection_rule():
    known = {"17"}
    assert detect_translation_format([(1, ""), (2, "17\ttext")], known) == "keyed"
    assert detect_translation_format([(1, "18\ttext")], known) == "line-aligned"
    assert detect_translation_format([(1, "17\ttext\tpair")], known, pair=True) == "keyed"
    assert detect_translation_format([(1, "text\tpair")], known, pair=True) == "line-aligned"


def test_pair_translations_carry_both_texts(write):
    english = [PairExample("1", "a b", "b a", "1"), PairExample("2", "c d", "d c", "0")]
    path = write("de/train.tsv", "a2 b2\tb2 a2\nc2 d2\td2 c2\n")
    translations = read_translation_file(path, "de", english, pair=True)
    assert (translations.by_id["2"].text, translations.by_id["2"].text_pair) == ("c2 d2", "d2 c2")


def test_unknown_format_is_refused(write):
    with pytest.raises(ValueError, match="translation format"):
        read_translation_file(write("x.tsv", "a\n"), "es", ENGLISH, format="csv")
