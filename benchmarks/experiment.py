"""Runs the paper's modes on one dataset and collects per-language scores.

Modes as the paper defines them (Gritta & Iacobacci 2021, §4): ``target`` (trained on gold
target-language data), ``zero-shot`` (English only, tested on every language; trained once
and reused), ``translate-train`` (English + the machine-translated, labelled target
training set: PAWS-X's ``translated_train.tsv``), ``xeroalign`` (English task loss +
alignment to one target language per model; with ``align_languages="all"`` one model
aligned to every target language at once, reported as ``xeroalign-all``). ``en+target``
(English + the human-labelled target training set) is not in the paper and has its own
name. Every model has the same label space: that of every training file of the dataset.
Each trained model lives in ``<output>/models/<run>/``; on ``--resume`` a model whose
``evaluation.json`` records the same configuration is reused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import attrs

import xalign
from benchmarks.bundle import DatasetBundle, load_bundle, resolve_data_dir, target_languages
from benchmarks.input_files import check_input_files
from benchmarks.paper import average_languages, paper_mode_values
from benchmarks.settings import RESUMABLE_CHANGES, BenchmarkSettings, RunConfig, resolved_align_languages, translations_dir_for
from xalign.builder import validate
from xalign.layers import config_with_overrides, flatten
from xalign.errors import ConfigError
from xalign.registry import get_registry
from xalign.training.checkpoints import disk_plan
from xalign.training.loop import seed_everything
from xalign.training.run_directory import temporary_path

logger = logging.getLogger("benchmarks")


def label_space(task: str, training_sets: list[list]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Intent names, BIO tags ("O" first) and the head for the task, from the training data."""
    intents = sorted({example.label for examples in training_sets for example in examples if example.label is not None})
    if task == "joint":
        tags = {tag for examples in training_sets for example in examples for tag in (example.slot_tags or ())}
        tags.discard("O")
        return tuple(intents), ("O", *sorted(tags)), "joint-intent-slot"
    return tuple(intents), (), "sequence-classification"


def model_config(run_config: RunConfig, intents, tags, head) -> xalign.XalignConfig:
    """The run's configuration with the dataset's label space and head."""
    return attrs.evolve(run_config.config, model=attrs.evolve(run_config.config.model, intent_labels=intents, slot_labels=tags, head=head))


def config_for_mode(run_config: RunConfig, config: xalign.XalignConfig, mode: str) -> xalign.XalignConfig:
    """Per-mode values of the paper preset (MTOD's aligned models: 5 epochs), where the user
    did not set them."""
    if run_config.benchmark.preset != "paper":
        return config
    values = {key: value for key, value in paper_mode_values(run_config.benchmark.dataset, mode).items()
              if run_config.sources.get(key, "").startswith("preset") or run_config.sources.get(key) == "default"}
    return config_with_overrides(config, values) if values else config


@attrs.frozen
class PlannedRun:
    """One model to train and the languages to test it on."""

    name: str  # directory name under models/
    mode: str
    train_languages: tuple[str, ...]  # labelled training data: "en" and/or targets
    align_languages: tuple[str, ...]  # translations used for alignment
    test_languages: tuple[str, ...]


