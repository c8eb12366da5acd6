"""The test split holds templates and values that training never sees; translations are not copies."""

from __future__ import annotations

from benchmarks.demo.plan import held_out_count
from benchmarks.demo.templates import check_templates
from benchmarks.demo.values import value_pools

from demo_files import SPLITS


def skeletons(rows) -> set[str]:
    return {row.skeleton for row in rows}


def test_template_tables_cover_every_frame_in_every_language_and_style():
    assert check_templates() == []


def test_test_utterances_use_templates_that_training_never_uses(demo):
    for language in demo.manifest.languages:
        seen = skeletons(demo.rows[language]["train"]) | skeletons(demo.rows[language]["eval"])
        unseen = [row for row in demo.rows[language]["test"] if row.skeleton not in seen]
        assert len(unseen) >= 0.2 * len(demo.rows[language]["test"]), language
        assert {row.intent for row in unseen} == set(demo.manifest.intents), language


def test_english_held_out_templates_are_in_the_manifest_and_only_in_test(demo):
    held = {text for texts in demo.manifest.held_out_templates["en"].values() for text in texts}
    assert held
    for split in ("train", "eval"):
        assert not held & skeletons(demo.rows["en"][split])
    assert len(held & skeletons(demo.rows["en"]["test"])) >= 0.8 * len(held)
    for language in demo.manifest.target_languages:
        assert all(demo.manifest.held_out_templates[language].values()), language


def test_held_out_values_appear_in_test_but_never_in_training(demo):
    manifest = demo.manifest
    assert all(manifest.held_out_values[slot] for slot in manifest.slot_types)
    slot_texts = {
        split: {(slot[2], row.slot_text(slot)) for row in demo.rows["en"][split] for slot in row.slots} for split in SPLITS
    }
    held = {(slot, text) for slot, texts in manifest.held_out_values.items() for text in texts}
    assert not held & slot_texts["train"] and not held & slot_texts["eval"]
    assert len(held & slot_texts["test"]) >= 20
    assert all(manifest.test_unseen[language]["value"] > 0 for language in manifest.languages)


def test_translations_for_alignment_are_never_labelled_target_sentences(demo):
    for language in demo.manifest.target_languages:
        labelled = {row.utterance for split in SPLITS for row in demo.rows[language][split]}
        assert not labelled & set(demo.translations(language)), language


def test_held_out_count_keeps_one_template_for_training():
    assert held_out_count(1, 0.5) == 0
    assert held_out_count(4, 0.25) == 1
    assert held_out_count(2, 0.9) == 1
    assert held_out_count(7, 0.0) == 0
    assert held_out_count(6, 0.01) == 1


def test_every_value_is_written_in_every_language_and_keys_mean_one_thing():
    forms_by_key = {}
    for pool in value_pools().values():
        for value in pool:
            assert forms_by_key.setdefault(value.key, value.forms) == value.forms, value.key
