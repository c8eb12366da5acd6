"""Command line: ``python -m xalign list`` and ``python -m xalign align-score``.

Thin: parse arguments, call the library, print. Input errors exit with code 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from xalign.errors import XalignError


def _list(arguments: argparse.Namespace) -> int:
    from xalign.registry import get_registry

    registry = get_registry()
    providers = registry.providers()
    if arguments.json:
        print(json.dumps(providers, indent=2))
        return 0
    width = max((len(name) for by_name in providers.values() for name in by_name), default=4)
    for kind, by_name in providers.items():
        print(f"{kind}:")
        if not by_name:
            print("  (none)")
        for name, provider in by_name.items():
            print(f"  {name:<{width}}  {provider}")
    for failure in registry.failures:
        print(f"plugin {failure.entry_point!r} from {failure.distribution!r} failed to load: {failure.error}", file=sys.stderr)
    return 0


def _align_score(arguments: argparse.Namespace) -> int:
    from xalign.alignment_score import align_score, read_parallel_lines

    sources, targets = read_parallel_lines(arguments.source, arguments.target)
    result = align_score(arguments.encoder, sources, targets, pooler=arguments.pooler, batch_size=arguments.batch_size, seed=arguments.seed)
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"encoder {result['encoder']}  pooler {result['pooler']}  pairs {result['pairs']}")
        print(f"top-1 retrieval  source->target {result['top1_src2tgt']:.4f}  target->source {result['top1_tgt2src']:.4f}")
        print(f"mean cosine      true pairs {result['mean_cos_true']:.4f}  random pairs {result['mean_cos_random']:.4f}")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m xalign", description="xalign: cross-lingual alignment toolkit")
    commands = root.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list registered components and the plugins that provide them")
    listing.add_argument("--json", action="store_true", help="print {kind: {name: provider}} as JSON")
    listing.set_defaults(run=_list)
    score = commands.add_parser("align-score", help="parallel retrieval accuracy and cosine of two line-aligned files")
    score.add_argument("--encoder", required=True, help="registered encoder name, Hugging Face id/path, or a saved xalign model directory")
    score.add_argument("--pooler", default=None, help="pooler name (default: the encoder's own)")
    score.add_argument("--batch-size", type=int, default=64)
    score.add_argument("--seed", type=int, default=0, help="seed for the random (non-)pairs")
    score.add_argument("--json", action="store_true", help="print one JSON object")
    score.add_argument("source", help="text file, one sentence per line")
    score.add_argument("target", help="text file, line i translates line i of SOURCE")
    score.set_defaults(run=_align_score)
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except XalignError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
