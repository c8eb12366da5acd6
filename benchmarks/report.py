"""Writes the results of a benchmark run: results.json, results.md (with the paper's numbers) and a chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

from benchmarks.paper import paper_average, paper_language
from xalign.training.run_directory import temporary_path


def _percent(metrics: dict | None) -> str:
    if not metrics:
        return ""
    if "accuracy" in metrics:
        return f"{100 * metrics['accuracy']:.1f}"
    parts = [f"{100 * metrics[key]:.1f}" for key in ("intent_acc", "slot_f1") if key in metrics]
    return " / ".join(parts)


def _paper(metrics: dict | None) -> str:
    if not metrics:
        return ""
    if "accuracy" in metrics:
        return f"{metrics['accuracy']:.1f}"
    return " / ".join(f"{metrics[key]:.1f}" for key in ("intent_acc", "slot_f1") if key in metrics)


def _alignment_source(results: dict, mode: str) -> str | None:
    """The one kind of translations a XeroAlign mode aligned on, or "mixed"."""
    if not mode.startswith("xeroalign"):
        return None
    kinds = {kind for model in results.get("modes", {}).get(mode, {}).get("models", {}).values() for kind in model["alignment"].values()}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def results_table(results: dict) -> str:
    """A Markdown table: languages by mode, then the average over target languages."""
    modes = list(dict.fromkeys(run["mode"] for run in results["runs"]))
    languages = list(dict.fromkeys(run["language"] for run in results["runs"]))
    by_key = {(run["mode"], run["language"]): run["metrics"] for run in results["runs"]}
    first = results["runs"][0]["metrics"] if results["runs"] else {}
    unit = "accuracy" if "accuracy" in first else "intent acc / slot F1"
    header = "| language | " + " | ".join(modes) + " |"
    lines = [header, "|" + "---|" * (len(modes) + 1)]
    for language in languages:
        cells = []
        for mode in modes:
            ours = _percent(by_key.get((mode, language)))
            paper = paper_language(results["dataset"], results["encoder"], mode, language)
            cells.append(ours + (f" (paper {_paper(paper)})" if paper and ours else ""))
        lines.append(f"| {language} | " + " | ".join(cells) + " |")
    averages = []
    averaged = results.get("average_languages")
    for mode in modes:
        ours = _percent(results["average"].get(mode))
        paper = paper_average(results["dataset"], results["encoder"], mode, averaged, _alignment_source(results, mode))
        averages.append(ours + (f" (paper {_paper(paper)})" if paper and ours else ""))
    label = "average (" + (", ".join(averaged) if averaged else "targets") + ")"
    lines.append(f"| **{label}** | " + " | ".join(averages) + " |")
    return f"Scores in percent ({unit}).\n\n" + "\n".join(lines)


def write_markdown(results: dict, path: Path) -> None:
    training = results["config"]["config"]["training"]
    model = results["config"]["config"]["model"]
    text = [
        f"# {results['dataset']}: {results['encoder']} + {results['pooler']} pooler + {results['aligner']} aligner",
        "",
        results_table(results),
        "",
        f"Preset `{results['preset']}`: {training['epochs']} epochs, lr {training['learning_rate']}, batch {training['batch_size']} "
        f"x {training['gradient_accumulation']}, {training['optimizer']}, max length {model['max_length']}, "
        f"{results['train_examples']} English training examples, seed {training['seed']}. The full configuration and the "
        "source of every value are in results.json (`config`).",
    ]
    long_rows = {language: count for language, count in results.get("long_test_rows", {}).items() if count}
    if long_rows:
        text += ["", f"Test rows longer than max length {model['max_length']} (scored on every word at full length): "
                 + ", ".join(f"{language} {count}" for language, count in long_rows.items()) + "."]
    text += ["", "Training data per model:"]
    for mode, entry in results.get("modes", {}).items():
        for name, model_entry in entry["models"].items():
            aligned = "; aligned on " + ", ".join(f"{lang}: {kind}" for lang, kind in model_entry["alignment"].items()) if model_entry["alignment"] else ""
            text.append(f"- {name} ({mode}, {model_entry['epochs']} epochs): {', '.join(model_entry['training_files']) or 'built-in data'}{aligned}")
    sources = results.get("translation_sources") or {}
    if sources:
        text += ["", "Translations for alignment:"] + [f"- {lang}: {source}" for lang, source in sources.items()]
    text += ["", "Paper numbers (Gritta & Iacobacci 2021) are shown only where the dataset, model size, mode, averaged "
             "languages and (for XeroAlign) the machine-translated alignment data match."]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def write_chart(results: dict, path: Path) -> None:
    """A grouped bar chart of per-language scores by mode (intent accuracy or accuracy)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(dict.fromkeys(run["mode"] for run in results["runs"]))
    languages = list(dict.fromkeys(run["language"] for run in results["runs"]))
    by_key = {(run["mode"], run["language"]): run["metrics"] for run in results["runs"]}
    metric_names = [name for name in ("accuracy", "intent_acc", "slot_f1") if any(name in run["metrics"] for run in results["runs"])]
    figure, axes = plt.subplots(1, len(metric_names), figsize=(5 + 1.2 * len(languages) * len(metric_names), 4), squeeze=False)
    width = 0.8 / max(len(modes), 1)
    for axis, metric in zip(axes[0], metric_names):
        for index, mode in enumerate(modes):
            values = [100 * by_key.get((mode, lang), {}).get(metric, float("nan")) for lang in languages]
            axis.bar([x + index * width for x in range(len(languages))], values, width, label=mode)
        axis.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(languages))], languages)
        axis.set_ylabel(f"{metric} (%)")
        axis.set_ylim(0, 100)
        axis.set_title(f"{results['dataset']}: {metric}")
    axes[0][0].legend(loc="lower left", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_results(results: dict, output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    target = output / "results.json"
    temporary = temporary_path(target)  # removed by the next run if a kill leaves it
    temporary.write_text(json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    write_markdown(results, output / "results.md")
    if results["runs"]:
        write_chart(results, output / "results.png")
