"""``python -m benchmarks.throughput``: our trainer against the authors' recipe and the Hugging Face Trainer.

In one process and on the same examples it times (a) a faithful re-implementation of the
reference recipe (three encoder passes, fixed padding without a mask, fp32, batch 2 with
gradient accumulation 5), (b) ``xalign.train`` at the same batch semantics, then, in
interleaved rounds on one model, (c) ``xalign.train`` at its best settings for the device
and (d) the same objective in a Hugging Face ``Trainer`` subclass
(``benchmarks/hf_trainer_baseline.py``) at (c)'s batch settings and at its own best ones.
Then the machine's limit: the matmul peak at the encoder's shapes (measured in every
round), the training FLOP/s that (c) achieves and its fraction of that peak, and a profile
of one step of (c) and (d). Last, (c) at 1×, 2× and 4× the examples and on a second length
distribution. Only training steps are timed: model loading, tokenisation of the
reference's fixed-length tensors and of the Trainer's dataset, and one warm-up step per
phase are not. ``--json`` prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import attrs
import torch

import xalign
from benchmarks import hf_trainer_baseline as hf, reference_recipe as reference, workload as workloads
from benchmarks.cli import run_main, say
from benchmarks.throughput_parts import head_to_head, limit, measure
from benchmarks.throughput_parts.table import table
from xalign.config import from_dict
from xalign.data.collate import Collator
from xalign.encoders import EncoderRequest
from xalign.errors import XalignError
from xalign.inference import collator_for
from xalign.layers import parse_assignment
from xalign.registry import get_registry

LEARNING_RATE = reference.LEARNING_RATES["mtop"]  # every phase's; irrelevant to speed

# The Trainer's own best settings per device, found by measuring
# (``python -m benchmarks.throughput_parts.trainer_peer sweep``; docs/performance.md).
HF_BEST = {
    "cpu": hf.TrainerSettings(batch_size=16, gradient_accumulation=2, learning_rate=LEARNING_RATE),
    "cuda": hf.TrainerSettings(batch_size=256, dataloader_workers=4, learning_rate=LEARNING_RATE),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__.splitlines()[0])
    add = p.add_argument
    add("--encoder", default="e5-small", help="encoder name, Hugging Face id or local directory (default e5-small)")
    add("--init", choices=("pretrained", "random"), default="pretrained", help="random: the architecture with random weights (no download)")
    add("--tokenizer", help="tokenizer for --init random (default: the encoder's own; for xlmr-* the e5-small one, same vocabulary)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--dataset", choices=("demo",), help="train on the demo dataset (default)")
    source.add_argument("--lengths", choices=("mtop", "short", "long"), help="synthetic utterances with this length distribution")
    add("--language", default="de", help="translation language (default de)")
    add("--batch-size", type=int, help="batch size of the best-settings phase (default 32 on CPU, 256 on CUDA)")
    add("--steps", type=int, help="timed optimizer steps of the reference and same-batch phases (default 3 on CPU, 30 on CUDA)")
    add("--scaling-examples", type=int, help="examples at 1x in the scaling runs (default 4 batches on CPU, 16 on CUDA)")
    add("--device", choices=("auto", "cpu", "cuda"), default="auto")
    add("--threads", type=int, help="torch intra-op threads (default: PyTorch's choice, one per core)")
    add("--train-word-embeddings", action="store_true", help="best phase: also train the word-embedding table on CPU (it is frozen there by default)")
    add("--compile", action="store_true", help="best phase: torch.compile the encoder")
    add("--best-set", action="append", default=[], metavar="FIELD=VALUE",
        help="best phase: a TrainingConfig field, as JSON (e.g. group_by_length=false); repeatable")
    add("--skip-scaling", action="store_true")
    add("--phases", default="reference,same_batch,best,hf_trainer", help="comma list of reference, same_batch, best, hf_trainer (default: all four)")
    add("--rounds", type=int, default=3, help="interleaved rounds of (c) and (d) (default 3); each reports its median round")
    add("--contest-examples", type=int, help="(c) and (d) each train one epoch of this many examples per round (default: 4 x the scaling base)")
    add("--hf-batch-size", type=int, help="(d) at its own best: per-device batch size (default: the measured best for the device)")
    add("--hf-accumulation", type=int, help="(d) at its own best: gradient accumulation steps")
    add("--hf-workers", type=int, help="(d) at its own best: DataLoader worker processes")
    add("--hf-compile", action="store_true", help="(d) at its own best: TrainingArguments(torch_compile=True)")
    add("--skip-limit", action="store_true", help="no matmul peak, achieved FLOP/s or step profile")
    add("--json", action="store_true", help="print one JSON object on the last line")
    return p


def resolve_device(preference: str) -> torch.device:
    if preference == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise XalignError("--device cuda but no CUDA device is available")
    return torch.device(preference)


def default_tokenizer(arguments: argparse.Namespace) -> str | None:
    """XLM-R random init needs a tokenizer with its 250002-piece vocabulary: e5-small has it."""
    if arguments.tokenizer or arguments.init != "random" or not arguments.encoder.startswith("xlmr"):
        return arguments.tokenizer
    try:
        from transformers import AutoTokenizer

        hub_id = {"xlmr-base": "xlm-roberta-base", "xlmr-large": "xlm-roberta-large"}.get(arguments.encoder, arguments.encoder)
        AutoTokenizer.from_pretrained(hub_id, local_files_only=True)
        return None
    except (OSError, ValueError):
        pass
    registry = get_registry()
    if "e5-small" not in registry.names("encoders"):
        raise XalignError(f"--init random for {arguments.encoder} needs a tokenizer with XLM-R's vocabulary: pass --tokenizer DIR, or install plugins/xalign-e5")
    # Only the tokenizer's directory is wanted; the factory also builds a model (randomly
    # initialised, discarded: a few seconds on a CPU).
    loaded = registry.get("encoders", "e5-small").factory(EncoderRequest(init="random"))
    return loaded.tokenizer.name_or_path


def build(arguments: argparse.Namespace, labels: tuple[tuple[str, ...], tuple[str, ...]], freeze: bool = False) -> xalign.Assembly:
    intents, tags = labels
    config = xalign.ModelConfig(
        encoder=arguments.encoder, init=arguments.init, tokenizer=default_tokenizer(arguments), head="joint-intent-slot",
        intent_labels=intents or ("none",), slot_labels=tags, freeze_word_embeddings=freeze,
    )
    torch.manual_seed(0)
    assembly, _ = xalign.build(config)
    return assembly


def make_workload(arguments: argparse.Namespace, tokenizer, count: int, distribution: str | None = None, labels=None) -> workloads.Workload:
    distribution = distribution or arguments.lengths
    if distribution is None:
        return workloads.demo(count, arguments.language)
    return workloads.synthetic(distribution, count, tokenizer, arguments.language, labels=labels)


@attrs.frozen
class Phase:
    """One of our trainer's phases: its training config and what it is called in the report."""

    training: xalign.TrainingConfig
    freeze_word_embeddings: bool
    compile: bool = False

    def settings(self) -> dict:
        keys = ("batch_size", "gradient_accumulation", "optimizer", "group_by_length", "alignment_batch")
        chosen = {key: getattr(self.training, key) for key in keys}
        cuda = self.training.device == "cuda"
        precision = "bf16" if self.training.precision == "bf16" or (self.training.precision == "auto" and cuda) else "fp32"
        return {
            **chosen, "precision": precision, "fused_optimizer": _fused_supported(self.training.device), "freeze_word_embeddings": self.freeze_word_embeddings,
            "compile": self.compile, "dynamic_padding": True, "encoder_calls_per_micro_batch": 1,
        }


