"""``python -m benchmarks.throughput_parts.trainer_peer``: is the Hugging Face Trainer baseline a fair peer?

Two questions about phase (d) of the throughput benchmark (``benchmarks/hf_trainer_baseline.py``):

- ``sweep``: its own best settings, found by measuring. Each candidate (batch size,
  gradient accumulation, DataLoader workers, ``torch_compile``) trains the same e5-small
  model for one epoch of the same demo examples, after one untimed step; the candidates are
  timed in interleaved rounds (``benchmarks/throughput_parts/head_to_head.py``) and each
  reports its median round, with the load average.
- ``accuracy``: does it train as well as ``xalign.train``? Both train the same model
  (e5-small, word embeddings frozen, as in phase (c)) from the same initial weights for the
  same number of optimizer steps at the same batch size and peak learning rate, each with
  its own optimiser and schedule (xalign: AdamW, OneCycleLR; the Trainer: fused AdamW,
  linear decay), and are scored on the English and target-language dev sets of the demo.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch

import xalign
from benchmarks import hf_trainer_baseline as hf, workload as workloads
from benchmarks.cli import run_main, say
from benchmarks.datasets.demo import DemoLoader
from benchmarks.experiment import label_space
from benchmarks.throughput_parts import head_to_head, measure
from xalign.config import from_dict
from xalign.errors import XalignError
from xalign.layers import parse_assignment

SWEEP = (  # batch size, gradient accumulation, DataLoader workers
    (16, 1, 0), (32, 1, 0), (64, 1, 0), (128, 1, 0), (16, 2, 0), (32, 1, 1),
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.throughput_parts.trainer_peer", description=__doc__.splitlines()[0])
    p.add_argument("command", choices=("sweep", "accuracy"))
    p.add_argument("--encoder", default="e5-small")
    p.add_argument("--language", default="de", help="translation language (default de)")
    p.add_argument("--threads", type=int, help="torch intra-op threads (default: PyTorch's choice)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    sweep = p.add_argument_group("sweep")
    sweep.add_argument("--examples", type=int, default=256, help="demo examples each candidate trains one epoch of, per round (default 256)")
    sweep.add_argument("--rounds", type=int, default=3)
    sweep.add_argument("--candidates", help="semicolon list of batch,accumulation,workers (default: the built-in sweep)")
    sweep.add_argument("--compile", action="store_true", help="also try torch_compile=True at batch 32 (compilation takes minutes on a CPU)")
    accuracy = p.add_argument_group("accuracy")
    accuracy.add_argument("--data-dir", help="the demo files (default: generated once in $XALIGN_CACHE)")
    accuracy.add_argument("--train-examples", type=int, default=960, help="English training examples, the first N (default 960)")
    accuracy.add_argument("--steps", type=int, default=90, help="optimizer steps of each trainer (default 90)")
    accuracy.add_argument("--batch-size", type=int, default=32)
    accuracy.add_argument("--learning-rate", type=float, default=1e-4)
    accuracy.add_argument("--output", help="run directory for xalign.train: a run stopped by a signal continues from its checkpoint when started again")
    accuracy.add_argument("--trainers", default="xalign,hf_trainer", help="comma list of xalign, hf_trainer (default both)")
    accuracy.add_argument("--xalign-set", action="append", default=[], metavar="FIELD=VALUE",
                          help="a TrainingConfig field for xalign.train, as JSON (e.g. group_by_length=false, warmup_fraction=0.0); repeatable")
    return p


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv)


def _main(arguments: argparse.Namespace) -> int:
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    result = sweep(arguments) if arguments.command == "sweep" else accuracy(arguments)
    if arguments.json:
        print(json.dumps(result))
    return 0


def build(arguments: argparse.Namespace, intents, tags) -> xalign.Assembly:
    config = xalign.ModelConfig(encoder=arguments.encoder, head="joint-intent-slot", intent_labels=intents, slot_labels=tags, freeze_word_embeddings=True)
    torch.manual_seed(arguments.seed)
    return xalign.build(config)[0]


def _candidates(arguments: argparse.Namespace) -> list[hf.TrainerSettings]:
    try:
        rows = [tuple(int(value) for value in part.split(",")) for part in arguments.candidates.split(";")] if arguments.candidates else list(SWEEP)
        chosen = [hf.TrainerSettings(batch_size=batch, gradient_accumulation=accumulation, dataloader_workers=workers) for batch, accumulation, workers in rows]
    except (ValueError, TypeError):
        raise XalignError(f"--candidates {arguments.candidates!r}: expected batch,accumulation,workers triples separated by ';', e.g. '32,1,0;64,1,0'") from None
    return chosen + ([hf.TrainerSettings(batch_size=32, compile=True)] if arguments.compile else [])


def sweep(arguments: argparse.Namespace) -> dict:
    candidates = _candidates(arguments)
    pool = workloads.demo(arguments.examples, arguments.language)
    assembly = build(arguments, *pool.labels())
    features = hf.tokenise(assembly, pool.examples, pool.translations)
    device = torch.device("cpu")

    def contender(settings: hf.TrainerSettings) -> head_to_head.Contender:
        name = f"batch {settings.batch_size} x {settings.gradient_accumulation}, {settings.dataloader_workers} workers" + (", compiled" if settings.compile else "")
        return head_to_head.Contender(name, name, lambda: hf.train_with_trainer(assembly, features, settings, device), settings.to_json())

    def report(label, seconds, pairs, real, padded, peak, settings) -> measure.PhaseFigures:
        figures = measure.figures(seconds, pairs, real, padded, peak, None, None, settings, measure.load_average())
        say(f"{label}: {figures.pairs_per_s:.2f} pairs/s, pad {figures.pad_fraction:.1%}, peak {peak / 2**20:.0f} MiB, load {figures.load_average}")
        return figures

    say(f"sweep: {len(candidates)} candidates x {arguments.rounds} rounds, one epoch of {len(pool)} examples each, {torch.get_num_threads()} threads")
    rounds, _ = head_to_head.interleaved([contender(settings) for settings in candidates], arguments.rounds, device, report)
    summary = {}
    for name, values in rounds.items():
        middle = head_to_head.median_round(values)
        summary[name] = {"pairs_per_s": round(middle.pairs_per_s, 3), "rounds": [round(value.pairs_per_s, 3) for value in values],
                         "pad_fraction": round(middle.pad_fraction, 4), "peak_mem_bytes": middle.peak_mem_bytes, "load_average_1min": [value.load_average for value in values]}
    for name, row in sorted(summary.items(), key=lambda item: -item[1]["pairs_per_s"]):
        print(f"{name:<40} {row['pairs_per_s']:>8.2f} pairs/s (rounds {row['rounds']}), pad {row['pad_fraction']:.1%}, peak {row['peak_mem_bytes'] / 2**20:.0f} MiB, load {row['load_average_1min']}")
    return {"threads": torch.get_num_threads(), "examples": len(pool), "candidates": summary, "load_average": measure.load_averages()}


def accuracy(arguments: argparse.Namespace) -> dict:
    loader = DemoLoader()
    directory = arguments.data_dir
    english_full = list(loader.load_split(directory, "en", "train").examples)
    english = english_full[: arguments.train_examples]
    translations = dict(loader.load_translations(directory, arguments.language, english_full).by_id)
    dev = {language: list(loader.load_split(directory, language, "dev").examples) for language in ("en", arguments.language)}
    intents, tags, _ = label_space("joint", [english_full])
    trainers = [name.strip() for name in arguments.trainers.split(",")]
    if set(trainers) - {"xalign", "hf_trainer"} or not trainers:
        raise XalignError(f"--trainers {arguments.trainers!r}: choose from xalign, hf_trainer")
    results = {}

    overrides = dict(map(parse_assignment, arguments.xalign_set))
    if "xalign" in trainers:
        assembly = build(arguments, intents, tags)
        training = from_dict(xalign.TrainingConfig, {"batch_size": arguments.batch_size, "learning_rate": arguments.learning_rate, "epochs": 1000,
                                                     "max_steps": arguments.steps, "device": "cpu", "progress": False, "seed": arguments.seed, **overrides})
        say(f"xalign.train: {arguments.steps} steps of batch {arguments.batch_size} on {len(english)} English examples with {arguments.language} translations"
            + (f", {overrides}" if overrides else ""))
        aligned = {arguments.language: {e.id: translations[e.id] for e in english if e.id in translations}}
        output = None if arguments.output is None else Path(arguments.output) / "xalign"
        trained = xalign.train(assembly, english, aligned, training, output_dir=output, resume=output is not None)
        results["xalign"] = _scores(assembly, dev, trained.seconds)

    if "hf_trainer" in trainers:
        assembly = build(arguments, intents, tags)
        features = hf.tokenise(assembly, english, translations)
        settings = hf.TrainerSettings(batch_size=arguments.batch_size, learning_rate=arguments.learning_rate)
        say("HF Trainer: the same, with its own optimiser and schedule")
        with tempfile.TemporaryDirectory(prefix="hf-trainer-") as output_dir:
            trainer = hf.make_trainer(assembly, features, settings, arguments.steps, torch.device("cpu"), output_dir, seed=arguments.seed)
            started = time.perf_counter()
            trainer.train()
            results["hf_trainer"] = _scores(assembly, dev, time.perf_counter() - started)

    print(f"{'trainer':<12} " + " ".join(f"{language + ' ' + metric:>14}" for language in dev for metric in ("intent_acc", "slot_f1")) + f" {'train s':>8}")
    for name, row in results.items():
        print(f"{name:<12} " + " ".join(f"{100 * row[language][metric]:>14.1f}" for language in dev for metric in ("intent_acc", "slot_f1")) + f" {row['train_seconds']:>8.0f}")
    return {"steps": arguments.steps, "batch_size": arguments.batch_size, "learning_rate": arguments.learning_rate, "train_examples": len(english), "xalign_overrides": overrides,
            "seed": arguments.seed, "dev_examples": {language: len(examples) for language, examples in dev.items()}, "results": results,
            "load_average": measure.load_averages()}


def _scores(assembly: xalign.Assembly, dev: dict, seconds: float) -> dict:
    scores = {language: {key: round(value, 4) for key, value in xalign.evaluate(assembly, examples).items()} for language, examples in dev.items()}
    return {**scores, "train_seconds": round(seconds, 1)}


if __name__ == "__main__":
    sys.exit(main())
