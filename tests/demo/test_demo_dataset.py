"""The dataset meets the product requirements: size, coverage, scripts, determinism."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from benchmarks.demo import write_demo_dataset
from xalign.errors import ConfigError

from demo_files import SPLITS, read_rows


def file_bytes(directory: Path) -> dict[str, bytes]:
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def test_english_and_at_least_four_targets_one_in_a_non_latin_script(demo):
    manifest = demo.manifest
    assert manifest.languages[0] == "en" and len(manifest.target_languages) >= 4
    assert {"de", "es", "fr"} <= set(manifest.target_languages)
    non_latin = [
        language
        for language in manifest.target_languages
        if any(
            ch.isalpha() and not unicodedata.name(ch).startswith("LATIN")
            for row in demo.rows[language]["test"]
            for ch in row.utterance
        )
    ]
    assert {"hi", "th"} <= set(non_latin)


def test_intents_domains_and_slot_types_are_many_and_all_used(demo):
    manifest = demo.manifest
    assert len(manifest.intents) >= 10 and len(manifest.domains) >= 3 and len(manifest.slot_types) >= 8
    for language in manifest.languages:
        for split in ("train", "test"):
            rows = demo.rows[language][split]
            assert {row.intent for row in rows} == set(manifest.intents), (language, split)
            assert {slot[2] for row in rows for slot in row.slots} == set(manifest.slot_types), (language, split)
            assert {row.domain for row in rows} == set(manifest.domains)


def test_default_sizes_meet_the_requirements_and_match_the_manifest(demo):
    manifest = demo.manifest
    assert len(demo.rows["en"]["train"]) >= 2000
    for language in manifest.languages:
        for split in SPLITS:
            assert len(demo.rows[language][split]) == manifest.counts[language][split]
        assert manifest.counts[language]["test"] >= 300
        assert 0 < manifest.counts[language]["eval"] < manifest.counts[language]["test"]
    assert (demo.directory / "README.md").read_text(encoding="utf-8").startswith("# xalign demo dataset")
    assert set(manifest.files) == {
        str(path.relative_to(demo.directory)) for path in demo.directory.rglob("*.t*") if path.suffix in {".txt", ".tsv"}
    }


def test_the_same_seed_writes_byte_identical_files(demo, tmp_path):
    write_demo_dataset(tmp_path)
    assert file_bytes(tmp_path) == file_bytes(demo.directory)


def test_another_seed_writes_other_data(tmp_path):
    write_demo_dataset(tmp_path / "a", seed=1, train_size=40, test_size=20, eval_size=10)
    write_demo_dataset(tmp_path / "b", seed=2, train_size=40, test_size=20, eval_size=10)
    assert (tmp_path / "a" / "en" / "train.txt").read_bytes() != (tmp_path / "b" / "en" / "train.txt").read_bytes()


def test_choosing_fewer_languages_leaves_the_english_files_unchanged(tmp_path):
    sizes = {"train_size": 60, "test_size": 30, "eval_size": 10}
    full = write_demo_dataset(tmp_path / "full", seed=5, **sizes)
    some = write_demo_dataset(tmp_path / "some", seed=5, languages=["de", "en"], **sizes)
    assert some.languages == ("en", "de") and full.languages[:2] == ("en", "de")
    for name in ("en/train.txt", "en/test.txt", "de/test.txt", "translations/de/train.tsv"):
        assert (tmp_path / "some" / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    assert not (tmp_path / "some" / "th").exists()


def test_bad_settings_are_all_reported_at_once(tmp_path):
    with pytest.raises(ConfigError) as error:
        write_demo_dataset(tmp_path, train_size=0, languages=["de", "xx"], held_out_value_fraction=1.5)
    message = str(error.value)
    for problem in ("train_size", "'xx'", "must include 'en'", "held_out_value_fraction"):
        assert problem in message
    assert not any(tmp_path.iterdir())


def test_small_datasets_are_written_in_the_real_format(tmp_path):
    manifest = write_demo_dataset(tmp_path, seed=3, train_size=5, test_size=4, eval_size=3)
    assert manifest.counts["th"] == {"train": 5, "eval": 3, "test": 4}
    assert len(read_rows(tmp_path / "th" / "eval.txt")) == 3
