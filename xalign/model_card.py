"""The model card: ``README.md`` in a saved model directory, in the Hugging Face format.

YAML front matter (languages, library, tags, base model, pipeline tag and, with results,
a ``model-index``), then what the model is: the base encoder, pooler, aligner and its
weight, the task and its labels, the training data and languages with the source of the
translations, the preset and every hyperparameter, the per-language results of the run
that produced it, and the paper to cite.

Everything comes from the saved ``xalign_config.json`` and the ``xalign`` block of
``encoder/config.json`` (where :func:`xalign.save_pretrained` records a
:class:`TrainingSummary`); ``results`` come from whoever evaluated the model. This module
knows nothing of datasets, runners or training loops.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Sequence

import attrs

from xalign.config import XalignConfig, to_dict

CARD_FILE = "README.md"

CITATION = """@inproceedings{gritta-iacobacci-2021-xeroalign,
    title = "{X}ero{A}lign: Zero-shot cross-lingual transformer alignment",
    author = "Gritta, Milan and Iacobacci, Ignacio",
    booktitle = "Findings of the Association for Computational Linguistics: ACL-IJCNLP 2021",
    year = "2021",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.findings-acl.32",
    doi = "10.18653/v1/2021.findings-acl.32",
    pages = "371--381",
}"""

METRIC_NAMES = {
    "intent_acc": "intent accuracy",
    "slot_f1": "slot F1",
    "joint_acc": "joint accuracy",
    "accuracy": "accuracy",
    "span_f1": "slot span F1 (raw text)",
}

_HF_TASKS = {"intent_acc": "text-classification", "accuracy": "text-classification", "joint_acc": "text-classification",
             "slot_f1": "token-classification", "span_f1": "token-classification"}


@attrs.frozen(kw_only=True)
class TrainingSummary:
    """What a model was trained on, for its card (the config holds how it was trained)."""

    dataset: str | None = None  # a name ("mtop", "demo") or a description
    languages: tuple[str, ...] = attrs.field(default=("en",), converter=tuple)  # languages of the labelled examples
    aligned_languages: tuple[str, ...] = attrs.field(default=(), converter=tuple)  # languages of the translations aligned to
    translation_source: str | None = None  # where the translations came from
    examples: int | None = None  # labelled training examples
    preset: str | None = None  # the named preset the hyperparameters started from

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingSummary:
        known = {field.name for field in attrs.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


def _saved_summary(model_dir: Path) -> TrainingSummary | None:
    path = model_dir / "encoder" / "config.json"
    try:
        block = json.loads(path.read_text(encoding="utf-8")).get("xalign") or {}
    except (OSError, ValueError, AttributeError):
        return None
    data = block.get("training_data") if isinstance(block, dict) else None
    return TrainingSummary.from_dict(data) if isinstance(data, dict) else None


def _base_model(encoder: str) -> str | None:
    """The hub id of the base encoder, when one is known (for the ``base_model`` field)."""
    from xalign.registry import get_registry

    try:
        component = get_registry().components()["encoders"].get(encoder)
    except Exception:  # a broken plugin must not stop a card from being written
        component = None
    if component is not None:
        return getattr(component.factory, "hub_id", None)
    if "/" in encoder and not encoder.startswith((".", "/", "~")) and not Path(encoder).expanduser().exists():
        return encoder  # a hub id given in place of a name
    return None


def _percent(value: float) -> str:
    return f"{100 * value:.1f}" if 0 <= value <= 1 else f"{value:.4g}"


def _front_matter(config: XalignConfig, summary: TrainingSummary | None, results: Mapping[str, Mapping[str, float]] | None,
                  base_model: str | None, library_name: str, title: str) -> str:
    import yaml

    model = config.model
    trained_on = [*summary.languages, *summary.aligned_languages] if summary is not None else []
    languages = list(dict.fromkeys([*trained_on, *(results or {})]))
    summary = summary or TrainingSummary(languages=())
    pipeline_tag = "sentence-similarity" if library_name == "sentence-transformers" else (
        "text-classification" if model.intent_labels else "token-classification")
    tags = ["xalign", "xeroalign", "cross-lingual", "zero-shot-cross-lingual-transfer", "multilingual"]
    if model.intent_labels:
        tags.append("intent-classification" if model.slot_labels else "text-classification")
    if model.slot_labels:
        tags.append("slot-filling")
    if library_name == "sentence-transformers":
        tags += ["sentence-transformers", "feature-extraction"]
    front: dict[str, Any] = {"language": languages} if languages else {}
    front.update(library_name=library_name, pipeline_tag=pipeline_tag, tags=tags)
    if base_model:
        front["base_model"] = base_model
    if summary.dataset:
        front["datasets"] = [summary.dataset]
    if results:
        entries = []
        for language, scores in results.items():
            for metric, value in scores.items():
                entries.append({
                    "task": {"type": _HF_TASKS.get(metric, pipeline_tag)},
                    "dataset": {"name": f"{summary.dataset or 'evaluation'} ({language})", "type": summary.dataset or "custom", "config": language, "split": "test"},
                    "metrics": [{"type": metric, "value": round(float(value), 6), "name": f"{METRIC_NAMES.get(metric, metric)} ({language})"}],
                })
        front["model-index"] = [{"name": title, "results": entries}]
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"


def _table(rows: Sequence[tuple[str, Any]]) -> list[str]:
    lines = ["| setting | value |", "|---|---|"]
    lines += [f"| `{name}` | `{json.dumps(value, ensure_ascii=False)}` |" for name, value in rows]
    return lines


def _labels(name: str, labels: Sequence[str]) -> str:
    return f"{len(labels)} {name}: " + ", ".join(f"`{label}`" for label in labels)


def render_model_card(
    config: XalignConfig, summary: TrainingSummary | None = None, results: Mapping[str, Mapping[str, float]] | None = None,
    base_model: str | None = None, library_name: str = "xalign", title: str | None = None, text_prefix: str | None = None,
) -> str:
    """The card's text (see :func:`write_model_card`)."""
    model, training = config.model, config.training
    recorded = summary is not None
    summary = summary or TrainingSummary()
    unaligned = recorded and not summary.aligned_languages
    base_model = base_model if base_model is not None else _base_model(model.encoder)
    title = title or f"XeroAlign {model.head} on {model.encoder}"
    prefix = model.text_prefix if text_prefix is None else text_prefix
    lines = [_front_matter(config, summary if recorded else None, results, base_model, library_name, title), f"# {title}", ""]
    lines += [
        "A multilingual encoder aligned across languages with XeroAlign (Gritta & Iacobacci, 2021) and "
        "trained jointly on the task below with xalign: a task loss on the labelled examples plus a loss "
        "that pulls the sentence embedding of each translation towards that of its source sentence. "
        "Labels come only from the labelled languages listed below; in every other language the model "
        "is zero-shot.", "",
        "## Model", "",
        f"- **Base encoder:** `{model.encoder}`" + (f" ([{base_model}](https://huggingface.co/{base_model}))" if base_model else ""),
        f"- **Pooler:** `{model.pooler}`" + (f"; every input is prefixed with `{prefix!r}`" if prefix else ""),
        f"- **Aligner:** `{model.aligner}`, alignment weight {training.alignment_weight}, loss weighting `{training.weighting}`"
        + (" (unused: trained without translations)" if unaligned else ""),
        f"- **Task head:** `{model.head}`",
    ]
    if model.intent_labels:
        lines.append(f"- **Labels:** {_labels('classes', model.intent_labels)}")
    if model.slot_labels:
        types = sorted({tag[2:] for tag in model.slot_labels if tag[:2] in ("B-", "I-")})
        lines.append(f"- **Slots:** {_labels('slot types (BIO tags)', types)}")
    lines += ["", "## Training data", ""]
    if not recorded:
        lines.append("What the model was trained on was not recorded with it.")
    else:
        lines.append(f"- **Dataset:** {summary.dataset or 'not recorded'}")
        lines.append(f"- **Labelled languages:** {', '.join(summary.languages) or 'not recorded'}" + (f" ({summary.examples} examples)" if summary.examples else ""))
        lines.append(f"- **Aligned to (translations):** {', '.join(summary.aligned_languages) or 'none (no alignment: a zero-shot baseline)'}")
        lines.append(f"- **Translation source:** {summary.translation_source or ('not recorded' if summary.aligned_languages else 'not applicable')}")
    lines += ["", "## Training procedure", "", f"Preset: `{summary.preset}`." if summary.preset else "No named preset.", ""]
    model_rows = [(f"model.{key}", value) for key, value in to_dict(model).items() if key not in ("intent_labels", "slot_labels")]
    lines += _table(model_rows + [(f"training.{key}", value) for key, value in to_dict(training).items()])
    lines += ["", "## Results", ""]
    if results:
        metrics = list(dict.fromkeys(metric for scores in results.values() for metric in scores))
        lines.append("Scores in percent on each language's test set, from the run that produced this model.")
        lines.append("")
        lines.append("| language | " + " | ".join(METRIC_NAMES.get(metric, metric) for metric in metrics) + " |")
        lines.append("|---|" + "---|" * len(metrics))
        for language, scores in results.items():
            lines.append(f"| {language} | " + " | ".join(_percent(scores[m]) if m in scores else "" for m in metrics) + " |")
    else:
        lines.append("No evaluation results were recorded with this model.")
    lines += ["", "## Usage", ""]
    if library_name == "sentence-transformers":
        lines += ["```python", "from sentence_transformers import SentenceTransformer", "", 'model = SentenceTransformer("path/to/this/model")',
                  "embeddings = model.encode([\"wake me up at seven\", \"réveille-moi à sept heures\"])" + ("  # the prompt is applied by default" if prefix else ""), "```"]
    else:
        lines += ["```python", "import xalign", "", 'model = xalign.load_pretrained("path/to/this/model", device="auto")',
                  'print(xalign.predict(model, ["wake me up at seven tomorrow"]))  # label, probability, slot spans', "",
                  "# The aligned encoder alone, with plain transformers:", "from transformers import AutoModel, AutoTokenizer", "",
                  'encoder = AutoModel.from_pretrained("path/to/this/model/encoder")',
                  'tokenizer = AutoTokenizer.from_pretrained("path/to/this/model/encoder")', "```", "",
                  "Or from the command line: `python -m xalign predict path/to/this/model utterances.txt --json`."]
    lines += ["", "## Citation", "", "```bibtex", CITATION, "```", ""]
    return "\n".join(lines)