def _fused_supported(device: str) -> bool:
    """Whether ``xalign.training.optimisation`` gets a fused optimizer on ``device``."""
    try:
        torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1, device=device))], fused=True)
        return True
    except (RuntimeError, TypeError, ValueError):
        return False


def run_trainer(assembly, workload: workloads.Workload, training: xalign.TrainingConfig, steps: int | None, warmup: bool = True):
    """Time ``steps`` optimizer steps (all of one epoch when ``None``) after one untimed step."""
    if warmup:
        xalign.train(assembly, workload.examples, workload.translations_for_training(), attrs.evolve(training, max_steps=1))
    if steps is None:
        chosen = attrs.evolve(training, epochs=1, max_steps=None)
    else:
        steps_per_epoch = math.ceil(math.ceil(len(workload) / training.batch_size) / training.gradient_accumulation)
        chosen = attrs.evolve(training, epochs=math.ceil(steps / steps_per_epoch), max_steps=steps)
    return xalign.train(assembly, workload.examples, workload.translations_for_training(), chosen)


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv)


PHASES = ("reference", "same_batch", "best", "hf_trainer")


@attrs.define
class Bench:
    """What every phase shares: the device, the examples, the labels and the FLOP model."""

    arguments: argparse.Namespace
    device: torch.device
    pool: workloads.Workload
    peak_flops: float | None
    shape: measure.ModelShape | None = None
    mean_context: float = 0.0
    mean_row_length: float = 0.0

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def build(self, freeze: bool = False) -> xalign.Assembly:
        assembly = build(self.arguments, self.pool.labels(), freeze)
        if self.shape is None:
            # FLOPs count real tokens only; the attention term needs E[L^2]/E[L] over rows.
            collator = collator_for(assembly)
            sample = self.pool.resized(min(len(self.pool), 2000))
            rows = collator.encode_examples(list(sample.examples)) + collator.encode_translations(list(sample.translations.values()))
            self.shape = measure.ModelShape.of(assembly.encoder, assembly.encoder.config)
            lengths = [len(row["input_ids"]) for row in rows]
            self.mean_context = measure.attention_tokens_factor(lengths)
            self.mean_row_length = sum(lengths) / len(lengths)
        return assembly

    def report(self, name: str, seconds: float, pairs: int, real: int, padded: int, peak_bytes: int, settings: dict) -> measure.PhaseFigures:
        flops = measure.training_flops(self.shape, real, self.mean_context) if self.shape is not None else None
        result = measure.figures(seconds, pairs, real, padded, peak_bytes, flops, self.peak_flops, settings, measure.load_average())
        say(f"{name}: {result.pairs_per_s:.2f} pairs/s, {result.real_tokens_per_s:.0f} real tokens/s, pad {result.pad_fraction:.1%}, "
             f"peak {result.peak_mem_bytes / 2**20:.0f} MiB" + (f", MFU {result.mfu:.1%}" if result.mfu is not None else "")
             + f" ({pairs} pairs in {seconds:.2f} s)")
        return result


