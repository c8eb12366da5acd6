"""``python -m benchmarks.throughput_parts.techniques``: one technique at a time, on fixed batches.

Times the pieces of a training step in isolation so that each technique is kept or
dropped on its own measurement: the attention kernel (``eager`` or ``sdpa``), bf16
autocast, ``torch.compile``, the optimizer implementation (per-tensor loop, ``foreach``,
``fused``), training or freezing the word-embedding table, dropout on or off, and one
encoder call over the English rows and their translations concatenated (xalign) against
two calls, each side padded to its own longest row (the Hugging Face Trainer baseline).
Each figure is the median of ``--repeats`` runs after one warm-up, on the same batches of
the demo dataset.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

from benchmarks import workload as workloads
from benchmarks.cli import run_main
from xalign.training.data import parallel_items


def _encoder(directory: str, attention: str, **overrides):
    from transformers import AutoModel

    model = AutoModel.from_pretrained(directory, attn_implementation=attention, **overrides)
    model.train()
    return model


def _split(batch: dict) -> list[dict]:
    """A collated batch as two: its English rows and its translation rows, each cut to its own longest row."""
    sides = []
    for rows in (slice(0, batch["num_source"]), slice(batch["num_source"], None)):
        mask = batch["attention_mask"][rows]
        width = int(mask.sum(1).max())
        sides.append({"input_ids": batch["input_ids"][rows, :width], "attention_mask": mask[:, :width]})
    return sides


def _batches(batch_size: int, count: int) -> tuple[str, list[dict]]:
    """The directory of the ``e5-small`` encoder (found through the registry) and ``count``
    collated batches of ``batch_size`` pairs (English + translation rows), length-grouped."""
    import xalign
    from xalign.builder import assemble, load_encoder
    from xalign.inference import collator_for
    from xalign.registry import get_registry

    pool = workloads.demo(batch_size * count * 4)
    intents, tags = pool.labels()
    config = xalign.ModelConfig(encoder="e5-small", head="joint-intent-slot", intent_labels=intents, slot_labels=tags)
    loaded = load_encoder(config, get_registry())
    directory = loaded.model.name_or_path  # each technique loads its own copy from here
    assembly, _ = assemble(xalign.XalignConfig(model=config), loaded)
    collator = collator_for(assembly)
    items = parallel_items(pool.examples, pool.translations_for_training())
    lengths = collator.lengths(items)
    order = sorted(range(len(items)), key=lambda index: lengths[index])
    chosen = [order[start : start + batch_size] for start in range(0, len(order), len(order) // count)][:count]
    return directory, [collator([items[index] for index in indices]) for indices in chosen]


def _median_seconds(run, repeats: int) -> float:
    run()  # warm-up (and compilation, where there is any)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _interleaved_medians(runs: dict, repeats: int) -> dict[str, float]:
    """Median seconds of each run, the runs taking turns (a shared machine's load drifts between them)."""
    for run in runs.values():
        run()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def forward_backward(model, batches: list[dict], autocast: bool = False):
    def run():
        for batch in batches:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
                out = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
            out.last_hidden_state.float().pow(2).mean().backward()
        model.zero_grad(set_to_none=True)

    return run


def optimizer_step(model, kind: str):
    parameters = [p for p in model.parameters() if p.requires_grad]
    for parameter in parameters:
        parameter.grad = torch.randn_like(parameter) * 1e-3
    options = {"loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}[kind]
    optimizer = torch.optim.AdamW(parameters, lr=1e-5, **options)
    return optimizer.step


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.throughput_parts.techniques", description=__doc__.splitlines()[0])
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--batches", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int)
    p.add_argument("--only", help="comma list of: attention,autocast,compile,embeddings,optimizer,dropout,calls")
    return p


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv)


def _main(arguments: argparse.Namespace) -> int:
    if arguments.threads:
        torch.set_num_threads(arguments.threads)
    wanted = set((arguments.only or "attention,autocast,compile,embeddings,optimizer,dropout,calls").split(","))
    directory, batches = _batches(arguments.batch_size, arguments.batches)
    results: dict[str, float] = {}

    def record(name: str, seconds: float) -> None:
        results[name] = round(seconds, 3)
        print(f"{name}: {seconds:.3f} s", file=sys.stderr, flush=True)

    model = _encoder(directory, "sdpa")
    model.get_input_embeddings().weight.requires_grad_(False)
    if "attention" in wanted:
        record("fwd+bwd sdpa (frozen word embeddings)", _median_seconds(forward_backward(model, batches), arguments.repeats))
        eager = _encoder(directory, "eager")
        eager.get_input_embeddings().weight.requires_grad_(False)
        record("fwd+bwd eager (frozen word embeddings)", _median_seconds(forward_backward(eager, batches), arguments.repeats))
        del eager
    if "autocast" in wanted:
        record("fwd+bwd sdpa + bf16 autocast", _median_seconds(forward_backward(model, batches, autocast=True), arguments.repeats))
    if "compile" in wanted:
        compiled = torch.compile(model, dynamic=True)
        started = time.perf_counter()
        forward_backward(compiled, batches)()
        record("torch.compile first call (compilation)", time.perf_counter() - started)
        record("fwd+bwd sdpa + torch.compile", _median_seconds(forward_backward(compiled, batches), arguments.repeats))
        del compiled
    if "calls" in wanted:
        two_calls = [side for batch in batches for side in _split(batch)]
        medians = _interleaved_medians({
            "fwd+bwd, one call over English + translations (frozen word embeddings)": forward_backward(model, batches),
            "fwd+bwd, two calls, each side padded apart (frozen word embeddings)": forward_backward(model, two_calls),
        }, arguments.repeats)
        for name, seconds in medians.items():
            record(name, seconds)
    if "dropout" in wanted:
        without = _encoder(directory, "sdpa", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        without.get_input_embeddings().weight.requires_grad_(False)
        medians = _interleaved_medians({
            "fwd+bwd sdpa, dropout 0.1 (frozen word embeddings)": forward_backward(model, batches),
            "fwd+bwd sdpa, dropout 0 (frozen word embeddings)": forward_backward(without, batches),
        }, arguments.repeats)
        for name, seconds in medians.items():
            record(name, seconds)
        del without
    if "embeddings" in wanted:
        model.get_input_embeddings().weight.requires_grad_(True)
        record("fwd+bwd sdpa, word embeddings trained", _median_seconds(forward_backward(model, batches), arguments.repeats))
    if "optimizer" in wanted:
        model.get_input_embeddings().weight.requires_grad_(True)
        for kind in ("loop", "foreach", "fused"):
            record(f"AdamW step, all 118M parameters, {kind}", _median_seconds(optimizer_step(model, kind), arguments.repeats))
        model.get_input_embeddings().weight.requires_grad_(False)
        record("AdamW step, word embeddings frozen, fused", _median_seconds(optimizer_step(model, "fused"), arguments.repeats))
    shapes = [list(batch["input_ids"].shape) for batch in batches]
    print(json.dumps({"threads": torch.get_num_threads(), "batch_shapes": shapes, "seconds": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
