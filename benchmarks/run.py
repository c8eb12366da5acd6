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
import sys
from pathlib import Path

import attrs

from benchmarks.cli import run_main
from xalign.errors import ConfigError, XalignError
from xalign.layers import parse_assignment
from xalign.training.run_directory import check_links, lock_directory, make_writable_directory, remove_temporary_files, temporary_path

PAPER_DATASETS = ("mtop", "mtod", "paws-x", "multiatis")

# The familiar flags: short aliases of dotted keys of the one configuration schema.
# (flag, dotted key, argparse options)
ALIASES: tuple[tuple[str, str, dict], ...] = (
    ("--dataset", "benchmark.dataset", {"help": "demo (default), mtop, mtod, paws-x, multiatis, all, or a plugin's dataset"}),
    ("--data-dir", "benchmark.data_dir", {"help": "folder holding the dataset's published files"}),
    ("--preset", "benchmark.preset", {"choices": ("paper", "fast", "cpu"), "help": "named settings (default: paper for the paper's datasets, cpu for the demo)"}),
    ("--translations-dir", "benchmark.translations_dir", {"help": "translation files: <lang>/train.tsv (line-aligned) or <lang>.tsv (id<TAB>text); with --dataset all, one sub-folder per dataset; per dataset: --set benchmark.translations_dir.mtop=DIR"}),
    ("--modes", "benchmark.modes", {"help": "comma list of target, zero-shot, translate-train, en+target, xeroalign"}),
    ("--languages", "benchmark.languages", {"help": "comma list of target languages (default: every one found)"}),
    ("--align-languages", "benchmark.align_languages", {"choices": ("each", "all", "both"), "help": "xeroalign: one model per target language (each, as in the paper), one aligned to all (all; the demo default), or both"}),
    ("--max-train-examples", "benchmark.max_train_examples", {"type": int}),
    ("--on-mismatch", "benchmark.on_mismatch", {"choices": ("fail", "skip"), "help": "tag/token count mismatches: fail (default) or skip and count"}),
    ("--output", "benchmark.output", {"help": "output folder (default runs/benchmark)"}),
    ("--encoder", "model.encoder", {"help": "encoder name, Hugging Face id or local directory (default e5-small)"}),
    ("--init", "model.init", {"choices": ("pretrained", "random")}),
    ("--pooler", "model.pooler", {"help": "pooler name (default: the encoder's own)"}),
    ("--aligner", "model.aligner", {"help": "aligner name, or several: mse+contrastive, mse:1.0,contrastive:0.5"}),
    ("--max-length", "model.max_length", {"type": int}),
    ("--alignment-weight", "training.alignment_weight", {"type": float, "help": "multiplier of the alignment loss (default 1, the paper's plain sum)"}),
    ("--weighting", "training.weighting", {"help": "loss weighting (fixed, or a plugin's, e.g. cov)"}),
    ("--epochs", "training.epochs", {"type": int}),
    ("--lr", "training.learning_rate", {"type": float}),
    ("--batch-size", "training.batch_size", {"type": int}),
    ("--gradient-accumulation", "training.gradient_accumulation", {"type": int}),
    ("--seed", "training.seed", {"type": int}),
    ("--device", "training.device", {"choices": ("auto", "cpu", "cuda")}),
    ("--optimizer", "training.optimizer", {"choices": ("adamw", "adam")}),
    ("--checkpoint-every", "training.checkpoint_every", {"type": int}),
)
# Switches: (flag, dotted key, value set, help)
SWITCHES: tuple[tuple[str, str, object, str], ...] = (
    ("--train-word-embeddings", "model.freeze_word_embeddings", False, "also train the word-embedding table (slower on CPU)"),
    ("--trust-remote-code", "model.trust_remote_code", True, "let --encoder run the Python code its Hugging Face repository ships (off by default)"),
    ("--no-progress", "training.progress", False, "no progress bars"),
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--config", help="runner config file (JSON/YAML): an xalign config (model:, training:) plus a benchmark: section; flags win")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="KEY=VALUE",
                   help="set any setting by its dotted name, e.g. --set training.weight_decay=0 (repeatable)")
    p.add_argument("--print-config", action="store_true", help="print the resolved configuration and the source of each value as JSON, and exit")
    for flag, key, options in ALIASES:
        p.add_argument(flag, dest=key, default=None, **options)
    for flag, key, value, help_text in SWITCHES:
        p.add_argument(flag, dest=key, action="store_const", const=value, default=None, help=help_text)
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in --output, skipping completed models")
    p.add_argument("--overwrite", action="store_true", help="replace a finished run in --output")
    return p