def reference_phase(bench: Bench) -> measure.PhaseFigures:
    """(a) the authors' recipe, re-implemented faithfully (reference_recipe.py)."""
    pool, steps = bench.pool, bench.arguments.steps
    batch, accumulation = reference.BATCH_SIZE, reference.GRADIENT_ACCUMULATION
    say(f"(a) reference recipe: {steps} steps of batch {batch} x accumulation {accumulation}, padded to {pool.pad_length}, no mask, fp32")
    assembly = bench.build()
    data = reference.prepare(collator_for(assembly), pool)
    with measure.PeakMemory(bench.device) as memory:
        counts = reference.train_reference(assembly, data, steps, batch_size=batch, accumulation=accumulation, learning_rate=LEARNING_RATE, device=bench.device)
    settings = {"batch_size": batch, "gradient_accumulation": accumulation, "optimizer": "adam (PyTorch defaults)", "precision": "fp32",
                "pad_length": pool.pad_length, "attention_mask": False, "encoder_passes_per_micro_batch": 3}
    return bench.report("(a) reference", counts.seconds, counts.pairs, counts.real_tokens, counts.padded_tokens, memory.peak, settings)


def trainer_phase(bench: Bench, name: str, phase: Phase, steps: int) -> tuple[measure.PhaseFigures, xalign.Assembly]:
    """(b) or (c): ``xalign.train`` with ``phase``'s settings; returns the figures and the trained assembly."""
    say(f"{name}: {phase.settings()}")
    assembly = bench.build(freeze=phase.freeze_word_embeddings)
    if phase.compile:
        assembly.encoder = torch.compile(assembly.encoder, dynamic=True)
    with measure.PeakMemory(bench.device) as memory:
        result = run_trainer(assembly, bench.pool, phase.training, steps)
    return bench.report(name, result.seconds, result.pairs, result.real_tokens, result.padded_tokens, memory.peak, phase.settings()), assembly


def hf_settings(arguments: argparse.Namespace, device: torch.device) -> hf.TrainerSettings:
    """(d)'s own best settings: the measured best for the device, with any ``--hf-*`` overrides."""
    overrides = {"batch_size": arguments.hf_batch_size, "gradient_accumulation": arguments.hf_accumulation, "dataloader_workers": arguments.hf_workers}
    chosen = attrs.evolve(HF_BEST[device.type], **{key: value for key, value in overrides.items() if value is not None})
    return attrs.evolve(chosen, compile=True) if arguments.hf_compile else chosen


