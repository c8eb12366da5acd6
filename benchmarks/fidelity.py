"""``python -m benchmarks.fidelity``: does the fast trainer learn as well as the reference recipe?

Speed must not cost accuracy. On the demo dataset, for several seeds, this trains one
XeroAlign model (aligned to every target language at once) per path and scores it on
every language's test set:

- ``faithful``: the authors' recipe re-implemented (``benchmarks/reference_recipe.py``,
  the one the throughput benchmark times): three encoder passes, rows padded to 70 without an attention
  mask, fp32, batch 2 x accumulation 5, Adam (through PyTorch's fused kernel: the same
  update, sooner), the first token's state as the sentence embedding, an independent
  random alignment batch. It is scored the way it was trained.
- ``faithful_masked`` (only when asked for): ``faithful`` with an attention mask over the
  padding, to measure what the reference's missing mask costs.
- ``same_batch``: ``xalign.train`` with the same batch semantics, optimizer, schedule,
  sentence embedding and epochs; only the implementation differs (one encoder call,
  dynamic padding with a mask, length-grouped batches, the alignment pairs taken from
  the task batch).
- ``fast``: ``xalign.train`` at the benchmark's CPU settings (batch 32, AdamW, word
  embeddings frozen, mean pooling), run for ``--fast-epochs`` so that it takes about as
  many optimizer steps as the others (a batch of 32 takes a third as many per epoch).

It prints per language the mean and standard deviation over seeds of intent accuracy and
slot F1, each path's difference from ``faithful`` and its verdict: the same (within two
standard errors of the difference of the means, from the seed-to-seed spread), better or
worse. Every trained model's scores are kept under ``--output`` so that an interrupted
run continues where it stopped; ``fidelity.json`` and ``fidelity.md`` hold the summary.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import attrs
import torch

import xalign
from benchmarks import reference_recipe as reference
from benchmarks.cli import run_main, say
from benchmarks.datasets.demo import DemoLoader
from benchmarks.experiment import label_space
from benchmarks.workload import PAD_LENGTHS
from xalign.errors import XalignError
from xalign.inference import collator_for
from xalign.training.loop import seed_everything

PATHS = ("faithful", "same_batch", "fast")
OPTIONAL_PATHS = ("faithful_masked",)  # a diagnosis, not a path anyone would train with
METRICS = ("intent_acc", "slot_f1")
TEST_BATCH = 128


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fidelity", description=__doc__.splitlines()[0])
    add = p.add_argument
    add("--encoder", default="e5-small", help="encoder name, Hugging Face id or local directory (default e5-small)")
    add("--seeds", default="1,2,3", help="comma list of seeds, one model per path and seed (default 1,2,3)")
    add("--paths", default=",".join(PATHS), help=f"comma list of {', '.join(PATHS + OPTIONAL_PATHS)} (default: {', '.join(PATHS)})")
    add("--data-dir", help="the demo files (default: generated once in $XALIGN_CACHE)")
    add("--languages", default="de,es,fr,hi,th", help="target languages aligned to and tested (default: all five of the demo)")
    add("--train-examples", type=int, default=300, help="English training examples, the first N (default 300)")
    add("--test-examples", type=int, help="test utterances per language, the first N (default: all 400)")
    add("--epochs", type=int, default=4, help="epochs of faithful and same_batch (default 4)")
    add("--fast-epochs", type=int, default=12, help="epochs of fast (default 12: about as many optimizer steps as the others take)")
    add("--fast-batch-size", type=int, default=32)
    add("--learning-rate", type=float, default=1e-4, help="peak learning rate of every path (default 1e-4)")
    add("--threads", type=int, help="torch intra-op threads (default: PyTorch's choice)")
    add("--output", default="runs/fidelity", help="directory for per-model scores and the summary (default runs/fidelity)")
    add("--overwrite", action="store_true", help="retrain models whose scores are already in --output")
    add("--quiet", action="store_true", help="no progress bars")
    add("--json", action="store_true", help="print the summary as one JSON object on the last line")
    return p


@attrs.frozen
class Data:
    """The demo data every path trains and is tested on."""

    english: tuple  # labelled English training examples
    translations: dict  # language -> example id -> Translation
    tests: dict  # language -> test examples ("en" first)
    intents: tuple[str, ...]
    tags: tuple[str, ...]


def load_data(arguments: argparse.Namespace, languages: list[str]) -> Data:
    loader, directory = DemoLoader(), arguments.data_dir
    english_full = list(loader.load_split(directory, "en", "train").examples)
    english = english_full[: arguments.train_examples]
    kept = {example.id for example in english}
    translations = {}
    for language in languages:
        found = loader.load_translations(directory, language, english_full)
        translations[language] = {key: value for key, value in found.by_id.items() if key in kept}
    tests = {language: list(loader.load_split(directory, language, "test").examples)[: arguments.test_examples] for language in ("en", *languages)}
    intents, tags, _ = label_space("joint", [english_full])  # the full label space: the head is the same whatever N is
    return Data(tuple(english), translations, tests, intents, tags)


def model_config(arguments: argparse.Namespace, data: Data, pooler: str | None, freeze: bool) -> xalign.ModelConfig:
    return xalign.ModelConfig(
        encoder=arguments.encoder, pooler=pooler, head="joint-intent-slot", intent_labels=data.intents, slot_labels=data.tags,
        freeze_word_embeddings=freeze, overlong="error",
    )


def build_reference_style(arguments: argparse.Namespace, data: Data, seed: int) -> xalign.Assembly:
    """A model whose sentence embedding is the reference's CLS: the encoder's pooler layer
    where it has one (XLM-R, mBERT), else the first token's state (e5 has no pooler layer)."""
    seed_everything(seed)
    assembly, _ = xalign.build(model_config(arguments, data, "cls", freeze=False))
    if getattr(assembly.encoder, "pooler", None) is not None:
        seed_everything(seed)
        assembly, _ = xalign.build(model_config(arguments, data, "pooler", freeze=False))
    return assembly


