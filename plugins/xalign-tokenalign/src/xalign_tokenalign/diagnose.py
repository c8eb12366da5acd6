"""``python -m xalign_tokenalign.diagnose MODEL SOURCE.txt TARGET.txt``: does the model align words or noise?

For every line pair of two line-aligned files, the soft token alignment that the token-level
aligners use (temperature softmax of token cosines, both directions, padding, special tokens
and the text prefix masked), summarised as:

- ``entropy``: normalised entropy of each token's alignment row (0 one partner, 1 uniform);
- ``diagonal_distance``: expected |relative position offset| of aligned tokens (0 diagonal,
  ~0.33 random placement);
- ``mutual_argmax``: share of English tokens whose best partner picks them back;
- ``hub_share``: largest share of translation tokens that pick one and the same English token.

The same statistics for *mismatched* pairs (each source line against the next pair's target
line) are the noise baseline: an alignment that learnt words is sharper, more diagonal and
more mutual on true pairs than on mismatched ones. ``MODEL`` is a model directory saved by
the trainer or any encoder name (to compare before and after training). ``--show N`` prints
each source token's best partner for the first N pairs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Sequence

import torch

from xalign.data.collate import ParallelItem
from xalign.data.examples import ClassificationExample, Translation
from xalign.errors import ConfigError, XalignError
from xalign_tokenalign.alignment import alignment_statistics, cosine_cost, softmax_alignments

DEFAULT_TEMPERATURE = 0.05
STATISTICS = ("entropy", "diagonal_distance", "mutual_argmax", "hub_share")


def model_temperature(assembly) -> float:
    """The temperature of the model's own token-level aligner, else ``DEFAULT_TEMPERATURE``."""
    aligner = assembly.aligner
    parts = list(getattr(aligner, "parts", {}).values()) or [aligner]
    for part in parts:
        temperature = getattr(part, "temperature", None)
        if isinstance(temperature, float) and type(part).__module__.startswith("xalign_tokenalign"):
            return temperature
    return DEFAULT_TEMPERATURE


def _combine(parts: list[dict[str, float]]) -> dict[str, float]:
    """Token-weighted mean of per-batch statistics (``hub_share`` weighted by pairs)."""
    tokens = sum(part["tokens"] for part in parts)
    pairs = sum(part["pairs"] for part in parts)
    combined: dict[str, float] = {"pairs": pairs, "tokens": tokens}
    for key in STATISTICS:
        weight = "pairs" if key == "hub_share" else "tokens"
        total = sum(part[weight] for part in parts if not math.isnan(part[key]))
        combined[key] = sum(part[key] * part[weight] for part in parts if not math.isnan(part[key])) / total if total else math.nan
    return combined


@torch.no_grad()
def diagnose(assembly, sources: Sequence[str], targets: Sequence[str], temperature: float | None = None, batch_size: int = 32, show: int = 0) -> dict:
    """Alignment statistics of true and mismatched pairs, and the best partners of the first ``show`` pairs."""
    from xalign.inference import collator_for

    if temperature is None:
        temperature = model_temperature(assembly)
    if not temperature > 0:
        raise ConfigError(f"--temperature must be positive, got {temperature}")
    collator = collator_for(assembly)
    tokenizer = assembly.tokenizer
    assembly.eval()
    device = assembly.device
    true_parts, mismatched_parts, examples = [], [], []
    for start in range(0, len(sources), batch_size):
        chunk = range(start, min(start + batch_size, len(sources)))
        items = [ParallelItem(ClassificationExample(str(i), sources[i]), (Translation(str(i), "target", targets[i]),)) for i in chunk]
        batch = collator(items, with_labels=False)
        encoded = assembly.encode(batch["input_ids"].to(device), batch["attention_mask"].to(device), batch["token_type_ids"].to(device) if "token_type_ids" in batch else None)
        states = encoded.token_states.float().cpu()
        count = len(items)
        source_rows, target_rows = torch.arange(count), torch.arange(count, 2 * count)
        text = batch["text_mask"].bool()
        source_mask, target_mask = text[source_rows], text[target_rows]
        cost = cosine_cost(states[source_rows], states[target_rows])
        true_parts.append(alignment_statistics(cost, source_mask, target_mask, temperature))
        if count > 1:  # each source against the next pair's target: the noise baseline
            shifted = target_rows.roll(-1)
            mismatched_parts.append(alignment_statistics(cosine_cost(states[source_rows], states[shifted]), source_mask, text[shifted], temperature))
        if len(examples) < show:
            forward, _ = softmax_alignments(cost, source_mask, target_mask, temperature)
            for p in range(min(count, show - len(examples))):
                source_tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][source_rows[p]].tolist())
                target_tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][target_rows[p]].tolist())
                links = [(source_tokens[i], target_tokens[int(forward[p, i].argmax())], round(float(forward[p, i].max()), 2))
                         for i in range(len(source_tokens)) if source_mask[p, i] and target_mask[p].any()]
                examples.append({"source": sources[chunk[p]], "target": targets[chunk[p]], "links": links})
    return {
        "temperature": temperature,
        "pairs": _combine(true_parts),
        "mismatched": _combine(mismatched_parts) if mismatched_parts else None,
        "examples": examples,
    }


def format_report(result: dict, model: str) -> str:
    lines = [f"model {model}  temperature {result['temperature']}  pairs {result['pairs']['pairs']}  tokens {result['pairs']['tokens']}",
             f"{'':<22}{'translation pairs':>18}{'mismatched pairs':>18}"]
    for key in STATISTICS:
        baseline = result["mismatched"][key] if result["mismatched"] else math.nan
        lines.append(f"{key:<22}{result['pairs'][key]:>18.4f}{baseline:>18.4f}")
    for example in result["examples"]:
        lines.append("")
        lines.append(f"{example['source']}  |  {example['target']}")
        lines.append("  " + "  ".join(f"{source}->{target} ({weight:.2f})" for source, target, weight in example["links"]))
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m xalign_tokenalign.diagnose", description=__doc__.splitlines()[0])
    p.add_argument("model", help="a model directory saved by the trainer, or an encoder name / Hugging Face id / path")
    p.add_argument("source", help="text file, one sentence per line")
    p.add_argument("target", help="text file, line i translates line i of SOURCE")
    p.add_argument("--temperature", type=float, default=None, help=f"softmax temperature (default: the model's token aligner's, else {DEFAULT_TEMPERATURE})")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--show", type=int, default=0, metavar="N", help="print each source token's best partner for the first N pairs")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        from xalign.alignment_score import load_embedder, read_parallel_lines

        if arguments.batch_size < 1:
            raise ConfigError(f"--batch-size must be a positive integer, got {arguments.batch_size}")
        sources, targets = read_parallel_lines(arguments.source, arguments.target)
        assembly, _ = load_embedder(arguments.model)
        result = diagnose(assembly, sources, targets, arguments.temperature, arguments.batch_size, arguments.show)
    except XalignError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result) if arguments.json else format_report(result, arguments.model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