def plan_runs(settings: BenchmarkSettings, languages: list[str], loader, with_english: bool) -> list[PlannedRun]:
    """The models the modes ask for. ``with_english``: the dataset's paper average includes
    English (PAWS-X), so every mode's models are tested on English too."""
    runs = []
    align = resolved_align_languages(settings)
    english = ("en",) if with_english else ()
    for mode in settings.modes:
        if mode == "zero-shot":
            runs.append(PlannedRun("zero-shot", mode, ("en",), (), ("en", *languages)))
        elif mode == "target":
            if with_english:
                runs.append(PlannedRun("target-en", mode, ("en",), (), ("en",)))
            runs += [PlannedRun(f"target-{lang}", mode, (lang,), (), (lang,)) for lang in languages]
        elif mode == "translate-train":
            if not getattr(loader, "machine_translated_train", False):
                raise ConfigError(
                    f"translate-train trains on English plus a machine-translated, labelled target training set, which "
                    f"{loader.name} does not publish (its target training sets are human-labelled); use mode en+target "
                    "for English plus the gold target data, or xeroalign with --translations-dir for machine translations")
            runs += [PlannedRun(f"translate-train-{lang}", mode, ("en", lang), (), (*english, lang)) for lang in languages]
        elif mode == "en+target":
            runs += [PlannedRun(f"en+target-{lang}", mode, ("en", lang), (), (*english, lang)) for lang in languages]
        elif mode == "xeroalign":
            if align in ("each", "both"):
                runs += [PlannedRun(f"xeroalign-{lang}", "xeroalign", ("en",), (lang,), (*english, lang)) for lang in languages]
            if align in ("all", "both"):
                runs.append(PlannedRun("xeroalign-all", "xeroalign-all", ("en",), tuple(languages), (*english, *languages)))
    return runs


def training_files(run: PlannedRun, bundle: DatasetBundle) -> list[str]:
    return [path for language in run.train_languages for path in bundle.files.get(f"{language}/train", [])]


def same_settings(saved: object, config: xalign.XalignConfig) -> bool:
    """Whether ``saved`` (a config a model was trained with) has ``config``'s settings.

    What may change on a resume is left out, and so are the keys ``config`` leaves to the
    encoder (``None``: the pooler, the text prefix), which the saved config holds resolved."""
    if not isinstance(saved, dict):
        return False
    try:
        saved_values = flatten(saved)
    except ConfigError:
        return False
    wanted = {key: value for key, value in flatten(config.to_dict()).items() if key not in RESUMABLE_CHANGES and value is not None}
    return all(saved_values.get(key, object()) == value for key, value in wanted.items())


