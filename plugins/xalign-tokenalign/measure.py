"""Measure the token-level aligners on a benchmark: zero-shot, ``mse``, each token aligner, and ``mse`` + them.

Usage (from the repository root, with xalign, xalign-e5 and this plugin installed)::

    python plugins/xalign-tokenalign/measure.py --seeds 123456789,1,2 --output runs/tokenalign
    python plugins/xalign-tokenalign/measure.py --table runs/tokenalign          # only print the table again
    python plugins/xalign-tokenalign/measure.py --step-time 20                   # seconds per step of each aligner
    python plugins/xalign-tokenalign/measure.py --guard 20                       # collapse statistics of each alignment setting

Each (seed, variant) is one ``python -m benchmarks.run`` with the benchmark's own defaults
(the demo dataset unless runner flags after ``--`` say otherwise) and ``--seed``, in
``OUTPUT/seed-<seed>/<variant>/``; finished runs are kept, so an interrupted measurement
is finished by repeating the command. The table (per language intent accuracy / slot F1 /
joint accuracy, mean ± standard deviation over the seeds, and training seconds) is printed
and written to ``OUTPUT/table.md`` and ``OUTPUT/table.json``.

A variant is ``NAME=ALIGNER_SPEC``; an aligner of this plugin may take constructor
arguments in brackets, for ablations: ``guard-off=mse+slot-projection[normalisation=softmax]``.
Such a run registers the variant under a derived name in its own process, so the model it
saves loads only where that name is registered again.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

DEFAULT_VARIANTS = (
    "zero-shot=",
    "mse=mse",
    "token-align=token-align",
    "slot-projection=slot-projection",
    "mse+token-align=mse+token-align",
    "mse+slot-projection=mse+slot-projection",
    "mse+token-align+slot-projection=mse+token-align+slot-projection",
)
METRICS = (("intent_acc", "intent"), ("slot_f1", "slot F1"), ("joint_acc", "joint"))
_BRACKETS = re.compile(r"([A-Za-z0-9_.\-]+)\[([^\]]*)\]")


def parse_variant(text: str) -> tuple[str, str]:
    name, separator, spec = text.partition("=")
    if not separator or not name:
        raise SystemExit(f"error: variant {text!r}: write NAME=ALIGNER_SPEC (NAME= alone for zero-shot)")
    return name, spec


def _value(text: str):
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def expand_brackets(spec: str) -> tuple[str, dict[str, tuple[str, dict]]]:
    """``mse+slot-projection[normalisation=softmax]`` -> (``mse+slot-projection-normalisation-softmax``, registrations)."""
    registrations = {}

    def replace(match: re.Match) -> str:
        base, arguments = match.group(1), match.group(2)
        keywords = {key.strip(): _value(value.strip()) for key, _, value in (part.partition("=") for part in arguments.split(",") if part.strip())}
        # Module names may not hold "." (torch's ModuleDict): 0.5 -> 0_5.
        derived = base + "".join(f"-{key}-{value}" for key, value in keywords.items()).replace(".", "_")
        registrations[derived] = (base, keywords)
        return derived

    return _BRACKETS.sub(replace, spec), registrations


def register_bracketed(registrations: dict[str, tuple[str, dict]]) -> None:
    """Register each derived name (``expand_brackets``) as its aligner class with those arguments, in this process."""
    import functools

    import xalign
    from xalign_tokenalign import SlotProjectionAligner, TokenAlignAligner

    classes = {"token-align": TokenAlignAligner, "slot-projection": SlotProjectionAligner}

    class Variants:
        @xalign.hookimpl
        def xalign_register_aligners(self, register):
            for derived, (base, keywords) in registrations.items():
                if base not in classes:
                    raise SystemExit(f"error: only {', '.join(classes)} take bracketed arguments, not {base!r}")
                register(derived, functools.partial(classes[base], **keywords))

    if registrations:
        xalign.get_registry().register_plugin(Variants(), name=f"tokenalign-measure-variants-{len(registrations)}-{abs(hash(tuple(registrations)))}")


def run_one(argv: list[str]) -> int:
    """In this process: register bracketed variants (``XALIGN_TOKENALIGN_VARIANTS``), then run the benchmark."""
    from benchmarks.run import main

    register_bracketed(json.loads(os.environ.get("XALIGN_TOKENALIGN_VARIANTS", "{}")))
    return main(argv)


def train(output: Path, seeds: list[int], variants: list[tuple[str, str]], runner_flags: list[str]) -> None:
    for seed in seeds:
        for name, spec in variants:
            run_dir = output / f"seed-{seed}" / name
            if (run_dir / "results.json").is_file():
                continue
            expanded, registrations = expand_brackets(spec)
            modes = ["--modes", "zero-shot"] if not spec else ["--modes", "xeroalign", "--aligner", expanded]
            command = [sys.executable, __file__, "--run-one", "--", *modes, "--seed", str(seed), "--no-progress",
                       "--output", str(run_dir), *(["--resume"] if (run_dir / "models").is_dir() else []), *runner_flags]
            print(f"[{name} seed {seed}] {' '.join(command[3:])}", flush=True)
            environment = {**os.environ, "XALIGN_TOKENALIGN_VARIANTS": json.dumps(registrations)}
            completed = subprocess.run(command, env=environment)
            if completed.returncode != 0:
                raise SystemExit(f"error: {name} seed {seed} failed with exit code {completed.returncode}; see {run_dir / 'run.log'}")


def training_data(dataset: str) -> tuple[list, dict, tuple[str, ...], tuple[str, ...]]:
    """``(English training examples, {language: {id: translation}}, intents, BIO tags)`` of a dataset that needs no files (the demo)."""
    from xalign.registry import get_registry

    loader = get_registry().get("datasets", dataset).factory()
    english = loader.load_split(None, "en", "train").examples
    languages = [language for language in loader.available_languages(None) if language != "en"]
    translations = {language: loader.load_translations(None, language, english, None).by_id for language in languages}
    intents = tuple(sorted({example.intent for example in english}))
    tags = ("O", *sorted({tag for example in english for tag in example.slot_tags} - {"O"}))
    return english, translations, intents, tags


def step_times(specs: list[str], steps: int, rounds: int, dataset: str = "demo") -> dict[str, list[float]]:
    """Seconds per optimizer step of each aligner spec, on the dataset's English data and all its translations.

    The runs are interleaved (round 1: every spec, round 2: every spec, ...) so that a change
    in the machine's load touches every spec alike; each is a real ``xalign.train`` of
    ``steps`` steps at the benchmark's batch settings (batch 32, one translation per example).
    """
    import tempfile

    import xalign

    english, translations, intents, tags = training_data(dataset)
    expanded = {}
    for spec in specs:
        expanded[spec], registrations = expand_brackets(spec)
        register_bracketed(registrations)
    times: dict[str, list[float]] = {spec: [] for spec in specs}
    for _ in range(rounds):
        for spec in specs:
            config = xalign.XalignConfig(
                model=xalign.ModelConfig(encoder="e5-small", aligner=expanded[spec], intent_labels=intents, slot_labels=tags, max_length=64, freeze_word_embeddings=True),
                training=xalign.TrainingConfig(batch_size=32, learning_rate=1e-4, max_steps=steps, translations_per_example=1, progress=False, device="cpu"),
            )
            assembly, _ = xalign.build(config)
            with tempfile.TemporaryDirectory() as directory:
                result = xalign.train(assembly, english, translations, config.training, output_dir=Path(directory) / "run")
            times[spec].append(result.seconds / steps)
            print(f"{spec}: {times[spec][-1]:.2f} s/step", flush=True)
    return times


GUARD_SETTINGS = ("argmax@auto", "argmax@auto/words", "argmax@-1", "softmax@-1", "sinkhorn@-1")


def guard_statistics(steps: int, dataset: str = "demo", settings: tuple[str, ...] = GUARD_SETTINGS) -> dict[str, dict[str, float]]:
    """The collapse statistics of ``slot-projection`` under each setting (``NORMALISATION@LAYER[/UNITS]``), over ``steps`` training steps.

    Each normalisation trains e5-small from the same pretrained weights and the same seed on
    the dataset's English data and all its translations (``mse+slot-projection`` at the
    benchmark's batch settings), recording per batch the projected slot mass against the
    English one (``slot_mass_ratio``), the largest share of a translation's tokens that pick
    one English word (``hub_share``), the projection's normalised entropy and the share of
    pairs that pass the consistency check (``kept_share``); returns their means over the steps.
    """
    import tempfile

    import xalign
    from xalign.training.loop import seed_everything
    from xalign_tokenalign import SlotProjectionAligner
    from xalign_tokenalign.projection_quality import parse_setting

    english, translations, intents, tags = training_data(dataset)
    means = {}
    for setting in settings:
        seed_everything(123456789)
        config = xalign.XalignConfig(
            model=xalign.ModelConfig(encoder="e5-small", aligner="mse+slot-projection", intent_labels=intents, slot_labels=tags, max_length=64, freeze_word_embeddings=True),
            training=xalign.TrainingConfig(batch_size=32, learning_rate=2e-4, head_learning_rate=3e-3, warmup_fraction=0.1, max_steps=steps,
                                           translations_per_example=1, progress=False, device="cpu"),
        )
        assembly, _ = xalign.build(config)
        # From the first step (start=0): the guard is measured where the alignment is weakest.
        projection = SlotProjectionAligner(xalign.LabelSpace(intents, tags), **parse_setting(setting), start=0.0, record_statistics=True)
        assembly.aligner.parts["slot-projection"] = projection
        with tempfile.TemporaryDirectory() as directory:
            xalign.train(assembly, english, translations, config.training, output_dir=Path(directory) / "run")
        recorded = [entry for entry in projection.statistics if not any(math.isnan(value) for value in entry.values())]
        means[setting] = {key: statistics.fmean(entry[key] for entry in recorded) for key in recorded[0]} | {"batches": len(recorded)}
        print(f"{setting}: {means[setting]}", flush=True)
    return means


def collect(output: Path) -> dict:
    """``{variant: {language: {metric: [values per seed]}, "_seconds": [...]}}`` from every finished run."""
    table: dict = {}
    for results_file in sorted(output.glob("seed-*/*/results.json")):
        variant = results_file.parent.name
        results = json.loads(results_file.read_text(encoding="utf-8"))
        entry = table.setdefault(variant, {"_seconds": [], "_seeds": []})
        entry["_seeds"].append(results_file.parent.parent.name.removeprefix("seed-"))
        seconds = {}
        for run in results["runs"]:
            language = run["language"]
            for key, _ in METRICS:
                if key in run["metrics"]:
                    entry.setdefault(language, {}).setdefault(key, []).append(100 * run["metrics"][key])
            seconds[run["mode"]] = run.get("train_seconds", math.nan)
        entry["_seconds"].append(sum(seconds.values()))
    return table


def _cell(values: list[float]) -> str:
    if not values:
        return ""
    mean = statistics.fmean(values)
    return f"{mean:.1f} ± {statistics.stdev(values):.1f}" if len(values) > 1 else f"{mean:.1f}"


def format_table(table: dict, variants: list[str]) -> str:
    variants = [name for name in variants if name in table] + sorted(set(table) - set(variants))
    languages = sorted({language for entry in table.values() for language in entry if not language.startswith("_")}, key=lambda code: (code != "en", code))
    targets = [language for language in languages if language != "en"]
    lines = []
    for key, title in METRICS:
        lines += [f"**{title}** (mean ± sd over seeds)", "", "| variant | seeds | " + " | ".join(languages) + " | targets avg |",
                  "|---|---|" + "---|" * (len(languages) + 1)]
        for name in variants:
            entry = table[name]
            seeds = len(entry["_seeds"])
            averages = [statistics.fmean(entry[language][key][index] for language in targets if key in entry.get(language, {}))
                        for index in range(seeds) if all(key in entry.get(language, {}) and len(entry[language][key]) > index for language in targets)]
            cells = [_cell(entry.get(language, {}).get(key, [])) for language in languages]
            lines.append(f"| {name} | {seeds} | " + " | ".join(cells) + f" | **{_cell(averages)}** |")
        lines.append("")
    lines += ["**training seconds** (mean ± sd over seeds)", "", "| variant | seconds |", "|---|---|"]
    lines += [f"| {name} | {_cell(table[name]['_seconds'])} |" for name in variants]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--run-one"]:
        return run_one(argv[2:] if argv[1:2] == ["--"] else argv[1:])
    runner_flags = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(prog="python plugins/xalign-tokenalign/measure.py", description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="runs/tokenalign", help="folder of the runs and the table (default runs/tokenalign)")
    parser.add_argument("--seeds", default="123456789", help="comma list of seeds (default: the benchmark's own, 123456789)")
    parser.add_argument("--variant", action="append", help="NAME=ALIGNER_SPEC, repeatable (default: the seven of the README table)")
    parser.add_argument("--table", metavar="OUTPUT", help="only print the table of the finished runs in OUTPUT")
    parser.add_argument("--step-time", type=int, metavar="STEPS", help="instead: seconds per training step of each variant's aligner, STEPS steps per run")
    parser.add_argument("--rounds", type=int, default=3, help="--step-time: interleaved rounds (default 3)")
    parser.add_argument("--guard", type=int, metavar="STEPS", help="instead: slot-projection's collapse statistics under each alignment setting, STEPS steps each")
    arguments = parser.parse_args(argv)
    if arguments.guard:
        means = guard_statistics(arguments.guard)
        print("| setting | slot_mass_ratio | hub_share | entropy | kept_share | batches |\n|---|---|---|---|---|---|")
        for name, row in means.items():
            print(f"| {name} | {row['slot_mass_ratio']:.3f} | {row['hub_share']:.3f} | {row['entropy']:.3f} | {row['kept_share']:.3f} | {row['batches']} |")
        return 0
    if arguments.step_time:
        specs = [spec for _, spec in (parse_variant(text) for text in (arguments.variant or DEFAULT_VARIANTS)) if spec]
        times = step_times(specs, arguments.step_time, arguments.rounds)
        baseline = statistics.median(times[specs[0]])
        for spec in specs:
            median = statistics.median(times[spec])
            print(f"| {spec} | {median:.2f} s/step | {median / baseline:.2f}x {specs[0]} |")
        return 0
    variants = [parse_variant(text) for text in (arguments.variant or DEFAULT_VARIANTS)]
    output = Path(arguments.table or arguments.output)
    if not arguments.table:
        seeds = [int(seed) for seed in arguments.seeds.split(",") if seed.strip()]
        train(output, seeds, variants, runner_flags)
    table = collect(output)
    text = format_table(table, [name for name, _ in variants])
    output.mkdir(parents=True, exist_ok=True)
    (output / "table.md").write_text(text, encoding="utf-8")
    (output / "table.json").write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
