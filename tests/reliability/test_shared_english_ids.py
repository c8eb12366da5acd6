"""Two English training examples with one id: a translation of that id is a located error.

Translations are matched to English examples by id. Before the fix, a line-aligned file gave
both examples the translation of the second, and a keyed file or a join on id gave both the
one translation: one example was aligned to a sentence it does not mean, and the loaders
only counted ``duplicate_ids``.
"""

from __future__ import annotations

import re

import pytest

from benchmarks.datasets.translations import join_on_id, read_translation_file
from xalign.data.examples import SlotFillingExample
from xalign.errors import DataError

ENGLISH = [
    SlotFillingExample("a1", ("play", "jazz"), ("O", "B-GENRE"), "music"),
    SlotFillingExample("b2", ("wake", "me", "up"), ("O", "O", "O"), "alarm"),
    SlotFillingExample("a1", ("weather", "today"), ("O", "B-DATE"), "weather"),  # the id of the first, another sentence
    SlotFillingExample("c3", ("stop", "music"), ("O", "O"), "music"),
]
SHARED = re.escape("which 2 English training examples share (#1, #3, in file order)")


def test_a_line_aligned_file_over_english_examples_sharing_an_id_is_an_error_at_the_first_such_line(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("spiel jazz\nweck mich\nwetter heute\nstopp musik\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"^{re.escape(str(path))}:1: this translates id 'a1', {SHARED}.*Give each English training example its own id"):
        read_translation_file(path, "de", ENGLISH)


def test_a_keyed_translation_of_a_shared_id_is_an_error_at_its_line_and_other_ids_load(tmp_path):
    path = tmp_path / "de.tsv"
    path.write_text("b2\tweck mich\na1\tspiel jazz\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"^{re.escape(str(path))}:2: this translates id 'a1', {SHARED}"):
        read_translation_file(path, "de", ENGLISH)
    path.write_text("b2\tweck mich\nc3\tstopp musik\n", encoding="utf-8")  # the shared id left untranslated: fine
    loaded = read_translation_file(path, "de", ENGLISH)
    assert sorted(loaded.by_id) == ["b2", "c3"] and loaded.notes["untranslated"] == 1


def test_joining_on_a_shared_id_is_an_error_naming_the_file(tmp_path):
    target = tmp_path / "de" / "train.txt"
    with pytest.raises(DataError, match=f"^{re.escape(str(target))}: this translates id 'a1', {SHARED}"):
        join_on_id([("b2", "weck mich", None), ("a1", "spiel jazz", None)], ENGLISH, "de", target)
    joined = join_on_id([("b2", "weck mich", None), ("c3", "stopp musik", None)], ENGLISH, "de", target)
    assert sorted(joined.by_id) == ["b2", "c3"]