def _our_run(assembly: xalign.Assembly, pool: workloads.Workload, phase: Phase, steps: int | None):
    """(c): one warm-up step then ``steps`` timed ones (one epoch of ``pool`` when ``None``), with the encoder compiled for the call when ``phase.compile``."""
    compiled = torch.compile(assembly.encoder, dynamic=True) if phase.compile else None

    def run():
        if compiled is None:
            return run_trainer(assembly, pool, phase.training, steps)
        original, assembly.encoder = assembly.encoder, compiled
        try:
            return run_trainer(assembly, pool, phase.training, steps)
        finally:
            assembly.encoder = original

    return run


def best_and_peer(bench: Bench, assembly: xalign.Assembly, phases: list[str], best_phase: Phase, examples: int, figures: dict) -> dict:
    """(c) and (d) in interleaved rounds on ``assembly``, each one epoch of the same first ``examples``
    examples (their figures go into ``figures``), then the machine's limit."""
    arguments, device = bench.arguments, bench.device
    pool = bench.pool.resized(examples)
    training = best_phase.training
    contenders = []
    if "best" in phases:
        contenders.append(head_to_head.Contender("best", "(c) our trainer, best settings", _our_run(assembly, pool, best_phase, None), best_phase.settings()))
    features, same, own = None, None, None
    if "hf_trainer" in phases:
        features = hf.tokenise(assembly, pool.examples, pool.translations)
        same = hf.TrainerSettings(batch_size=training.batch_size, gradient_accumulation=training.gradient_accumulation, learning_rate=LEARNING_RATE)
        own = hf_settings(arguments, device)
        model = {"freeze_word_embeddings": best_phase.freeze_word_embeddings, "precision": "bf16" if bench.cuda else "fp32"}
        candidates = (("hf_trainer_same_settings", "(d) HF Trainer, (c)'s batch settings", same), ("hf_trainer_candidate", "(d) HF Trainer, the sweep's pick", own))
        for name, label, settings in candidates:
            if name == "hf_trainer_candidate" and own == same:
                continue  # the same run: measured once
            run = lambda settings=settings: hf.train_with_trainer(assembly, features, settings, device)  # noqa: E731
            contenders.append(head_to_head.Contender(name, label, run, {**settings.to_json(), **model}))
    config = assembly.encoder.config
    tokens = 16 * math.ceil(2 * training.batch_size * bench.mean_row_length / 16)  # the rows of one (c) batch, English and translations
    probe = None if arguments.skip_limit else lambda: limit.gemm_peak(config.hidden_size, getattr(config, "intermediate_size", 4 * config.hidden_size), tokens, device)
    say(f"interleaved rounds: {arguments.rounds} of {', '.join(contender.label for contender in contenders)}, one epoch of {examples} examples each" + ("" if probe is None else f", each after a matmul peak at {tokens} tokens"))
    rounds, peaks = head_to_head.interleaved(contenders, arguments.rounds, device, bench.report, probe)
    result: dict = {"rounds": {name: [round(value.pairs_per_s, 3) for value in values] for name, values in rounds.items()}}
    if "hf_trainer" in phases:
        # The Trainer at its own best: whichever of its two settings was faster in this run
        # (the sweep's pick and (c)'s batch settings are within noise of each other here).
        fastest = max((name for name, _, _ in candidates if name in rounds), key=lambda name: head_to_head.median_round(rounds[name]).pairs_per_s)
        rounds["hf_trainer"] = rounds[fastest]
        own = own if fastest == "hf_trainer_candidate" else same
        result["hf_trainer_pick"] = fastest
    for name in ("best", "hf_trainer_same_settings", "hf_trainer"):
        if name in rounds:
            figures[name] = head_to_head.median_round(rounds[name])
    if "best" in phases and "hf_trainer" in phases:
        result["vs_hf_trainer"] = round(head_to_head.paired_ratio(rounds["best"], rounds["hf_trainer"]), 2)
        result["vs_hf_trainer_same_settings"] = round(head_to_head.paired_ratio(rounds["best"], rounds["hf_trainer_same_settings"]), 2)
    if peaks and "best" in phases:
        result.update(_limit(bench, assembly, pool, rounds["best"], figures["best"], peaks, training, features, own))
    return result