def flag_values(arguments: argparse.Namespace) -> dict:
    """The dotted settings given on the command line: aliases first, then --set in order."""
    values = {key: getattr(arguments, key) for _, key, _ in ALIASES if getattr(arguments, key) is not None}
    values.update({key: getattr(arguments, key) for _, key, _, _ in SWITCHES if getattr(arguments, key) is not None})
    for assignment in arguments.assignments:
        key, value = parse_assignment(assignment)
        if key.startswith("benchmark.translations_dir."):  # one dataset's folder
            folders = values.get("benchmark.translations_dir")
            folders = dict(folders) if isinstance(folders, dict) else {}
            folders[key.split(".", 2)[2]] = value
            key, value = "benchmark.translations_dir", folders
        values[key] = value
    return values


def run_configs(arguments: argparse.Namespace) -> list:
    """One resolved configuration per dataset the command asks for (``all``: the paper's four)."""
    from benchmarks.settings import resolve

    flags = flag_values(arguments)
    first = resolve(arguments.config, flags)
    if first.benchmark.dataset != "all":
        return [first]
    return [resolve(arguments.config, flags, dataset=dataset) for dataset in PAPER_DATASETS]


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


def check_output(resume: bool, overwrite: bool, outputs: list[Path]) -> None:
    """Refuse, before anything loads, to replace finished or half-done work unless asked."""
    if resume and overwrite:
        raise ConfigError("--resume keeps the models already in --output and --overwrite replaces them; pass one of the two")
    if resume or overwrite:
        return
    for output in outputs:
        if (output / "results.json").is_file():
            raise ConfigError(f"{output} holds a finished benchmark run ({output / 'results.json'}); pass --overwrite to "
                              "replace it, --resume to reuse its models, or choose another --output")
        started = sorted(path.name for path in (output / "models").glob("*") if path.is_dir()) if (output / "models").is_dir() else []
        if started:
            raise ConfigError(f"{output} holds the models of an unfinished run ({', '.join(started)}); pass --resume to "
                              "finish it, --overwrite to start again, or choose another --output")


def remove_leftovers(outputs: list[Path]) -> None:
    """Remove the temporary files (``.<name>.tmp-<pid>``) that a runner killed between a write and
    its rename left in ``outputs`` (this runner holds the lock: no live one writes them). A
    model's own folder is cleaned by training when it opens it."""
    for output in outputs:
        removed = remove_temporary_files(output)
        if removed:
            logging.getLogger("benchmarks").info("%s: removed %d file(s) left by an interrupted write: %s", output, len(removed),
                                                 ", ".join(path.name for path in removed))


SETTINGS_FILE = "settings.json"
RUN_CONFIG_FILE = "run_config.yaml"


def invalidate_finished_models(output: Path) -> None:
    """``--overwrite``: make every model of the old run unusable before new settings are recorded,
    so that an interrupted overwrite followed by ``--resume`` can never reuse them."""
    for evaluation in sorted((output / "models").glob("*/evaluation.json")) if (output / "models").is_dir() else []:
        evaluation.unlink()
    (output / "results.json").unlink(missing_ok=True)


def check_same_settings(run_config, output: Path, resume: bool, overwrite: bool) -> None:
    """Record the settings a run starts with; on ``--resume`` refuse different ones, so that one
    ``results.json`` never mixes models trained under different settings. The settings are
    also written as a runner config file that reproduces the run (``--config``)."""
    import yaml

    current = run_config.comparable()
    saved_file = output / SETTINGS_FILE
    if resume and saved_file.is_file():
        try:
            saved = json.loads(saved_file.read_text(encoding="utf-8"))
            if not isinstance(saved, dict):
                raise ValueError(f"expected a JSON object, found {type(saved).__name__}")
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise ConfigError(f"{saved_file} is damaged ({error}); delete it to resume with the settings given now") from None
        changed = [f"{key} {saved.get(key)!r} -> {value!r}" for key, value in current.items() if saved.get(key, value) != value]
        if changed:
            raise ConfigError(f"--resume with settings that differ from those {output} was started with ({'; '.join(changed)}); "
                              f"repeat the original settings (see {output / RUN_CONFIG_FILE}), or pass --overwrite to start again")
    if overwrite:
        invalidate_finished_models(output)
    output.mkdir(parents=True, exist_ok=True)
    for name, text in ((SETTINGS_FILE, json.dumps(current, indent=2, ensure_ascii=False) + "\n"),
                       (RUN_CONFIG_FILE, yaml.safe_dump(run_config.to_dict(), sort_keys=False, allow_unicode=True))):
        temporary = temporary_path(output / name)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, output / name)