def train_faithful(arguments: argparse.Namespace, data: Data, seed: int, masked: bool = False) -> tuple[xalign.Assembly, float, dict]:
    """The reference recipe (with a mask over the padding if ``masked``); returns the model, its training seconds and the forward to score it with."""
    assembly = build_reference_style(arguments, data, seed)
    collator = collator_for(assembly)
    pairs = [(example, by_id[example.id]) for by_id in data.translations.values() for example in data.english if example.id in by_id]
    fixed = reference.prepare_pairs(collator, data.english, pairs, PAD_LENGTHS["demo"])
    steps = arguments.epochs * math.ceil(len(data.english) / (reference.BATCH_SIZE * reference.GRADIENT_ACCUMULATION))
    counts = reference.train_reference(
        assembly, fixed, steps, warmup_steps=0, batch_size=reference.BATCH_SIZE, accumulation=reference.GRADIENT_ACCUMULATION,
        learning_rate=arguments.learning_rate, seed=seed, progress=not arguments.quiet, fused_adam=True, attention_mask=masked,
    )
    return assembly, counts.seconds, {"forward": reference.reference_forward(PAD_LENGTHS["demo"], collator.pad_id, masked)}


def train_ours(arguments: argparse.Namespace, data: Data, seed: int, fast: bool) -> tuple[xalign.Assembly, float, dict]:
    """``xalign.train`` at the reference's batch semantics, or at the fast settings."""
    if fast:
        seed_everything(seed)
        assembly, _ = xalign.build(model_config(arguments, data, None, freeze=True))
        training = xalign.TrainingConfig(epochs=arguments.fast_epochs, batch_size=arguments.fast_batch_size, optimizer="adamw")
    else:
        assembly = build_reference_style(arguments, data, seed)
        training = xalign.TrainingConfig(epochs=arguments.epochs, batch_size=reference.BATCH_SIZE, gradient_accumulation=reference.GRADIENT_ACCUMULATION, optimizer="adam")
    # Both: the reference's OneCycleLR defaults (30 % warm-up) and one translation per
    # English example per epoch, as many alignment pairs as the reference draws.
    training = attrs.evolve(
        training, learning_rate=arguments.learning_rate, warmup_fraction=0.3, seed=seed, translations_per_example=1,
        progress=not arguments.quiet,
    )
    result = xalign.train(assembly, data.english, data.translations, training)
    return assembly, result.seconds, {}