def _limit(bench: Bench, assembly, pool, best_rounds, best, peaks: list[limit.GemmPeak], training, features, own: hf.TrainerSettings | None) -> dict:
    """Achieved training FLOP/s of (c) against the measured matmul peak, and one step of (c) and (d) profiled."""
    flops_per_token = measure.training_flops(bench.shape, 1, bench.mean_context)
    achieved = flops_per_token * best.real_tokens_per_s
    top = max(peaks, key=lambda peak: peak.flops_per_s)
    say(f"limit: {flops_per_token / 1e6:.1f} MFLOP per real token; achieved {achieved / 1e9:.1f} GFLOP/s against a matmul peak of "
        f"{top.flops_per_s / 1e9:.1f} GFLOP/s ({achieved / top.flops_per_s:.1%})")
    encoder = assembly.encoder
    breakdown = {"best": limit.profile_step(lambda: run_trainer(assembly, pool, training, 2, warmup=False), encoder,
                                            [(Collator, "__call__", limit.COLLATION), (torch.nn.utils, "clip_grad_norm_", limit.OPTIMIZER)])}
    if features is not None:
        from accelerate import Accelerator

        breakdown["hf_trainer"] = limit.profile_step(lambda: hf.train_with_trainer(assembly, features, own, bench.device, steps=2), encoder,
                                                     [(hf.PairCollator, "__call__", limit.COLLATION), (Accelerator, "clip_grad_norm_", limit.OPTIMIZER)])
    for name, value in breakdown.items():
        say(f"one step of {name} under the profiler, {value.seconds:.3f} s: " + ", ".join(f"{key} {share:.1%}" for key, share in value.fractions.items()))
    return {
        "gemm_peak_flops": round(top.flops_per_s), "achieved_flops": round(achieved), "peak_fraction": round(achieved / top.flops_per_s, 4),
        "limit": {
            "flops_per_real_token": round(flops_per_token), "formula": measure.FLOPS_FORMULA, "non_embedding_parameters": bench.shape.non_embedding_parameters,
            "mean_context": round(bench.mean_context, 2), "gemm": top.to_json(), "gemm_peak_by_round": [round(peak.flops_per_s) for peak in peaks],
            "peak_fraction_by_round": [round(flops_per_token * figure.real_tokens_per_s / peak.flops_per_s, 4) for figure, peak in zip(best_rounds, peaks)],
            "step_breakdown": {name: value.to_json() for name, value in breakdown.items()},
        },
    }


