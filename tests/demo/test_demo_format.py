"""Every written line is valid MTOP flat format, and parallel lines agree across languages."""

from __future__ import annotations

import re

from demo_files import SPLITS


def all_rows(demo):
    for language, splits in demo.rows.items():
        for split, rows in splits.items():
            for row in rows:
                yield language, split, row


def test_every_line_has_the_locale_domain_and_intent_of_its_file(demo):
    manifest = demo.manifest
    for language, _, row in all_rows(demo):
        assert row.locale == f"{language}_XX"
        assert row.intent in manifest.intents
        assert row.domain == manifest.intent_domains[row.intent]
        assert row.utterance == row.utterance.strip() and "  " not in row.utterance


def test_token_spans_point_at_their_tokens_and_cover_every_non_space_character(demo):
    for _, _, row in all_rows(demo):
        assert len(row.tokens) == len(row.spans) > 0
        end = 0
        for token, (start, length) in zip(row.tokens, row.spans):
            assert row.utterance[start:start + length] == token, (row.utterance, token)
            assert token and not any(ch.isspace() for ch in token)
            assert start >= end  # in order, no overlap
            end = start + length
        assert "".join(row.tokens) == row.utterance.replace(" ", "")


def test_slot_spans_lie_inside_the_utterance_and_on_token_boundaries(demo):
    for _, _, row in all_rows(demo):
        starts = {start for start, _ in row.spans}
        ends = {start + length for start, length in row.spans}
        previous_end = 0
        for start, end, slot_type in row.slots:
            assert 0 <= previous_end <= start < end <= len(row.utterance), row
            assert start in starts and end in ends, (row.utterance, start, end)
            assert row.slot_text((start, end, slot_type)).strip() == row.slot_text((start, end, slot_type))
            previous_end = end


def test_decoupled_form_holds_the_intent_and_each_slot_text_in_order(demo):
    for _, _, row in all_rows(demo):
        assert row.decoupled.startswith(f"[{row.intent}") and row.decoupled.endswith(" ]")
        position = 0
        for slot in row.slots:
            piece = f"[SL:{slot[2]} {row.slot_text(slot)} ]"
            found = row.decoupled.find(piece, position)
            assert found >= 0, (row.decoupled, piece)
            position = found + len(piece)
        if not row.slots:
            assert row.decoupled == f"[{row.intent} ]"


def test_parallel_lines_share_id_intent_and_slot_types_across_languages(demo):
    english = demo.rows["en"]
    for language in demo.manifest.target_languages:
        for split in SPLITS:
            target = demo.rows[language][split]
            assert [row.id for row in target] == [row.id for row in english[split]]
            for source, row in zip(english[split], target):
                assert row.intent == source.intent
                assert sorted(s[2] for s in row.slots) == sorted(s[2] for s in source.slots)
    ids = [row.id for split in SPLITS for row in english[split]]
    assert len(ids) == len(set(ids))


def test_thai_is_written_without_spaces_between_thai_words(demo):
    thai_pair = re.compile("[\u0e00-\u0e7f] [\u0e00-\u0e7f]")
    for split in SPLITS:
        for row in demo.rows["th"][split]:
            assert not thai_pair.search(row.utterance), row.utterance
    assert not any(thai_pair.search(line) for line in demo.translations("th"))


def test_romance_contractions_are_never_left_undone(demo):
    # French elides "de"/"que" before a vowel; Spanish would need "al"/"del" before "el".
    french = re.compile(r"\b(de|que) [aeiouàâéèêîôûAEIOUÀÉÈÊÎÔÛ]")
    spanish = re.compile(r"\b(a|de) el\b", re.IGNORECASE)
    for split in SPLITS:
        assert not [r.utterance for r in demo.rows["fr"][split] if french.search(r.utterance)]
        assert not [r.utterance for r in demo.rows["es"][split] if spanish.search(r.utterance)]
    assert not [line for line in demo.translations("fr") if french.search(line)]
    assert not [line for line in demo.translations("es") if spanish.search(line)]


def test_translation_files_are_line_aligned_with_english_training_data(demo):
    english = demo.rows["en"]["train"]
    for language in demo.manifest.target_languages:
        lines = demo.translations(language)
        assert len(lines) == len(english) == demo.manifest.translation_counts[language]
        assert all(line.strip() and "\t" not in line for line in lines)
        # Line i means what English line i means: names and places written in that
        # language appear in it (the labelled row with the same id says how it writes them).
        labelled = {row.id: row for row in demo.rows[language]["train"]}
        for source, line in zip(english, lines):
            row = labelled[source.id]
            for slot in row.slots:
                if slot[2] in {"CONTACT", "LOCATION", "DESTINATION", "SONG", "ARTIST", "PLAYLIST"}:
                    assert row.slot_text(slot) in line, (line, row.utterance)
