"""``python -m benchmarks.demo DIR [--seed N]``: write the demo dataset and print its counts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.demo.generate import write_demo_dataset
from benchmarks.demo.manifest import DemoManifest
from xalign.errors import XalignError


def counts_table(manifest: DemoManifest) -> str:
    """The per-language line counts as a small text table."""
    lines = [f"{'language':<9}{'train':>7}{'eval':>7}{'test':>7}{'translations':>14}"]
    for language, counts in manifest.counts.items():
        translations = manifest.translation_counts.get(language, "-")
        lines.append(f"{language:<9}{counts['train']:>7}{counts['eval']:>7}{counts['test']:>7}{translations:>14}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.demo", description=__doc__)
    parser.add_argument("directory", type=Path, help="where to write the dataset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=2400)
    parser.add_argument("--eval-size", type=int, default=200)
    parser.add_argument("--test-size", type=int, default=400)
    parser.add_argument("--languages", nargs="+", default=None, help="default: en de es fr hi th")
    parser.add_argument("--held-out-template-fraction", type=float, default=0.25)
    parser.add_argument("--held-out-value-fraction", type=float, default=0.2)
    parser.add_argument("--test-unseen-template-rate", type=float, default=0.5)
    parser.add_argument("--test-unseen-value-rate", type=float, default=0.3)
    args = parser.parse_args(argv)
    options = {} if args.languages is None else {"languages": args.languages}
    try:
        manifest = write_demo_dataset(
            args.directory,
            seed=args.seed,
            train_size=args.train_size,
            test_size=args.test_size,
            eval_size=args.eval_size,
            held_out_template_fraction=args.held_out_template_fraction,
            held_out_value_fraction=args.held_out_value_fraction,
            test_unseen_template_rate=args.test_unseen_template_rate,
            test_unseen_value_rate=args.test_unseen_value_rate,
            **options,
        )
    except XalignError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote the demo dataset to {args.directory} (seed {manifest.seed}): "
          f"{len(manifest.intents)} intents, {len(manifest.domains)} domains, {len(manifest.slot_types)} slot types")
    print(counts_table(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