def run_settings(arguments: argparse.Namespace, path: str, seed: int, languages: list[str]) -> dict:
    """What determines one model's scores; a stored record is reused only when these match."""
    shared = {"encoder": arguments.encoder, "seed": seed, "languages": languages, "train_examples": arguments.train_examples,
              "test_examples": arguments.test_examples, "learning_rate": arguments.learning_rate}
    if arguments.data_dir is not None:
        shared["data_dir"] = str(Path(arguments.data_dir).resolve())
    if path == "fast":
        return {**shared, "path": path, "epochs": arguments.fast_epochs, "batch_size": arguments.fast_batch_size}
    return {**shared, "path": path, "epochs": arguments.epochs}


def train_and_score(arguments: argparse.Namespace, data: Data, path: str, seed: int, languages: list[str], records: Path) -> dict:
    settings = run_settings(arguments, path, seed, languages)
    record_file = records / f"{path}-seed{seed}.json"
    if record_file.is_file() and not arguments.overwrite:
        record = json.loads(record_file.read_text(encoding="utf-8"))
        if record["settings"] != settings:
            raise XalignError(f"{record_file} was trained with other settings ({record['settings']}); pass --overwrite to retrain, or choose another --output")
        say(f"{path}, seed {seed}: reused {record_file}")
        return record
    say(f"{path}, seed {seed}: training on {len(data.english)} English examples aligned to {', '.join(languages)}")
    if path in ("faithful", "faithful_masked"):
        assembly, seconds, scoring = train_faithful(arguments, data, seed, masked=path == "faithful_masked")
    else:
        assembly, seconds, scoring = train_ours(arguments, data, seed, fast=path == "fast")
    started = time.perf_counter()
    scores = {language: xalign.evaluate(assembly, examples, batch_size=TEST_BATCH, **scoring) for language, examples in data.tests.items()}
    record = {"settings": settings, "train_seconds": round(seconds, 2), "test_seconds": round(time.perf_counter() - started, 2), "scores": scores}
    say(f"{path}, seed {seed}: trained in {seconds:.0f} s; " + ", ".join(f"{lang} {s['intent_acc']:.3f}/{s['slot_f1']:.3f}" for lang, s in scores.items()))
    tmp = record_file.with_suffix(f".tmp-{os.getpid()}")
    tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, record_file)
    return record