def dataset_config(run_config, root: Path, output: Path):
    """``--dataset all``: one dataset's configuration, its folder under ``root`` and its own output."""
    from xalign.datasets import find_dataset_folder, folder_names
    from xalign.registry import get_registry

    loader = get_registry().get("datasets", run_config.benchmark.dataset).factory()
    folder = find_dataset_folder(root, loader)
    if folder is None:
        raise ConfigError(f"{run_config.benchmark.dataset}: no folder under {root} (looked for {', '.join(folder_names(loader))})")
    benchmark = attrs.evolve(run_config.benchmark, data_dir=str(folder), output=str(output / run_config.benchmark.dataset))
    return attrs.evolve(run_config, benchmark=benchmark)


def run_one(run_config, output: Path, arguments: argparse.Namespace, all_datasets: bool) -> dict:
    from benchmarks.experiment import run_dataset
    from benchmarks.report import write_results

    results = run_dataset(run_config, output, resume=arguments.resume, overwrite=arguments.overwrite, all_datasets=all_datasets)
    write_results(results, output)
    return results


def run_all(run_configs: list, output: Path, arguments: argparse.Namespace) -> int:
    """Every dataset it can; the failures are listed at the end and make the exit code 2."""
    from benchmarks.report import results_table

    root = run_configs[0].benchmark.data_dir
    if root is None:
        raise ConfigError("--dataset all needs --data-dir, the folder holding mtop/, mtod/, paws-x/ and multiatis/")
    failures = []
    for run_config in run_configs:
        dataset = run_config.benchmark.dataset
        try:
            one = dataset_config(run_config, Path(root), output)
            check_same_settings(one, output / dataset, arguments.resume, arguments.overwrite)
            results = run_one(one, output / dataset, arguments, all_datasets=True)
            print(f"\n## {dataset}\n\n{results_table(results)}")
        except XalignError as error:
            logging.getLogger("benchmarks").error("%s: %s", dataset, error)
            failures.append(f"{dataset}: {error}")
    for line in failures:
        print(f"failed: {line}", file=sys.stderr)
    return 2 if failures else 0


def _main(arguments: argparse.Namespace) -> int:
    from benchmarks.report import results_table

    configs = run_configs(arguments)
    if arguments.print_config:
        printed = [config.printable() for config in configs]
        one = printed[0] if len(printed) == 1 else {"datasets": {c.benchmark.dataset: p for c, p in zip(configs, printed)}}
        print(json.dumps(one, indent=2, ensure_ascii=False))
        return 0
    output = Path(configs[0].benchmark.output)
    make_writable_directory(output)
    lock = lock_directory(output)  # one runner per output directory, released even on SIGKILL
    try:
        check_links(output)  # a symbolic link loop in it: named now, not an OSError half-way
        all_datasets = len(configs) > 1
        check_output(arguments.resume, arguments.overwrite, [output / c.benchmark.dataset for c in configs] if all_datasets else [output])
        setup_logging(output)
        remove_leftovers([output, *(output / c.benchmark.dataset for c in configs)] if all_datasets else [output])
        if all_datasets:
            return run_all(configs, output, arguments)
        check_same_settings(configs[0], output, arguments.resume, arguments.overwrite)
        results = run_one(configs[0], output, arguments, all_datasets=False)
        print(f"\n{results_table(results)}\n\nresults: {output / 'results.json'}, {output / 'results.md'}, {output / 'results.png'}")
        return 0
    finally:
        lock.close()


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv, on_stop="Models already finished are kept. To finish the run, repeat the same command with --resume.",
                    logger=logging.getLogger("benchmarks"))


if __name__ == "__main__":
    sys.exit(main())
