"""The numbers reported by Gritta & Iacobacci (Findings of ACL 2021), to print beside ours.

Averages over the target languages; intent accuracy / slot F1 in percent (PAWS-X:
accuracy). ``large`` is XLM-R large, ``base`` XLM-R base. Modes use the runner's names.
"""

from __future__ import annotations

# {dataset: {model size: {mode: {"intent_acc"|"slot_f1"|"accuracy": percent}}}}
PAPER_AVERAGES: dict[str, dict[str, dict[str, dict[str, float]]]] = {
    "paws-x": {
        "large": {"target": {"accuracy": 90.0}, "translate-train": {"accuracy": 90.1}, "zero-shot": {"accuracy": 88.3}, "xeroalign": {"accuracy": 91.2}},
        "base": {"zero-shot": {"accuracy": 81.7}, "xeroalign": {"accuracy": 87.0}},
    },
    "mtop": {
        "large": {"target": {"intent_acc": 95.6, "slot_f1": 89.2}},
        "base": {"zero-shot": {"intent_acc": 80.8, "slot_f1": 68.9}, "xeroalign": {"intent_acc": 93.3, "slot_f1": 78.9}},
    },
    "multiatis": {
        "large": {"target": {"intent_acc": 93.8, "slot_f1": 89.7}, "xeroalign": {"intent_acc": 96.0, "slot_f1": 81.2}},
    },
    "mtod": {
        "large": {"target": {"intent_acc": 98.3, "slot_f1": 92.1}, "zero-shot": {"intent_acc": 90.0, "slot_f1": 66.7}, "xeroalign": {"intent_acc": 98.8, "slot_f1": 72.9}},
        "base": {"zero-shot": {"intent_acc": 80.1, "slot_f1": 64.8}, "xeroalign": {"intent_acc": 98.5, "slot_f1": 74.7}},
    },
}

# Per-language figures the paper gives (large model).
PAPER_PER_LANGUAGE: dict[str, dict[str, dict[str, dict[str, float]]]] = {
    "paws-x": {
        "xeroalign": {lang: {"accuracy": value} for lang, value in {"en": 95.8, "de": 92.9, "es": 93.0, "fr": 93.9, "ja": 87.1, "ko": 87.1, "zh": 88.9}.items()},
    },
    "mtop": {
        "target": {
            "es": {"intent_acc": 95.9, "slot_f1": 91.2}, "fr": {"intent_acc": 95.5, "slot_f1": 89.6}, "de": {"intent_acc": 96.6, "slot_f1": 88.3},
            "hi": {"intent_acc": 95.1, "slot_f1": 89.1}, "th": {"intent_acc": 94.8, "slot_f1": 87.7}, "en": {"intent_acc": 97.3, "slot_f1": 93.9},
        },
    },
}

ENCODER_SIZES = {"xlmr-large": "large", "xlm-roberta-large": "large", "xlmr-base": "base", "xlm-roberta-base": "base"}


def paper_average(dataset: str, encoder: str, mode: str) -> dict[str, float] | None:
    """The paper's average for this setting, or ``None`` when the paper has no such number."""
    size = ENCODER_SIZES.get(encoder)
    if size is None:
        return None
    return PAPER_AVERAGES.get(dataset, {}).get(size, {}).get(mode)


def paper_language(dataset: str, encoder: str, mode: str, language: str) -> dict[str, float] | None:
    if ENCODER_SIZES.get(encoder) != "large":
        return None
    return PAPER_PER_LANGUAGE.get(dataset, {}).get(mode, {}).get(language)
