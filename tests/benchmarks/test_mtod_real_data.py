"""The real MTOD files, when present: every row loads and the sizes match the published ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.datasets.mtod import MtodLoader

MTOD_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mtod"

# Published sizes (design notes, section 4): train / eval / test.
SIZES = {
    ("en", "dev"): 4181,
    ("en", "test"): 8621,
    ("es", "train"): 3617,
    ("es", "dev"): 1983,
    ("es", "test"): 3043,
    ("th", "train"): 2156,
    ("th", "dev"): 1235,
    ("th", "test"): 1692,
}

pytestmark = pytest.mark.skipif(not MTOD_DIR.is_dir(), reason=f"real MTOD data not found at {MTOD_DIR}")


def test_every_real_mtod_row_loads_with_published_sizes_and_misaligned_spans():
    loader = MtodLoader(format="tsv")
    misaligned = {}
    for (language, split), size in SIZES.items():
        candidates = loader.candidates(MTOD_DIR, language, split)
        if not any(path.is_file() for path in candidates):
            continue  # this copy may lack a file (e.g. the large English train split)
        loaded = loader.load_split(MTOD_DIR, language, split)
        assert len(loaded.examples) == size, (language, split)
        assert loaded.skipped == []
        assert loaded.notes["token_text_mismatch"] == 0
        assert loaded.notes["unmatched_slots"] == 0
        for example in loaded.examples:
            assert len(example.words) == len(example.slot_tags)
        misaligned[language] = misaligned.get(language, 0) + loaded.notes["misaligned_spans"]
        print(f"mtod {language} {split}: {len(loaded.examples)} rows, notes {loaded.notes}")
    assert misaligned, "no MTOD file found"
    for language, count in misaligned.items():
        assert count > 0, f"{language}: expected slots that start or end inside a word"
    assert set(loader.available_languages(MTOD_DIR)) >= {"es", "th"}
