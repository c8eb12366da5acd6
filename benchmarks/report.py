"""Writes the results of a benchmark run: results.json, results.md (with the paper's numbers) and a chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

from benchmarks.paper import paper_average, paper_language


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
    for mode in modes:
        ours = _percent(results["average"].get(mode))
        paper = paper_average(results["dataset"], results["encoder"], mode)
        averages.append(ours + (f" (paper {_paper(paper)})" if paper and ours else ""))
    lines.append("| **average (targets)** | " + " | ".join(averages) + " |")
    return f"Scores in percent ({unit}).\n\n" + "\n".join(lines)


def write_markdown(results: dict, path: Path) -> None:
    settings = results["config"]["settings"]
    text = [
        f"# {results['dataset']}: {results['encoder']} + {results['pooler']} pooler + {results['aligner']} aligner",
        "",
        results_table(results),
        "",
        f"Training: {settings['epochs']} epochs, lr {settings['learning_rate']}, batch {settings['batch_size']}, "
        f"{results['config']['train_examples']} English training examples, seed {settings['seed']}.",
    ]
    sources = results["config"].get("translation_sources") or {}
    if sources:
        text += ["", "Translations for alignment:"] + [f"- {lang}: {source}" for lang, source in sources.items()]
    text += ["", "Paper numbers (Gritta & Iacobacci 2021) are shown only where the dataset, model size and mode match."]
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
    temporary = target.with_suffix(f".tmp-{os.getpid()}")
    temporary.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, target)
    write_markdown(results, output / "results.md")
    if results["runs"]:
        write_chart(results, output / "results.png")
