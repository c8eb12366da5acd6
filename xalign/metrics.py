"""Scores: accuracy, slot F1 (seqeval, word-level BIO spans) and joint accuracy.

Slot F1 is seqeval's default (CoNLL) mode, micro-averaged, on word-level BIO tags with
predictions read from each word's first subword. The paper's reference code instead
strips B-/I- prefixes and rebuilds BIO from runs of equal types before seqeval, which
merges two adjacent slots of the same type into one; we score the proper spans.
"""

from __future__ import annotations

from typing import Sequence


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    if not gold:
        return float("nan")
    return sum(g == p for g, p in zip(gold, predicted)) / len(gold)


def slot_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Micro F1 over BIO spans (seqeval, default mode)."""
    from seqeval.metrics import f1_score

    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold sequences but {len(predicted)} predicted")
    return float(f1_score([list(tags) for tags in gold], [list(tags) for tags in predicted]))


def joint_accuracy(gold_intents: Sequence[str], predicted_intents: Sequence[str], gold_slots: Sequence[Sequence[str]], predicted_slots: Sequence[Sequence[str]]) -> float:
    """Fraction of utterances with the intent and every slot tag right."""
    lengths = {len(gold_intents), len(predicted_intents), len(gold_slots), len(predicted_slots)}
    if len(lengths) != 1:
        raise ValueError(f"joint accuracy needs one entry per utterance in all four inputs, got lengths {sorted(lengths)}")
    if not gold_intents:
        return float("nan")
    right = sum(
        gi == pi and list(gs) == list(ps)
        for gi, pi, gs, ps in zip(gold_intents, predicted_intents, gold_slots, predicted_slots)
    )
    return right / len(gold_intents)