def _spread(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else float("nan")


def compare(records: dict[str, list[dict]], languages: list[str]) -> dict:
    """Per path, language and metric: mean and sd over seeds, and the difference from ``faithful``.

    A difference is within noise when it is at most two standard errors of the difference
    of two means (Welch), the standard errors coming from the seed-to-seed spread; the
    target-language average is compared the same way.
    """
    summary: dict = {}
    columns = ("en", *languages, "target_avg")
    for path, runs in records.items():
        summary[path] = {"train_seconds": _spread([run["train_seconds"] for run in runs]), "seeds": len(runs), "scores": {}}
        for column in columns:
            summary[path]["scores"][column] = {}
            for metric in METRICS:
                values = [_value(run, column, metric, languages) for run in runs]
                mean, sd = _spread(values)
                summary[path]["scores"][column][metric] = {"mean": mean, "sd": sd, "values": values}
    if "faithful" in summary:
        base = summary["faithful"]["scores"]
        for path in summary:
            if path == "faithful":
                continue
            for column in columns:
                for metric in METRICS:
                    ours, theirs = summary[path]["scores"][column][metric], base[column][metric]
                    error = math.sqrt(_variance(ours) / len(ours["values"]) + _variance(theirs) / len(theirs["values"]))
                    difference = ours["mean"] - theirs["mean"]
                    ours["difference"] = difference
                    ours["standard_error"] = error
                    ours["within_noise"] = bool(abs(difference) <= 2 * error) if not math.isnan(error) else None
                    ours["verdict"] = _verdict(difference, ours["within_noise"])
    return summary


def _verdict(difference: float, within_noise: bool | None) -> str:
    """``same`` (within noise), ``better`` or ``worse`` than faithful, or ``unknown`` with one seed."""
    if within_noise is None:
        return "unknown"
    if within_noise:
        return "same"
    return "better" if difference > 0 else "worse"


VERDICT_MARKS = {"same": " =", "better": " ▲", "worse": " ▼", "unknown": ""}


def _variance(entry: dict) -> float:
    return entry["sd"] ** 2 if not math.isnan(entry["sd"]) else float("nan")


def _value(run: dict, column: str, metric: str, languages: list[str]) -> float:
    if column == "target_avg":
        return statistics.fmean(run["scores"][language][metric] for language in languages)
    return run["scores"][column][metric]


def table(summary: dict, languages: list[str]) -> str:
    """Markdown: one row per path and metric, mean ± sd (x100) per language, then the verdicts."""
    columns = ("en", *languages, "target_avg")
    lines = ["| path | metric | " + " | ".join(columns) + " | train s |", "|---" * (len(columns) + 3) + "|"]
    for path, entry in summary.items():
        seconds, seconds_sd = entry["train_seconds"]
        for metric in METRICS:
            cells = []
            for column in columns:
                value = entry["scores"][column][metric]
                cell = f"{100 * value['mean']:.1f} ± {100 * value['sd']:.1f}"
                if "difference" in value:
                    cell += f" ({100 * value['difference']:+.1f}{VERDICT_MARKS[value['verdict']]})"
                cells.append(cell)
            lines.append(f"| {path} | {metric} | " + " | ".join(cells) + f" | {seconds:.0f} |")
    lines.append("")
    lines.append(
        f"mean ± sd over {next(iter(summary.values()))['seeds']} seeds, x100; (±d): difference from faithful, "
        "= within two standard errors (noise), ▲ higher or ▼ lower beyond them"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv)


def _main(arguments: argparse.Namespace) -> int:
    paths = [name.strip() for name in arguments.paths.split(",") if name.strip()]
    unknown = sorted(set(paths) - set(PATHS + OPTIONAL_PATHS))
    if unknown or not paths:
        raise XalignError(f"--paths: unknown or missing path(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PATHS + OPTIONAL_PATHS)}")
    try:
        seeds = [int(seed) for seed in arguments.seeds.split(",")]
    except ValueError:
        raise XalignError(f"--seeds must be a comma list of integers, got {arguments.seeds!r}") from None
    if arguments.train_examples < 1:
        raise XalignError("--train-examples must be at least 1")
    loader_languages = set(DemoLoader().languages) - {"en"}
    languages = [language.strip() for language in arguments.languages.split(",") if language.strip()]
    if not languages or set(languages) - loader_languages:
        raise XalignError(f"--languages: choose among {', '.join(sorted(loader_languages))}, got {arguments.languages!r}")
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    output = Path(arguments.output)
    records_dir = output / "models"
    records_dir.mkdir(parents=True, exist_ok=True)
    data = load_data(arguments, languages)
    records: dict[str, list[dict]] = {path: [] for path in paths}
    for seed in seeds:  # seed-major: an interrupted run still has every path for the seeds it finished
        for path in paths:
            records[path].append(train_and_score(arguments, data, path, seed, languages, records_dir))
    summary = compare(records, languages)
    markdown = table(summary, languages)
    print(markdown)
    (output / "fidelity.md").write_text(markdown + "\n", encoding="utf-8")
    (output / "fidelity.json").write_text(json.dumps({"languages": languages, "seeds": seeds, "paths": summary}, indent=2) + "\n", encoding="utf-8")
    if arguments.json:
        print(json.dumps({"languages": languages, "seeds": seeds, "paths": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
