"""Language codes: every dataset spelling becomes one two-letter code."""

from __future__ import annotations

import pytest

from xalign.datasets import UnknownLanguageError, normalize_language
from xalign.errors import DataError


@pytest.mark.parametrize(
    ("code", "expected"),
    [("th_TH", "th"), ("TH", "th"), ("th", "th"), ("en_XX", "en"), ("EN", "en"), ("pt-BR", "pt"), (" zh ", "zh")],
)
def test_locale_and_case_variants_normalise_to_two_letters(code, expected):
    assert normalize_language(code) == expected


def test_unknown_code_lists_the_known_ones_and_suggests():
    with pytest.raises(UnknownLanguageError) as caught:
        normalize_language("xx_XX")
    assert "xx_XX" in str(caught.value)
    assert "en, de, es" in str(caught.value)
    assert isinstance(caught.value, (DataError, ValueError))


def test_a_dataset_restricts_its_languages():
    assert normalize_language("es_XX", ("en", "es", "th")) == "es"
    with pytest.raises(UnknownLanguageError, match="known languages: en, es, th"):
        normalize_language("de", ("en", "es", "th"))


def test_close_match_is_suggested():
    with pytest.raises(UnknownLanguageError, match="Did you mean 'th'"):
        normalize_language("tj", ("en", "th"))
