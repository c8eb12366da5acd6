"""Translations that join no English example are an error, not a silent zero-shot run."""

from __future__ import annotations

import logging

import pytest

from xalign.data.collate import ParallelItem
from xalign.data.examples import SlotFillingExample, Translation
from xalign.errors import TrainingError
from xalign.training.data import parallel_items, translation_coverage

ENGLISH = [SlotFillingExample(id=str(i), words=("wake", "me"), slot_tags=("O", "O"), intent="a") for i in range(4)]


def coverage(translations, languages=()):
    return translation_coverage(parallel_items(ENGLISH, translations, languages), translations, languages)


def test_translations_whose_ids_join_nothing_are_refused_with_examples_of_both_sides():
    translations = {"de": {"x1": Translation("x1", "de", "weck mich")}}
    with pytest.raises(TrainingError) as error:
        coverage(translations)
    assert "no translation matches an English training example" in str(error.value)
    assert "'x1'" in str(error.value) and "'0'" in str(error.value)


def test_a_partial_join_warns_with_the_counts(caplog):
    translations = {"de": {"0": Translation("0", "de", "weck mich")}, "fr": {str(i): Translation(str(i), "fr", "reveille") for i in range(4)}}
    with caplog.at_level(logging.WARNING):
        assert coverage(translations) == {"de": 1, "fr": 4}
    assert "translations de: 1 of 4 English training examples" in caplog.text
    assert "translations fr" not in caplog.text


def test_an_align_language_without_translations_is_refused():
    with pytest.raises(TrainingError, match="align_languages names DE"):
        coverage({"de": {"0": Translation("0", "de", "weck mich")}}, languages=("DE",))


def test_no_translations_at_all_is_the_zero_shot_baseline():
    assert coverage({}) == {}
    assert all(isinstance(item, ParallelItem) and not item.translations for item in parallel_items(ENGLISH, {}))
