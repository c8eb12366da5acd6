"""The demo files load through the project's own MTOP loader, with clean spans and translations."""

from __future__ import annotations

from benchmarks.datasets.mtop import MtopLoader

from demo_files import SPLITS


def test_every_file_loads_with_every_slot_on_word_boundaries(demo):
    loader = MtopLoader()
    assert loader.available_languages(demo.directory) == list(demo.manifest.languages)
    for language in demo.manifest.languages:
        for split in SPLITS:
            loaded = loader.load_split(demo.directory, language, "dev" if split == "eval" else split)
            rows = demo.rows[language][split]
            assert len(loaded.examples) == len(rows) and not loaded.skipped
            assert loaded.notes["slots"] == sum(len(row.slots) for row in rows)
            for key in ("misaligned_spans", "overlapping_slots", "unmatched_slots", "duplicate_ids"):
                assert not loaded.notes.get(key), (language, split, key)
            for example, row in zip(loaded.examples, rows):
                assert example.id == row.id and example.intent == row.intent
                assert example.words == row.tokens
                assert sum(tag.startswith("B-") for tag in example.slot_tags) == len(row.slots)


def test_translation_files_join_the_english_training_examples(demo):
    loader = MtopLoader()
    english = loader.load_split(demo.directory, "en", "train").examples
    for language in demo.manifest.target_languages:
        path = demo.directory / "translations" / language / "train.tsv"
        translations = loader.load_translations(demo.directory, language, english, translation_file=path)
        assert len(translations.by_id) == len(english)
        assert translations.by_id[english[0].id].text == demo.translations(language)[0]
