"""Runs the paper's modes on one dataset and collects per-language scores.

Modes (Gritta & Iacobacci 2021, §4): ``target`` (trained on gold target-language data),
``zero-shot`` (English only, tested on every language; trained once and reused),
``translate-train`` (English + target-language training data), ``xeroalign`` (English
task loss + alignment to one target language per model, as in the paper; with
``align_languages="all"`` one model aligned to every target language at once, reported as
``xeroalign-all``). Each trained model lives in ``<output>/models/<run>/``; a run whose
``evaluation.json`` exists is skipped on ``--resume``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import attrs

import xalign
from benchmarks.datasets.base import TranslationSet
from benchmarks.settings import BenchmarkSettings, resolved_align_languages
from xalign.builder import validate
from xalign.errors import ConfigError, DataError
from xalign.registry import get_registry
from xalign.training.loop import seed_everything

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
    from benchmarks.datasets.languages import normalize_language

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


def _record_split(loaded, notes: dict, key: str) -> list:
    if loaded.skipped:
        notes.setdefault("skipped", {})[key] = len(loaded.skipped)
        for skip in loaded.skipped[:5]:
            logger.warning("skipped %s:%d: %s", skip.path, skip.line, skip.problem)
        logger.warning("%s: %d line(s) skipped in total (on_mismatch=skip)", key, len(loaded.skipped))
    if loaded.notes:
        notes.setdefault("quirks", {})[key] = dict(loaded.notes)
    return loaded.examples


def load_bundle(settings: BenchmarkSettings, loader, data_dir: Path | None, languages: list[str]) -> DatasetBundle:
    notes: dict[str, Any] = {}
    english_train_full = _record_split(loader.load_split(data_dir, "en", "train", settings.on_mismatch), notes, "en/train")
    english_train = english_train_full[: settings.max_train_examples] if settings.max_train_examples else english_train_full
    english_dev = _record_split(loader.load_split(data_dir, "en", "dev", settings.on_mismatch), notes, "en/dev")
    tests = {"en": _record_split(loader.load_split(data_dir, "en", "test", settings.on_mismatch), notes, "en/test")}
    bundle = DatasetBundle(english_train, english_dev, tests, notes=notes)
    for language in languages:
        bundle.tests[language] = _record_split(loader.load_split(data_dir, language, "test", settings.on_mismatch), notes, f"{language}/test")
        if {"target", "translate-train"} & set(settings.modes):
            train = _record_split(loader.load_split(data_dir, language, "train", settings.on_mismatch), notes, f"{language}/train")
            bundle.target_trains[language] = train[: settings.max_train_examples] if settings.max_train_examples else train
        if {"xeroalign"} & set(settings.modes):
            translation_file = _translation_file(settings, language)
            found = loader.load_translations(data_dir, language, english_train_full, translation_file)
            kept = {example.id for example in english_train}
            by_id = {key: value for key, value in found.by_id.items() if key in kept}
            bundle.translations[language] = TranslationSet(by_id, found.source, dict(found.notes))
            logger.info("translations %s: %d of %d English training examples, from %s", language, len(by_id), len(english_train), found.source)
    return bundle


def _translation_file(settings: BenchmarkSettings, language: str) -> Path | None:
    if settings.translations_dir is None:
        return None
    root = Path(settings.translations_dir).expanduser()
    for candidate in (root / language / "train.tsv", root / f"{language}.tsv", root / f"train_{language}.tsv"):
        if candidate.is_file():
            return candidate
    raise DataError(f"no translation file for {language!r} under {root}; expected {root / language / 'train.tsv'} (one translation per line, line-aligned with English train) or {root / (language + '.tsv')} (id<TAB>text)")


def label_space(task: str, training_sets: list[list]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Intent names, BIO tags ("O" first) and the head for the task, from the training data."""
    intents = sorted({example.label for examples in training_sets for example in examples if example.label is not None})
    if task == "joint":
        tags = {tag for examples in training_sets for example in examples for tag in (example.slot_tags or ())}
        tags.discard("O")
        return tuple(intents), ("O", *sorted(tags)), "joint-intent-slot"
    return tuple(intents), (), "sequence-classification"


def model_config(settings: BenchmarkSettings, intents, tags, head) -> xalign.XalignConfig:
    return xalign.XalignConfig(
        model=xalign.ModelConfig(
            encoder=settings.encoder, pooler=settings.pooler, aligner=settings.aligner, head=head,
            intent_labels=intents, slot_labels=tags, init=settings.init, max_length=settings.max_length,
            freeze_word_embeddings=settings.freeze_word_embeddings, trust_remote_code=settings.trust_remote_code,
        ),
        training=xalign.TrainingConfig(
            epochs=settings.epochs, learning_rate=settings.learning_rate, batch_size=settings.batch_size,
            gradient_accumulation=settings.gradient_accumulation, seed=settings.seed, device=settings.device,
            optimizer=settings.optimizer, warmup_fraction=settings.warmup_fraction, alignment_weight=settings.alignment_weight,
            weighting=settings.weighting, checkpoint_every=settings.checkpoint_every, progress=settings.progress,
        ),
    )


@attrs.frozen
class PlannedRun:
    """One model to train and the languages to test it on."""

    name: str  # directory name under models/
    mode: str
    train_languages: tuple[str, ...]  # labelled training data: "en" and/or targets
    align_languages: tuple[str, ...]  # translations used for alignment
    test_languages: tuple[str, ...]


