"""What a benchmark run reads from disk: every split, the translations, and where they came from.

Owns :class:`DatasetBundle` and the checks on the data before any model trains (an empty
split, missing languages, a missing translation file). Knows nothing of modes' training
or of scores.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import attrs

from benchmarks.settings import BenchmarkSettings
from xalign.datasets import MissingDatasetError, TranslationSet, normalize_language
from xalign.errors import ConfigError, DataError

logger = logging.getLogger("benchmarks")


@attrs.define
class DatasetBundle:
    """Everything read from disk for one benchmark run."""

    english_train: list
    english_dev: list
    tests: dict[str, list]
    target_trains: dict[str, list] = attrs.Factory(dict)
    translations: dict[str, TranslationSet] = attrs.Factory(dict)
    notes: dict[str, Any] = attrs.Factory(dict)
    files: dict[str, list[str]] = attrs.Factory(dict)  # "en/train" -> the files read
    alignment_sources: dict[str, str] = attrs.Factory(dict)  # language -> kind of translations


def resolve_data_dir(settings: BenchmarkSettings, loader) -> Path | None:
    if settings.data_dir is not None:
        path = Path(settings.data_dir).expanduser()
        if loader.name != "demo" and not path.is_dir():
            raise ConfigError(f"--data-dir {path} does not exist; point it at the unpacked {loader.name} release ({loader.published_at})")
        return path
    if loader.name == "demo":
        return None
    raise ConfigError(f"dataset {loader.name!r} needs --data-dir (the unpacked release from {loader.published_at})")


def target_languages(settings: BenchmarkSettings, loader, data_dir: Path | None) -> list[str]:
    available = loader.available_languages(data_dir)
    if "en" not in available:
        # Raises the loader's own missing-data error listing the expected English files.
        loader.load_split(data_dir, "en", "train")
    if settings.languages:
        wanted = [normalize_language(code) for code in settings.languages]
        missing = [code for code in wanted if code not in available]
        if missing:
            expected = [str(path) for code in missing for path in loader.expected_files(data_dir, code)]
            raise DataError(f"no {loader.name} files for language(s) {', '.join(missing)}; expected: {', '.join(expected)} ({loader.published_at})")
        return [code for code in wanted if code != "en"]
    return [code for code in available if code != "en"]


def _record_split(loaded, notes: dict, key: str, files: dict | None = None) -> list:
    if files is not None:
        files[key] = list(loaded.files)
    if not loaded.examples and (loaded.files or not key.endswith("/dev")):  # a dev set may be absent, never empty
        where = ", ".join(loaded.files) or key
        raise DataError(f"{key} has no examples ({where}); a dataset split must hold at least one row")
    if loaded.skipped:
        notes.setdefault("skipped", {})[key] = len(loaded.skipped)
        for skip in loaded.skipped[:5]:
            logger.warning("skipped %s:%d: %s", skip.path, skip.line, skip.problem)
        logger.warning("%s: %d line(s) skipped in total (on_mismatch=skip)", key, len(loaded.skipped))
    if loaded.notes:
        notes.setdefault("quirks", {})[key] = dict(loaded.notes)
    return loaded.examples


def load_bundle(settings: BenchmarkSettings, loader, data_dir: Path | None, languages: list[str], translations_dir: str | None) -> DatasetBundle:
    """Every split the run needs. Target training files are read whatever the modes, so that
    every model of the dataset has one label space."""
    notes: dict[str, Any] = {}
    files: dict[str, list[str]] = {}
    mismatch = settings.on_mismatch

    def split(language: str, name: str) -> list:
        return _record_split(loader.load_split(data_dir, language, name, mismatch), notes, f"{language}/{name}", files)

    english_train_full = split("en", "train")
    english_train = english_train_full[: settings.max_train_examples] if settings.max_train_examples else english_train_full
    bundle = DatasetBundle(english_train, split("en", "dev"), {"en": split("en", "test")}, notes=notes, files=files)
    needs_target_train = bool({"target", "translate-train", "en+target"} & set(settings.modes))
    for language in languages:
        bundle.tests[language] = split(language, "test")
        try:
            train = split(language, "train")
        except MissingDatasetError:
            if needs_target_train:
                raise
            train = []  # no labelled target data: it then adds nothing to the label space
            logger.info("%s: no training file; the label space comes from the other training files", language)
        bundle.target_trains[language] = train[: settings.max_train_examples] if settings.max_train_examples else train
        if "xeroalign" in settings.modes:
            translation_file = _translation_file(translations_dir, language)
            if translation_file is not None:
                files[f"{language}/translations"] = [str(translation_file)]  # fingerprinted with the rest
            found = loader.load_translations(data_dir, language, english_train_full, translation_file)
            kept = {example.id for example in english_train}
            by_id = {key: value for key, value in found.by_id.items() if key in kept}
            bundle.translations[language] = TranslationSet(by_id, found.source, dict(found.notes))
            bundle.alignment_sources[language] = alignment_source_kind(loader, found.source)
            logger.info("translations %s: %d of %d English training examples, from %s", language, len(by_id), len(english_train), found.source)
    return bundle


def alignment_source_kind(loader, source: str) -> str:
    """Where a language's alignment translations came from, in the words results use.

    ``source`` is the loader's own description (``line-aligned file X``, ``keyed file X``,
    ``joined on id with X``)."""
    if source.startswith("keyed"):
        return "keyed file"
    if source.startswith("line-aligned"):
        return "machine-translated file"
    if getattr(loader, "machine_translated_train", False):
        return "machine-translated target training set"
    return "parallel target training set (human translations)"


def _translation_file(translations_dir: str | None, language: str) -> Path | None:
    if translations_dir is None:
        return None
    root = Path(translations_dir).expanduser()
    for candidate in (root / language / "train.tsv", root / f"{language}.tsv", root / f"train_{language}.tsv"):
        if candidate.is_file():
            return candidate
    raise DataError(f"no translation file for {language!r} under {root}; expected {root / language / 'train.tsv'} (one translation per line, line-aligned with English train) or {root / (language + '.tsv')} (id<TAB>text)")
