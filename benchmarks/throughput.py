"""``python -m benchmarks.throughput``: our trainer against the authors' recipe, side by side.

In one process and on the same examples it times (a) a faithful re-implementation of the
reference recipe (three encoder passes, fixed padding without a mask, fp32, batch 2 with
gradient accumulation 5), (b) ``xalign.train`` at the same batch semantics and (c)
``xalign.train`` at its best settings for the device, then (c) again at 1×, 2× and 4× the
examples and on a second length distribution. Only training steps are timed: model
loading, tokenisation of the reference's fixed-length tensors and one warm-up step per
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
from benchmarks import reference_recipe as reference, workload as workloads
from benchmarks.cli import run_main, say
from benchmarks.throughput_parts import measure
from xalign.encoders import EncoderRequest
from xalign.errors import XalignError
from xalign.inference import collator_for
from xalign.registry import get_registry

LEARNING_RATE = reference.LEARNING_RATES["mtop"]  # every phase's; irrelevant to speed


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
    add("--skip-scaling", action="store_true")
    add("--phases", default=",".join(("reference", "same_batch", "best")), help="comma list of reference, same_batch, best (default: all three)")
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


PHASES = ("reference", "same_batch", "best")


@attrs.define
class Bench:
    """What every phase shares: the device, the examples, the labels and the FLOP model."""

    arguments: argparse.Namespace
    device: torch.device
    pool: workloads.Workload
    peak_flops: float | None
    shape: measure.ModelShape | None = None
    mean_context: float = 0.0

    @property
    def cuda(self) -> bool:
        return self.device.type == "cuda"

    def build(self, freeze: bool = False) -> xalign.Assembly:
        assembly = build(self.arguments, self.pool.labels(), freeze)
        if self.cuda and self.shape is None:
            # MFU counts real tokens only; the attention term needs E[L^2]/E[L] over rows.
            collator = collator_for(assembly)
            sample = self.pool.resized(min(len(self.pool), 2000))
            rows = collator.encode_examples(list(sample.examples)) + collator.encode_translations(list(sample.translations.values()))
            self.shape = measure.ModelShape.of(assembly, assembly.encoder.config)
            self.mean_context = measure.attention_tokens_factor([len(row["input_ids"]) for row in rows])
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


def _main(arguments: argparse.Namespace) -> int:
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
    best_steps = max(2, math.ceil(reference_pairs / batch_size))
    pool_size = max(4 * scaling_examples, reference_pairs, batch_size * (best_steps + 1))

    # Synthetic lengths are counted in the encoder's own subwords: load its tokenizer first.
    tokenizer = build(arguments, (("none",), ("O",))).tokenizer if arguments.lengths is not None else None
    pool = make_workload(arguments, tokenizer, pool_size)
    say(f"workload: {pool.name}, {len(pool)} examples with {pool.language} translations; reference pads to {pool.pad_length}")
    bench = Bench(arguments, device, pool, measure.peak_flops(device))

    figures: dict[str, measure.PhaseFigures | None] = dict.fromkeys(PHASES)
    if "reference" in phases:
        figures["reference"] = reference_phase(bench)
        _release(device)
    if "same_batch" in phases:
        same = Phase(xalign.TrainingConfig(batch_size=reference.BATCH_SIZE, gradient_accumulation=reference.GRADIENT_ACCUMULATION, optimizer="adam",
                                           learning_rate=LEARNING_RATE, device=device.type, progress=False), freeze_word_embeddings=False)
        figures["same_batch"] = trainer_phase(bench, "(b) our trainer, same batch semantics", same, arguments.steps)[0]
        _release(device)
    scaling: dict = {"workload": pool.name}
    if "best" in phases:
        # Freezing the 96M-row word-embedding table is our CPU default only: on a GPU its
        # update is cheap and the whole model trains, as in the reference.
        freeze = not cuda and not arguments.train_word_embeddings
        best_phase = Phase(xalign.TrainingConfig(batch_size=batch_size, learning_rate=LEARNING_RATE, device=device.type, progress=False),
                           freeze_word_embeddings=freeze, compile=arguments.compile)
        figures["best"], assembly = trainer_phase(bench, "(c) our trainer, best settings", best_phase, best_steps)
        if not arguments.skip_scaling:
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
        "scaling": scaling,
    }
    print(_table(summary))
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


def _release(device: torch.device) -> None:
    """Free what the last phase held, so that the next phase's peak is its own."""
    import ctypes
    import gc

    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    try:  # glibc keeps freed heap pages; hand them back so RSS reflects what is in use
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    import os

    return f"cpu ({torch.get_num_threads()} threads, {os.cpu_count()} cores)"


def _table(summary: dict) -> str:
    present = [name for name in PHASES if summary[name] is not None]
    with_mfu = any("mfu" in summary[name] for name in present)
    header = f"{'phase':<12} {'pairs/s':>9} {'real tok/s':>11} {'pad':>6} {'peak MiB':>9}" + (f" {'MFU':>6}" if with_mfu else "")
    lines = [f"device: {summary['device']}   encoder: {summary['encoder']}   workload: {summary['scaling'].get('workload', '')}", header]
    for name in present:
        row = summary[name]
        line = f"{name:<12} {row['pairs_per_s']:>9.2f} {row['real_tokens_per_s']:>11.0f} {row['pad_fraction']:>6.1%} {row['peak_mem_bytes'] / 2**20:>9.0f}"
        if with_mfu:
            line += f" {row['mfu']:>6.1%}" if row.get("mfu") is not None else f" {'n/a':>6}"
        lines.append(line)
    if summary["same_batch_ratio"] is not None or summary["best_ratio"] is not None:
        lines.append(f"ratios: (b)/(a) = {summary['same_batch_ratio']}   (c)/(a) = {summary['best_ratio']}")
    if "examples" in summary["scaling"]:
        sizes = ", ".join(f"{key} ({value['examples']} examples) {value['pairs_per_s']:.2f}" for key, value in summary["scaling"]["examples"].items())
        lengths = ", ".join(f"{key} {value:.2f}" for key, value in summary["scaling"]["lengths"].items())
        lines.append(f"scaling, pairs/s of (c): {sizes}; by lengths: {lengths}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