def reusable_record(evaluation_file: Path, config: xalign.XalignConfig) -> dict | None:
    """A finished model's record, when it was trained with ``config``'s settings."""
    try:
        record = json.loads(evaluation_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not _complete_record(record):
        return None  # damaged: the model is trained again
    return record if same_settings(record.get("config"), config) else None


def _complete_record(record: dict) -> bool:
    """Whether an evaluation record holds what the results are built from."""
    scores = record.get("scores")
    return (isinstance(record.get("run"), str) and isinstance(record.get("mode"), str)
            and type(record.get("train_seconds")) in (int, float) and isinstance(scores, dict) and bool(scores)
            and all(isinstance(values, dict) and values and all(type(v) in (int, float) for v in values.values()) for values in scores.values()))


def resumable(run_dir: Path, config: xalign.XalignConfig) -> bool:
    """Whether the trainer's files in ``run_dir`` (if any) were started with ``config``'s settings."""
    saved = run_dir / "config.json"
    if not saved.is_file():
        return True
    try:
        return same_settings(json.loads(saved.read_text(encoding="utf-8")), config)
    except (OSError, ValueError):
        return False


def execute(
    settings: BenchmarkSettings, run: PlannedRun, bundle: DatasetBundle, config: xalign.XalignConfig, output: Path, resume: bool, overwrite: bool,
    announce_disk=None,
) -> dict:
    """Train (or resume, or reuse) one model and evaluate it; returns its evaluation record.
    ``announce_disk(assembly, training_config)`` is called once the model is built, before it trains."""
    run_dir = output / "models" / run.name
    evaluation_file = run_dir / "evaluation.json"
    if len(run.align_languages) > 1:
        # One model aligned to every language: one translation per example per epoch keeps
        # the cost of a step that of a single-language run.
        config = attrs.evolve(config, training=attrs.evolve(config.training, translations_per_example=1))
    if resume and evaluation_file.is_file():
        record = reusable_record(evaluation_file, config)
        if record is not None:
            logger.info("%s: already complete, skipped (--resume)", run.name)
            return record
        logger.warning("%s: its saved evaluation was made with other settings or is damaged; training it again", run.name)
        resume, overwrite = False, True
    if resume and not resumable(run_dir, config):
        logger.warning("%s: its checkpoints were made with other settings; training it again", run.name)
        resume, overwrite = False, True
    train_examples = []
    for language in run.train_languages:
        train_examples += bundle.english_train if language == "en" else bundle.target_trains[language]
    translations = {language: dict(bundle.translations[language].by_id) for language in run.align_languages}
    logger.info("%s: training on %d labelled examples (%s)%s", run.name, len(train_examples), "+".join(run.train_languages),
                f", aligning to {', '.join(run.align_languages)}" if run.align_languages else "")
    # Seeded per model, so a model's initial head weights do not depend on which models this
    # process trained before it (a resumed runner starts where the first one stopped), nor on
    # the random state a fresh process starts with.
    seed_everything(config.training.seed)
    evaluation_file.unlink(missing_ok=True)  # left by a run being replaced: never reuse it
    assembly, _ = xalign.build(config)
    if announce_disk is not None:
        announce_disk(assembly, config.training)
    result = xalign.train(
        assembly, train_examples, translations, config.training, output_dir=run_dir,
        eval_sets={"en-dev": bundle.english_dev} if bundle.english_dev else None,
        resume=resume, overwrite=overwrite,  # finished work is replaced only when asked
    )
    trained = assembly if result.resumed_from != "complete" else xalign.load_pretrained(run_dir / "model")
    scores, long_rows = {}, {}
    for language in run.test_languages:
        scores[language], long_rows[language] = evaluate_all_words(trained, bundle.tests[language])
        logger.info("%s: %s test %s", run.name, language, " ".join(f"{k}={v:.4f}" for k, v in scores[language].items()))
    record = {"run": run.name, "mode": run.mode, "scores": scores, "train_seconds": round(result.seconds, 2),
              "truncated_rows": result.truncated_rows, "long_test_rows": long_rows, "skipped_nonfinite": result.skipped_nonfinite,
              "training_files": training_files(run, bundle),
              "alignment": {language: bundle.alignment_sources[language] for language in run.align_languages},
              "pooler": trained.config.model.pooler, "config": config.to_dict()}
    kinds = sorted(set(record["alignment"].values()))
    xalign.write_model_card(run_dir / "model", results=scores, training=xalign.TrainingSummary(
        dataset=settings.dataset, languages=run.train_languages, aligned_languages=run.align_languages,
        translation_source=", ".join(kinds) or None, examples=len(train_examples), preset=settings.preset))
    tmp = temporary_path(evaluation_file)  # removed when the model's run directory is next opened, if a kill leaves it
    tmp.write_text(json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, evaluation_file)
    return record


class DiskAnnouncement:
    """Says, before the first model trains, how much disk the run needs and keeps."""

    def __init__(self, output: Path, models: int):
        self.output, self.models, self.done = output, models, False

    def __call__(self, assembly, training: xalign.TrainingConfig) -> None:
        if self.done:
            return
        self.done = True
        peak, kept = disk_plan(assembly, training)
        existing = next(path for path in (self.output, *self.output.parents) if path.exists())
        free = shutil.disk_usage(existing).free
        logger.info("disk: each model needs up to %s while it trains and keeps %s; %d model(s) keep about %s under %s (free: %s)",
                    _megabytes(peak), _megabytes(kept), self.models, _megabytes(self.models * kept), self.output, _megabytes(free))


def _megabytes(count: int) -> str:
    return f"{count / 2**20:,.0f} MB"


def evaluate_all_words(assembly, examples: list) -> tuple[dict[str, float], int]:
    """Scores on every word of every row: rows longer than the training ``max_length`` are
    read at their full length (up to the encoder's position limit), never cut and scored as
    "O". Returns the scores and the number of such long rows."""
    from xalign.inference import count_long_rows

    long_rows = count_long_rows(assembly, examples)
    return xalign.evaluate(assembly, examples, batch_size=128, max_length="full"), long_rows


def mode_rows(records: list[dict]) -> list[dict]:
    """One row per (mode, language): the mean over the mode's models tested on that language."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for record in records:
        for language, metrics in record["scores"].items():
            grouped.setdefault((record["mode"], language), []).append(record)
    rows = []
    for (mode, language), group in grouped.items():
        metrics = [record["scores"][language] for record in group]
        rows.append({
            "mode": mode, "language": language, "models": [record["run"] for record in group],
            "metrics": {key: sum(m[key] for m in metrics) / len(metrics) for key in metrics[0]},
            "train_seconds": sum(record["train_seconds"] for record in group),
            "long_test_rows": group[0].get("long_test_rows", {}).get(language, 0),
        })
    return rows


def run_dataset(run_config: RunConfig, output: Path, resume: bool = False, overwrite: bool = False, all_datasets: bool = False) -> dict:
    """Run every mode of ``run_config`` on its dataset; returns the ``results.json`` object."""
    settings = run_config.benchmark
    loader = get_registry().get("datasets", settings.dataset).factory()
    data_dir = resolve_data_dir(settings, loader)
    languages = target_languages(settings, loader, data_dir)
    bundle = load_bundle(settings, loader, data_dir, languages, translations_dir_for(settings, settings.dataset, all_datasets))
    check_input_files(output, [path for paths in bundle.files.values() for path in paths], resume)  # --resume: the same data
    intents, tags, head = label_space(loader.task, [bundle.english_train, *bundle.target_trains.values()])
    config = model_config(run_config, intents, tags, head)
    validate(config)
    averaged = average_languages(settings.dataset, languages)
    planned = plan_runs(settings, languages, loader, with_english="en" in averaged)
    if "xeroalign" in settings.modes:
        logger.info("xeroalign: align-languages=%s (%s)", resolved_align_languages(settings),
                    "one model per target language, as in the paper" if resolved_align_languages(settings) == "each" else "one model aligned to every target language")
    announce = DiskAnnouncement(output, len(planned))
    records = [execute(settings, run, bundle, config_for_mode(run_config, config, run.mode), output, resume, overwrite, announce) for run in planned]
    runs = mode_rows(records)
    average = {}
    for mode in dict.fromkeys(run["mode"] for run in runs):
        covered = [run["metrics"] for run in runs if run["mode"] == mode and run["language"] in averaged]
        if covered and len(covered) == len(averaged):
            average[mode] = {key: sum(m[key] for m in covered) / len(covered) for key in covered[0]}
    modes = {}
    for record in records:
        entry = modes.setdefault(record["mode"], {"models": {}})
        entry["models"][record["run"]] = {"training_files": record.get("training_files", []), "alignment": record.get("alignment", {}),
                                          "epochs": record["config"]["training"]["epochs"], "truncated_training_rows": record.get("truncated_rows", 0)}
    return {
        "dataset": settings.dataset,
        "encoder": config.model.encoder,
        "pooler": records[0]["pooler"] if records else config.model.pooler,
        "aligner": config.model.aligner,
        "preset": settings.preset,
        "average_languages": averaged,
        "config": {**run_config.printable(), "model": config.to_dict()["model"]},
        "languages": languages,
        "train_examples": len(bundle.english_train),
        "alignment_sources": dict(bundle.alignment_sources),
        "translation_sources": {lang: found.source for lang, found in bundle.translations.items()},
        "translation_counts": {lang: len(found.by_id) for lang, found in bundle.translations.items()},
        "long_test_rows": {language: count for run in runs for language, count in [(run["language"], run["long_test_rows"])]},
        "data_notes": bundle.notes,
        "modes": modes,
        "runs": runs,
        "average": average,
    }