def write_model_card(
    model_dir: str | Path,
    *,
    results: Mapping[str, Mapping[str, float]] | None = None,
    training: TrainingSummary | None = None,
    base_model: str | None = None,
    title: str | None = None,
    output: str | Path | None = None,
    library_name: str = "xalign",
) -> Path:
    """Write ``README.md`` for the model saved in ``model_dir``; returns its path.

    ``results``: ``{language: {metric: value}}`` with the metric names of
    :func:`xalign.evaluate` (``intent_acc``, ``slot_f1``, ``joint_acc``, ``accuracy``) and
    values in [0, 1], shown as percentages; None writes a card without results.
    ``training`` defaults to the summary saved with the model. ``output`` writes the card
    elsewhere (an export); ``library_name`` is the library that loads what is there.
    """
    model_dir = Path(model_dir)
    from xalign.persistence import CONFIG_FILE

    config = XalignConfig.load(model_dir / CONFIG_FILE)
    text_prefix = None
    try:
        block = json.loads((model_dir / "encoder" / "config.json").read_text(encoding="utf-8")).get("xalign") or {}
        text_prefix = block.get("text_prefix") if isinstance(block, dict) else None
    except (OSError, ValueError, AttributeError):
        pass
    summary = training or _saved_summary(model_dir)
    path = Path(output) if output is not None else model_dir / CARD_FILE
    text = render_model_card(config, summary, results, base_model, library_name, title, text_prefix)
    # Named as a run directory's other temporary files, so that one a killed process leaves
    # in a run's model/ is removed when the run is next opened.
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path
