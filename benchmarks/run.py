"""``python -m benchmarks.run``: the paper's experiments against any assembly.

With no flags: the built-in demo dataset, the ``e5-small`` encoder, the ``mse`` aligner,
modes ``zero-shot,xeroalign``. Prints a table of per-language scores per mode and writes
``results.json``, ``results.md``, ``results.png``, the models and ``run.log`` to ``--output``.
Input errors exit with code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import attrs

from xalign.errors import XalignError

PAPER_DATASETS = ("mtop", "mtod", "paws-x", "multiatis")
DATASET_FOLDERS = {"mtop": ("mtop", "MTOP"), "mtod": ("mtod", "MTOD", "multilingual_task_oriented_dialog"), "paws-x": ("paws-x", "pawsx", "x-final"), "multiatis": ("multiatis", "MultiATIS++", "multiatis++")}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    add = p.add_argument
    add("--config", help="JSON/YAML file of settings (same names as these flags); flags given here win")
    add("--dataset", help="demo (default), mtop, mtod, paws-x, multiatis, all, or a plugin's dataset")
    add("--data-dir", help="folder holding the dataset's published files")
    add("--translations-dir", help="folder of translation files: <lang>/train.tsv (line-aligned) or <lang>.tsv (id<TAB>text)")
    add("--encoder", help="encoder name, Hugging Face id or local directory (default e5-small)")
    add("--init", choices=("pretrained", "random"))
    add("--pooler", help="pooler name (default: the encoder's own)")
    add("--aligner", help="aligner name, or several: mse+contrastive, mse:1.0,contrastive:0.5")
    add("--weighting", help="loss weighting (fixed, or a plugin's, e.g. cov)")
    add("--modes", help="comma list of target, zero-shot, translate-train, xeroalign")
    add("--languages", help="comma list of target languages (default: every one found)")
    add("--align-languages", choices=("each", "all", "both"), help="xeroalign: one model per language (each, as in the paper), one for all, or both")
    add("--epochs", type=int)
    add("--lr", dest="learning_rate", type=float)
    add("--batch-size", type=int)
    add("--gradient-accumulation", type=int)
    add("--max-train-examples", type=int)
    add("--max-length", type=int)
    add("--seed", type=int)
    add("--device", choices=("auto", "cpu", "cuda"))
    add("--optimizer", choices=("adamw", "adam"))
    add("--train-word-embeddings", dest="freeze_word_embeddings", action="store_const", const=False, help="also train the word-embedding table (slower on CPU)")
    add("--on-mismatch", choices=("fail", "skip"), help="tag/token count mismatches: fail (default) or skip and count")
    add("--checkpoint-every", type=int)
    add("--output", help="output folder (default runs/benchmark)")
    add("--resume", action="store_const", const=True, help="finish an interrupted run in --output, skipping completed models")
    add("--overwrite", action="store_const", const=True, help="replace a finished run in --output")
    add("--no-progress", dest="progress", action="store_const", const=False)
    return p


def settings_from_arguments(arguments: argparse.Namespace):
    from benchmarks.settings import BenchmarkSettings

    given = {key: value for key, value in vars(arguments).items() if value is not None and key != "config"}
    if arguments.config:
        return BenchmarkSettings.from_file(arguments.config, given)
    return BenchmarkSettings.from_dict(given, source="command line")


def setup_logging(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    file_handler = logging.FileHandler(output / "run.log", encoding="utf-8")
    file_handler.setFormatter(formatter)
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(formatter)
    root.addHandler(file_handler)
    root.addHandler(console)
    for noisy in ("httpx", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def find_dataset_dir(root: Path, dataset: str) -> Path | None:
    for folder in DATASET_FOLDERS[dataset]:
        if (root / folder).is_dir():
            return root / folder
    return None


def main(argv: list[str] | None = None) -> int:
    from benchmarks.experiment import run_dataset
    from benchmarks.report import results_table, write_results

    arguments = parser().parse_args(argv)
    try:
        settings = settings_from_arguments(arguments)
        output = Path(settings.output)
        setup_logging(output)
        if settings.dataset == "all":
            if settings.data_dir is None:
                raise XalignError("--dataset all needs --data-dir, the folder holding mtop/, mtod/, paws-x/ and multiatis/")
            root = Path(settings.data_dir)
            missing = []
            for dataset in PAPER_DATASETS:
                folder = find_dataset_dir(root, dataset)
                if folder is None:
                    missing.append(f"{dataset} (looked for {', '.join(str(root / f) for f in DATASET_FOLDERS[dataset])})")
                    continue
                sub = attrs.evolve(settings, dataset=dataset, data_dir=str(folder), output=str(output / dataset))
                results = run_dataset(sub, output / dataset)
                write_results(results, output / dataset)
                print(f"\n## {dataset}\n\n{results_table(results)}")
            for line in missing:
                print(f"not found: {line}", file=sys.stderr)
            return 0
        results = run_dataset(settings, output)
        write_results(results, output)
        print(f"\n{results_table(results)}\n\nresults: {output / 'results.json'}, {output / 'results.md'}, {output / 'results.png'}")
        return 0
    except XalignError as error:
        logging.getLogger("benchmarks").error("%s", error)
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
