"""``python -m benchmarks.run``: the paper's experiments against any assembly.

With no flags: the built-in demo dataset, the ``e5-small`` encoder, the ``mse`` aligner,
modes ``zero-shot,xeroalign``. Prints a table of per-language scores per mode and writes
``results.json``, ``results.md``, ``results.png``, the models and ``run.log`` to ``--output``.
Input and configuration errors exit with code 2, before any model trains; a run stopped by
SIGINT/SIGTERM exits with 128 + the signal number and is finished by repeating the command
with ``--resume``. One runner at a time may use an ``--output`` directory, and finished work
in it is replaced only with ``--overwrite``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

import attrs

from xalign.errors import ConfigError, XalignError
from xalign.training.run_directory import lock_directory, make_writable_directory

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
    add("--alignment-weight", type=float, help="multiplier of the alignment loss (default 1, the paper's plain sum)")
    add("--weighting", help="loss weighting (fixed, or a plugin's, e.g. cov)")
    add("--modes", help="comma list of target, zero-shot, translate-train, xeroalign")
    add("--languages", help="comma list of target languages (default: every one found)")
    add("--align-languages", choices=("each", "all", "both"), help="xeroalign: one model per target language (each, as in the paper; the default except on the demo), one model aligned to all (all; the demo default), or both")
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
    add("--trust-remote-code", action="store_const", const=True, help="let --encoder run the Python code its Hugging Face repository ships (off by default)")
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


def check_output(settings, outputs: list[Path]) -> None:
    """Refuse, before anything loads, to replace finished or half-done work unless asked."""
    if settings.resume and settings.overwrite:
        raise ConfigError("--resume keeps the models already in --output and --overwrite replaces them; pass one of the two")
    if settings.resume or settings.overwrite:
        return
    for output in outputs:
        if (output / "results.json").is_file():
            raise ConfigError(f"{output} holds a finished benchmark run ({output / 'results.json'}); pass --overwrite to "
                              "replace it, --resume to reuse its models, or choose another --output")
        started = sorted(path.name for path in (output / "models").glob("*") if path.is_dir()) if (output / "models").is_dir() else []
        if started:
            raise ConfigError(f"{output} holds the models of an unfinished run ({', '.join(started)}); pass --resume to "
                              "finish it, --overwrite to start again, or choose another --output")


SETTINGS_FILE = "settings.json"
# Settings that may change between a run and its --resume without changing any result.
RESUMABLE_CHANGES = ("resume", "overwrite", "progress", "output", "checkpoint_every", "device")


def check_same_settings(settings, output: Path) -> None:
    """Record the settings a run starts with; on ``--resume`` refuse different ones, so that one
    ``results.json`` never mixes models trained under different settings."""
    current = {key: value for key, value in settings.to_dict().items() if key not in RESUMABLE_CHANGES}
    saved_file = output / SETTINGS_FILE
    if settings.resume and saved_file.is_file():
        saved = json.loads(saved_file.read_text(encoding="utf-8"))
        changed = [f"{key} {saved[key]!r} -> {value!r}" for key, value in current.items() if key in saved and saved[key] != value]
        if changed:
            raise ConfigError(f"--resume with settings that differ from those {output} was started with ({'; '.join(changed)}); "
                              f"repeat the original settings (see {saved_file}), or pass --overwrite to start again")
    temporary = saved_file.with_name(f".{SETTINGS_FILE}.tmp-{os.getpid()}")
    temporary.write_text(json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, saved_file)


def find_dataset_dir(root: Path, dataset: str) -> Path | None:
    for folder in DATASET_FOLDERS[dataset]:
        if (root / folder).is_dir():
            return root / folder
    return None


def main(argv: list[str] | None = None) -> int:
    from benchmarks.experiment import run_dataset
    from benchmarks.report import results_table, write_results
    from xalign.training.loop import TrainingInterrupted

    arguments = parser().parse_args(argv)
    lock = None
    try:
        settings = settings_from_arguments(arguments)
        output = Path(settings.output)
        make_writable_directory(output)
        lock = lock_directory(output)  # one runner per output directory, released even on SIGKILL
        datasets = PAPER_DATASETS if settings.dataset == "all" else ()
        check_output(settings, [output / dataset for dataset in datasets] or [output])
        check_same_settings(settings, output)
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
    except TrainingInterrupted as error:
        logging.getLogger("benchmarks").error("%s", error)
        print(f"stopped: {error}\nTo finish the run, repeat the same command with --resume.", file=sys.stderr)
        return 128 + (error.signal_number or signal.SIGINT)
    except KeyboardInterrupt:  # a signal outside training (loading data, evaluating)
        print("stopped by SIGINT; models already finished are kept. To finish the run, repeat the same command with --resume.", file=sys.stderr)
        return 128 + signal.SIGINT
    except XalignError as error:
        logging.getLogger("benchmarks").error("%s", error)
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if lock is not None:
            lock.close()


if __name__ == "__main__":
    sys.exit(main())
