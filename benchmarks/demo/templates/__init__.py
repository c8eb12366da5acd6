"""Templates per language, parsed and grouped by intent and frame (the slot types a template uses).

Owns the lookup of a language's templates and the checks that keep the languages in step:
every frame the English templates use must be written natively in every language and,
for the target languages, in machine-translation style, and no machine-translation
template may repeat a native one (the alignment translations must not be copies of the
labelled target sentences). One module per language holds the text.
"""

from __future__ import annotations

from types import ModuleType

from benchmarks.demo.schema import ENGLISH, INTENTS, LANGUAGES
from benchmarks.demo.templates import de, en, es, fr, hi, th
from benchmarks.demo.utterance import Template, parse_template

MODULES: dict[str, ModuleType] = {"en": en, "de": de, "es": es, "fr": fr, "hi": hi, "th": th}

Frames = dict[str, dict[tuple[str, ...], tuple[Template, ...]]]  # intent -> frame -> templates


def _group(table: dict[str, tuple[str, ...]]) -> Frames:
    grouped: Frames = {}
    for intent, texts in table.items():
        by_frame: dict[tuple[str, ...], list[Template]] = {}
        for text in texts:
            template = parse_template(text)
            by_frame.setdefault(template.frame, []).append(template)
        grouped[intent] = {frame: tuple(templates) for frame, templates in by_frame.items()}
    return grouped


def native_templates(language: str) -> Frames:
    """The templates a native speaker of ``language`` would say (used for labelled files)."""
    return _group(MODULES[language].TEMPLATES)


def machine_templates(language: str) -> Frames:
    """Machine-translation-style templates of ``language`` (used for the alignment translations)."""
    return _group(MODULES[language].MACHINE_TRANSLATIONS)


def intent_frames() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every intent's frames, in the order the English templates first use them."""
    english = native_templates(ENGLISH)
    return {intent.name: tuple(english[intent.name]) for intent in INTENTS}


def check_templates() -> list[str]:
    """Every problem with the template tables, in words (empty when they are consistent)."""
    problems = []
    frames = intent_frames()
    for language in LANGUAGES:
        tables = {"native": native_templates(language)}
        if language != ENGLISH:
            tables["machine-translation"] = machine_templates(language)
        for kind, table in tables.items():
            for intent in INTENTS:
                written = table.get(intent.name, {})
                for frame in frames[intent.name]:
                    if frame not in written:
                        problems.append(f"{language}: no {kind} template for {intent.name} with slots {frame}")
                for frame in written:
                    if frame not in frames[intent.name]:
                        problems.append(f"{language}: {kind} {intent.name} template uses slots {frame}, which English never does")
                    unknown = set(frame) - set(intent.pools)
                    if unknown:
                        problems.append(f"{language}: {kind} {intent.name} template uses unknown slots {sorted(unknown)}")
        if language != ENGLISH:
            native_texts = {t.text.lower() for by_frame in tables["native"].values() for ts in by_frame.values() for t in ts}
            for by_frame in tables["machine-translation"].values():
                for templates in by_frame.values():
                    problems.extend(
                        f"{language}: machine-translation template {t.text!r} repeats a native template"
                        for t in templates
                        if t.text.lower() in native_texts
                    )
    return problems