def plan_runs(settings: BenchmarkSettings, languages: list[str]) -> list[PlannedRun]:
    runs = []
    align = resolved_align_languages(settings)
    for mode in settings.modes:
        if mode == "zero-shot":
            runs.append(PlannedRun("zero-shot", mode, ("en",), (), ("en", *languages)))
        elif mode == "target":
            runs += [PlannedRun(f"target-{lang}", mode, (lang,), (), (lang,)) for lang in languages]
        elif mode == "translate-train":
            runs += [PlannedRun(f"translate-train-{lang}", mode, ("en", lang), (), (lang,)) for lang in languages]
        elif mode == "xeroalign":
            if align in ("each", "both"):
                runs += [PlannedRun(f"xeroalign-{lang}", "xeroalign", ("en",), (lang,), (lang,)) for lang in languages]
            if align in ("all", "both"):
                runs.append(PlannedRun("xeroalign-all", "xeroalign-all", ("en",), tuple(languages), tuple(languages)))
    return runs


def execute(settings: BenchmarkSettings, run: PlannedRun, bundle: DatasetBundle, config: xalign.XalignConfig, output: Path) -> dict:
    """Train (or resume, or reuse) one model and evaluate it; returns its evaluation record."""
    run_dir = output / "models" / run.name
    evaluation_file = run_dir / "evaluation.json"
    if settings.resume and evaluation_file.is_file():
        logger.info("%s: already complete, skipped (--resume)", run.name)
        return json.loads(evaluation_file.read_text(encoding="utf-8"))
    train_examples = []
    for language in run.train_languages:
        train_examples += bundle.english_train if language == "en" else bundle.target_trains[language]
    translations = {language: {key: value for key, value in bundle.translations[language].by_id.items()} for language in run.align_languages}
    logger.info("%s: training on %d labelled examples (%s)%s", run.name, len(train_examples), "+".join(run.train_languages),
                f", aligning to {', '.join(run.align_languages)}" if run.align_languages else "")
    if len(run.align_languages) > 1:
        # One model aligned to every language: one translation per example per epoch keeps
        # the cost of a step that of a single-language run.
        config = attrs.evolve(config, training=attrs.evolve(config.training, translations_per_example=1))
    # Seeded per model, so a model's initial head weights do not depend on which models this
    # process trained before it (a resumed runner starts where the first one stopped), nor on
    # the random state a fresh process starts with.
    seed_everything(config.training.seed)
    evaluation_file.unlink(missing_ok=True)  # left by a run being replaced (--overwrite): never reuse it
    assembly, _ = xalign.build(config)
    result = xalign.train(
        assembly, train_examples, translations, config.training, output_dir=run_dir,
        eval_sets={"en-dev": bundle.english_dev} if bundle.english_dev else None,
        resume=settings.resume, overwrite=settings.overwrite,  # finished work is replaced only when asked
    )
    trained = assembly if result.resumed_from != "complete" else xalign.load_pretrained(run_dir / "model")
    scores = {}
    for language in run.test_languages:
        scores[language] = xalign.evaluate(trained, bundle.tests[language], batch_size=128)
        logger.info("%s: %s test %s", run.name, language, " ".join(f"{k}={v:.4f}" for k, v in scores[language].items()))
    record = {"run": run.name, "mode": run.mode, "scores": scores, "train_seconds": round(result.seconds, 2),
              "truncated_rows": result.truncated_rows, "skipped_nonfinite": result.skipped_nonfinite}
    tmp = evaluation_file.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, evaluation_file)
    return record


def run_dataset(settings: BenchmarkSettings, output: Path) -> dict:
    """Run every mode of ``settings`` on its dataset; returns the ``results.json`` object."""
    loader = get_registry().get("datasets", settings.dataset).factory()
    data_dir = resolve_data_dir(settings, loader)
    languages = target_languages(settings, loader, data_dir)
    bundle = load_bundle(settings, loader, data_dir, languages)
    intents, tags, head = label_space(loader.task, [bundle.english_train, *bundle.target_trains.values()])
    config = model_config(settings, intents, tags, head)
    validate(config)
    planned = plan_runs(settings, languages)
    if "xeroalign" in settings.modes:
        logger.info("xeroalign: align-languages=%s (%s)", resolved_align_languages(settings),
                    "one model per target language, as in the paper" if resolved_align_languages(settings) == "each" else "one model aligned to every target language")
    records = [execute(settings, run, bundle, config, output) for run in planned]
    runs = []
    for record in records:
        for language, metrics in record["scores"].items():
            runs.append({"mode": record["mode"], "language": language, "metrics": metrics, "train_seconds": record["train_seconds"]})
    average = {}
    for mode in dict.fromkeys(run["mode"] for run in runs):
        targets = [run["metrics"] for run in runs if run["mode"] == mode and run["language"] != "en"]
        if targets:
            average[mode] = {key: sum(m[key] for m in targets) / len(targets) for key in targets[0]}
    resolved_pooler = None
    first_model = output / "models" / records[0]["run"] / "model" / "xalign_config.json" if records else None
    if first_model is not None and first_model.is_file():
        resolved_pooler = json.loads(first_model.read_text(encoding="utf-8"))["model"]["pooler"]
    return {
        "dataset": settings.dataset,
        "encoder": settings.encoder,
        "pooler": resolved_pooler or settings.pooler,
        "aligner": settings.aligner,
        "config": {
            "settings": settings.to_dict(),
            "model": config.to_dict()["model"],
            "training": config.to_dict()["training"],
            "languages": languages,
            "train_examples": len(bundle.english_train),
            "translation_sources": {lang: found.source for lang, found in bundle.translations.items()},
            "translation_counts": {lang: len(found.by_id) for lang, found in bundle.translations.items()},
            "data_notes": bundle.notes,
        },
        "runs": runs,
        "average": average,
    }
