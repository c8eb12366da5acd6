"""The demo dataset generator: seeded, parallel, labelled utterances in six languages, written as MTOP.

Owns sampling and writing. One example is a *meaning* (intent, frame, slot values),
drawn once and written in every language, so ids are shared across languages as in MTOP.
Each language picks its own template for the meaning; English training meanings are
also written in machine-translation style into each target language, line-aligned with
``en/train.txt``, for alignment.

Every example draws from its own ``random.Random`` seeded with a string
(``"<seed>/<split>/<index>"``, plus the language for the template), so the same seed
gives byte-identical files, and the English files do not change when the set of
languages does.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Sequence

import attrs

from benchmarks.demo.lexicon import Value
from benchmarks.demo.manifest import DemoManifest, readme_text
from benchmarks.demo.mtop_format import mtop_line
from benchmarks.demo.plan import DemoPlan, make_plan
from benchmarks.demo.schema import ENGLISH, INTENTS, INTENTS_BY_NAME, LANGUAGES, LOCALES
from benchmarks.demo.templates import check_templates
from benchmarks.demo.utterance import Template, realize
from xalign.errors import ConfigError

SPLITS = ("train", "eval", "test")
ID_BASE = {"train": 1_000_000, "eval": 2_000_000, "test": 3_000_000}  # numeric ids, unique across splits


@attrs.frozen
class Meaning:
    """What one example means in every language."""

    intent: str
    frame: tuple[str, ...]
    values: dict[str, Value]
    novel_template: bool  # write it with a held-out (test-only) template
    novel_values: bool  # at least one value is held out


@attrs.frozen
class Row:
    """One written example: its line in the language's file and what it was made from."""

    line: str
    template: Template
    meaning: Meaning


def _draw_meaning(rng: random.Random, plan: DemoPlan, split: str, unseen_template_rate: float,
                  unseen_value_rate: float) -> Meaning:
    intent = rng.choice(INTENTS)
    frame = rng.choice(plan.frames[intent.name])
    novel_template = split == "test" and rng.random() < unseen_template_rate
    values: dict[str, Value] = {}
    for slot in sorted(frame, key=lambda name: name != "SONG"):  # the song decides its artist
        if slot == "ARTIST" and "SONG" in values:
            values[slot] = plan.values_by_key[values["SONG"].artist]
            continue
        pool = intent.pools[slot]
        novel = split == "test" and bool(plan.held_out_values[pool]) and rng.random() < unseen_value_rate
        values[slot] = rng.choice(plan.held_out_values[pool] if novel else plan.seen_values[pool])
    novel_values = any(value.key in plan.held_out_keys for value in values.values())
    return Meaning(intent.name, frame, values, novel_template, novel_values)


def _native_row(plan: DemoPlan, meaning: Meaning, language: str, example_id: str, rng: random.Random) -> Row:
    split = plan.templates[language][meaning.intent][meaning.frame]
    choices = split.held_out if meaning.novel_template and split.held_out else split.seen
    template = rng.choice(choices)
    texts = {slot: value.form(language) for slot, value in meaning.values.items()}
    utterance = realize(template, texts, language)
    line = mtop_line(example_id, meaning.intent, INTENTS_BY_NAME[meaning.intent].domain, LOCALES[language], utterance)
    return Row(line, template, meaning)


def _machine_translation(plan: DemoPlan, english: Row, language: str) -> str:
    """The alignment translation of an English row: the machine-translation template that
    corresponds to the English one (a machine translates the same sentence the same way)."""
    meaning = english.meaning
    index = plan.templates[ENGLISH][meaning.intent][meaning.frame].all.index(english.template)
    templates = plan.machine[language][meaning.intent][meaning.frame]
    texts = {slot: value.form(language, machine=True) for slot, value in meaning.values.items()}
    return realize(templates[index % len(templates)], texts, language).text


