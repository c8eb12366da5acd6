"""Utterances are built with the right spaces, elisions and token spans for each language."""

from __future__ import annotations

import pytest

from benchmarks.demo.mtop_format import decoupled_form, mtop_line, slot_field
from benchmarks.demo.utterance import Slot, parse_template, realize


def spans_hold_tokens(utterance) -> bool:
    return all(utterance.text[s:s + n] == token for token, (s, n) in zip(utterance.tokens, utterance.spans))


def test_french_elides_de_and_que_before_a_vowel_and_keeps_the_slot_on_a_token():
    template = parse_template("dis à {CONTACT} que {CONTENT_EXACT}")
    utterance = realize(template, {"CONTACT": "Anna", "CONTENT_EXACT": "on se voit demain"}, "fr")
    assert utterance.text == "dis à Anna qu'on se voit demain"
    assert utterance.tokens == ("dis", "à", "Anna", "qu'", "on", "se", "voit", "demain")
    assert utterance.slots == (Slot(6, 10, "CONTACT"), Slot(14, 31, "CONTENT_EXACT"))
    assert spans_hold_tokens(utterance)
    assert realize(parse_template("mets {SONG} de {ARTIST}"), {"SONG": "Hello", "ARTIST": "Adele"}, "fr").text == (
        "mets Hello d'Adele"
    )
    assert realize(parse_template("mets {SONG} de {ARTIST}"), {"SONG": "Hello", "ARTIST": "Stromae"}, "fr").text == (
        "mets Hello de Stromae"
    )


def test_french_elided_clitics_in_templates_are_their_own_tokens():
    utterance = realize(parse_template("supprime l'alarme prévue {DATE_TIME}"), {"DATE_TIME": "aujourd'hui à 7 h"}, "fr")
    assert utterance.tokens[:3] == ("supprime", "l'", "alarme")
    assert "aujourd'hui" in utterance.tokens  # not a clitic: stays whole
    assert spans_hold_tokens(utterance)


def test_thai_words_join_without_spaces_but_digits_and_latin_names_are_set_off():
    utterance = realize(parse_template("ตั้ง นาฬิกา ปลุก {DATE_TIME}"), {"DATE_TIME": "พรุ่งนี้ 7 โมง เช้า"}, "th")
    assert utterance.text == "ตั้งนาฬิกาปลุกพรุ่งนี้ 7 โมงเช้า"
    assert utterance.tokens == ("ตั้ง", "นาฬิกา", "ปลุก", "พรุ่งนี้", "7", "โมง", "เช้า")
    assert utterance.slots == (Slot(14, len(utterance.text), "DATE_TIME"),)
    assert spans_hold_tokens(utterance)
    music = realize(parse_template("เปิด เพลง ของ {ARTIST} หน่อย"), {"ARTIST": "Ed Sheeran"}, "th")
    assert music.text == "เปิดเพลงของ Ed Sheeran หน่อย"


def test_commas_and_colons_attach_to_the_word_before():
    utterance = realize(parse_template("schreib {CONTACT} : {CONTENT_EXACT}"),
                        {"CONTACT": "Anna", "CONTENT_EXACT": "ich bin unterwegs"}, "de")
    assert utterance.text == "schreib Anna: ich bin unterwegs"
    assert utterance.tokens[2] == ":" and spans_hold_tokens(utterance)


def test_templates_with_broken_placeholders_or_repeated_slots_are_refused():
    with pytest.raises(ValueError, match="whole word"):
        parse_template("call {CONTACT}'s phone")
    with pytest.raises(ValueError, match="twice"):
        parse_template("{CONTACT} and {CONTACT}")
    assert parse_template("add {SONG} to my {PLAYLIST} playlist").frame == ("PLAYLIST", "SONG")


def test_an_mtop_line_has_eight_columns_and_the_published_field_formats():
    utterance = realize(parse_template("wake me up {DATE_TIME}"), {"DATE_TIME": "at 7 am"}, "en")
    line = mtop_line("1000001", "IN:SET_ALARM", "alarm", "en_XX", utterance)
    columns = line.split("\t")
    assert len(columns) == 8
    assert columns[2] == slot_field(utterance) == "11:18:SL:DATE_TIME"
    assert columns[6] == decoupled_form("IN:SET_ALARM", utterance) == "[IN:SET_ALARM [SL:DATE_TIME at 7 am ] ]"
    assert columns[7].startswith('{"tokens": ["wake", "me", "up", "at", "7", "am"], "tokenSpans": [{"start": 0, "length": 4}')


def test_french_elision_never_changes_the_text_of_a_previous_slot():
    template = parse_template("mets {PLAYLIST} {ARTIST}")
    utterance = realize(template, {"PLAYLIST": "ma la", "ARTIST": "Adele"}, "fr")
    assert utterance.text == "mets ma la Adele"
    assert [utterance.text[s.start:s.end] for s in utterance.slots] == ["ma la", "Adele"]