def _main(arguments: argparse.Namespace) -> int:
    load_at_start = measure.load_averages()
    device = resolve_device(arguments.device)
    cuda = device.type == "cuda"
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    phases = [name.strip() for name in arguments.phases.split(",")]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise XalignError(f"--phases: unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
    arguments.steps = arguments.steps or (30 if cuda else 3)
    batch_size = arguments.batch_size or (256 if cuda else 32)
    scaling_examples = arguments.scaling_examples or batch_size * (16 if cuda else 4)
    reference_pairs = arguments.steps * reference.BATCH_SIZE * reference.GRADIENT_ACCUMULATION
    # The Trainer's length grouping sorts "megabatches" of min(examples / (4 x batch), 50)
    # batches: on a few batches' worth of examples it hardly groups at all, so (c) and (d)
    # are compared on four times the scaling base (512 on a CPU). Two optimizer steps at
    # least: the profile breaks down the second step of a run.
    contest_examples = max(arguments.contest_examples or 4 * scaling_examples, 2 * batch_size)
    pool_size = max(4 * scaling_examples, reference_pairs, contest_examples)

    # (c)'s training config, checked before any model loads.
    chosen = {"batch_size": batch_size, "learning_rate": LEARNING_RATE, "device": device.type, "progress": False, **dict(map(parse_assignment, arguments.best_set))}
    best_training = from_dict(xalign.TrainingConfig, chosen)

    # Synthetic lengths are counted in the encoder's own subwords: load its tokenizer first.
    tokenizer = build(arguments, (("none",), ("O",))).tokenizer if arguments.lengths is not None else None
    pool = make_workload(arguments, tokenizer, pool_size)
    say(f"workload: {pool.name}, {len(pool)} examples with {pool.language} translations; reference pads to {pool.pad_length}")
    bench = Bench(arguments, device, pool, measure.peak_flops(device))

    figures: dict[str, measure.PhaseFigures | None] = dict.fromkeys((*PHASES[:-1], "hf_trainer_same_settings", "hf_trainer"))
    if "reference" in phases:
        figures["reference"] = reference_phase(bench)
        head_to_head.release(device)
    if "same_batch" in phases:
        same = Phase(xalign.TrainingConfig(batch_size=reference.BATCH_SIZE, gradient_accumulation=reference.GRADIENT_ACCUMULATION, optimizer="adam",
                                           learning_rate=LEARNING_RATE, device=device.type, progress=False), freeze_word_embeddings=False)
        figures["same_batch"] = trainer_phase(bench, "(b) our trainer, same batch semantics", same, arguments.steps)[0]
        head_to_head.release(device)
    scaling: dict = {"workload": pool.name}
    contest: dict = {}
    if "best" in phases or "hf_trainer" in phases:
        # Freezing the 96M-row word-embedding table is our CPU default only: on a GPU its
        # update is cheap and the whole model trains, as in the reference.
        freeze = not cuda and not arguments.train_word_embeddings
        best_phase = Phase(best_training, freeze_word_embeddings=freeze, compile=arguments.compile)
        assembly = bench.build(freeze=freeze)  # (c) and (d) train this one model in turn
        contest = best_and_peer(bench, assembly, phases, best_phase, contest_examples, figures)
        if "best" in phases and not arguments.skip_scaling:
            scaling = _scaling(arguments, assembly, pool, best_phase.training, scaling_examples, tokenizer or assembly.tokenizer)
        del assembly

    def ratio(name: str) -> float | None:
        if figures[name] is None or figures["reference"] is None:
            return None
        return round(figures[name].pairs_per_s / figures["reference"].pairs_per_s, 2)

    summary = {
        "device": _device_name(device),
        "encoder": f"{arguments.encoder} ({arguments.init})",
        **{name: (value.to_json(cuda) if value is not None else None) for name, value in figures.items()},
        "same_batch_ratio": ratio("same_batch"),
        "best_ratio": ratio("best"),
        "vs_hf_trainer": contest.get("vs_hf_trainer"),
        "vs_hf_trainer_same_settings": contest.get("vs_hf_trainer_same_settings"),
        "gemm_peak_flops": contest.get("gemm_peak_flops"),
        "achieved_flops": contest.get("achieved_flops"),
        "peak_fraction": contest.get("peak_fraction"),
        "limit": contest.get("limit"),
        "rounds": contest.get("rounds"),
        "hf_trainer_pick": contest.get("hf_trainer_pick"),
        "scaling": scaling,
        "load_average": {"start": load_at_start, "end": measure.load_averages()},
    }
    print(table(summary))
    if arguments.json:
        print(json.dumps(summary))
    return 0


def _scaling(arguments, assembly, pool: workloads.Workload, training: xalign.TrainingConfig, base: int, tokenizer) -> dict:
    """Pairs/s of one epoch of the best phase at 1x, 2x, 4x ``base`` examples and on another length distribution."""
    by_size = {}
    for factor in (1, 2, 4):
        subset = pool.resized(base * factor)
        result = run_trainer(assembly, subset, training, None, warmup=False)
        by_size[f"{factor}x"] = {"examples": len(subset), "pairs_per_s": round(result.pairs / result.seconds, 3), "seconds": round(result.seconds, 3)}
        say(f"scaling {factor}x ({len(subset)} examples): {result.pairs / result.seconds:.2f} pairs/s")
    other_name = "long" if pool.name != "long" else "mtop"
    other = make_workload(arguments, tokenizer, base, other_name, labels=pool.labels())
    result = run_trainer(assembly, other, training, None)
    by_length = {
        pool.name: by_size["1x"]["pairs_per_s"],
        other_name: round(result.pairs / result.seconds, 3),
    }
    say(f"scaling {other_name} lengths ({base} examples): {by_length[other_name]:.2f} pairs/s")
    return {"workload": pool.name, "examples": by_size, "lengths": by_length}


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import os

    return f"cpu ({torch.get_num_threads()} threads, {os.cpu_count()} cores)"


if __name__ == "__main__":
    sys.exit(main())