def _check_settings(languages: Sequence[str], sizes: dict[str, int], rates: dict[str, float]) -> tuple[str, ...]:
    problems = []
    unknown = [language for language in languages if language not in LANGUAGES]
    if unknown:
        problems.append(f"languages {unknown} are not written by the demo; choose from {list(LANGUAGES)}")
    if ENGLISH not in languages:
        problems.append("languages must include 'en', the labelled source language")
    problems.extend(f"{name} must be a positive integer, got {size!r}" for name, size in sizes.items()
                    if not isinstance(size, int) or size < 1)
    problems.extend(f"{name} must lie in [0, 1], got {rate!r}" for name, rate in rates.items() if not 0 <= rate <= 1)
    problems.extend(check_templates())
    if problems:
        raise ConfigError("cannot write the demo dataset:\n  " + "\n  ".join(problems))
    return tuple(language for language in LANGUAGES if language in languages)  # canonical order


def write_demo_dataset(
    directory: Path,
    seed: int = 0,
    train_size: int = 2400,
    test_size: int = 400,
    *,
    eval_size: int = 200,
    languages: Sequence[str] = LANGUAGES,
    held_out_template_fraction: float = 0.25,
    held_out_value_fraction: float = 0.2,
    test_unseen_template_rate: float = 0.5,
    test_unseen_value_rate: float = 0.3,
) -> DemoManifest:
    """Write the synthetic demo dataset under ``directory`` and return what was written.

    Files: ``<lang>/{train,eval,test}.txt`` (MTOP flat format, 8 columns, ids shared across
    languages), ``translations/<lang>/train.tsv`` (one machine-translation-style sentence per
    line, line ``i`` translating line ``i`` of ``en/train.txt``), ``manifest.json`` and
    ``README.md``.

    Difficulty knobs: ``held_out_template_fraction`` of each language's templates per
    intent and frame, and ``held_out_value_fraction`` of each slot-value pool, appear in
    the test split only. In the test split, ``test_unseen_template_rate`` of the examples
    use a held-out template, and each slot value is a held-out one with probability
    ``test_unseen_value_rate``. Train and eval use seen templates and values only.
    """
    rates = {
        "held_out_template_fraction": held_out_template_fraction,
        "held_out_value_fraction": held_out_value_fraction,
        "test_unseen_template_rate": test_unseen_template_rate,
        "test_unseen_value_rate": test_unseen_value_rate,
    }
    sizes = {"train_size": train_size, "eval_size": eval_size, "test_size": test_size}
    languages = _check_settings(languages, sizes, rates)
    plan = make_plan(seed, languages, held_out_template_fraction, held_out_value_fraction)
    directory = Path(directory)
    counts: dict[str, dict[str, int]] = {language: {} for language in languages}
    unseen: dict[str, dict[str, int]] = {language: {"template": 0, "value": 0} for language in languages}
    translations: dict[str, list[str]] = {language: [] for language in languages if language != ENGLISH}
    for split, size in zip(SPLITS, (train_size, eval_size, test_size)):
        lines: dict[str, list[str]] = {language: [] for language in languages}
        for index in range(size):
            example_id = str(ID_BASE[split] + index)
            meaning = _draw_meaning(random.Random(f"{seed}/{split}/{index}"), plan, split,
                                    test_unseen_template_rate, test_unseen_value_rate)
            for language in languages:
                row = _native_row(plan, meaning, language, example_id, random.Random(f"{seed}/{split}/{index}/{language}"))
                lines[language].append(row.line)
                split_templates = plan.templates[language][meaning.intent][meaning.frame]
                unseen[language]["template"] += split == "test" and row.template in split_templates.held_out
                unseen[language]["value"] += split == "test" and meaning.novel_values
                if split == "train" and language == ENGLISH:
                    for target in translations:
                        translations[target].append(_machine_translation(plan, row, target))
        for language in languages:
            _write_lines(directory / language / f"{split}.txt", lines[language])
            counts[language][split] = len(lines[language])
    for language, texts in translations.items():
        _write_lines(directory / "translations" / language / "train.tsv", texts)
    manifest = DemoManifest.from_plan(plan, counts, {k: len(v) for k, v in translations.items()}, unseen,
                                      {**sizes, **rates})
    _write_lines(directory / "manifest.json", json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2).splitlines())
    (directory / "README.md").write_text(readme_text(manifest), encoding="utf-8", newline="\n")
    return manifest


def _write_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(line + "\n" for line in lines)

