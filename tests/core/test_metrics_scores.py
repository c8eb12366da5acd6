"""Scores on hand-made examples whose values are worked out by hand."""

from __future__ import annotations

import math

import pytest

from xalign import metrics


def test_accuracy_is_the_fraction_of_matching_labels():
    assert metrics.accuracy(["a", "b", "c", "a"], ["a", "b", "a", "b"]) == 0.5
    assert metrics.accuracy(["x"], ["x"]) == 1.0
    assert math.isnan(metrics.accuracy([], []))
    with pytest.raises(ValueError, match="3 gold labels but 2 predictions"):
        metrics.accuracy(["a", "b", "c"], ["a", "b"])


def test_slot_f1_scores_bio_spans():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-TIME", "I-TIME"]]
    predicted = [["B-PER", "I-PER", "O", "O"], ["O", "B-TIME", "O"]]
    # Gold spans: PER, LOC, TIME; predicted: PER (right), TIME over one word (wrong boundary).
    # Precision 1/2, recall 1/3, F1 = 2 * (1/2 * 1/3) / (1/2 + 1/3) = 0.4.
    assert metrics.slot_f1(gold, predicted) == pytest.approx(0.4)
    assert metrics.slot_f1(gold, gold) == pytest.approx(1.0)
    assert metrics.slot_f1([["B-PER", "O"]], [["O", "O"]]) == 0.0


def test_slot_f1_keeps_adjacent_slots_of_one_type_apart():
    # Two one-word TIME slots are not the same as one two-word TIME slot.
    assert metrics.slot_f1([["B-TIME", "B-TIME"]], [["B-TIME", "I-TIME"]]) == 0.0
    # A wrong type on the continuation breaks the span (PER over one word, then a stray I-LOC).
    assert metrics.slot_f1([["B-PER", "I-PER", "O"]], [["B-PER", "I-LOC", "O"]]) == 0.0


def test_joint_accuracy_needs_the_intent_and_every_slot_right():
    gold_intents = ["alarm", "music", "weather", "alarm"]
    predicted_intents = ["alarm", "music", "alarm", "alarm"]
    gold_slots = [["O", "B-TIME"], ["B-GENRE"], ["B-CITY"], ["O"]]
    predicted_slots = [["O", "B-TIME"], ["O"], ["B-CITY"], ["O"]]
    # 1: all right; 2: a slot wrong; 3: the intent wrong; 4: all right.
    assert metrics.joint_accuracy(gold_intents, predicted_intents, gold_slots, predicted_slots) == 0.5
    assert math.isnan(metrics.joint_accuracy([], [], [], []))


def test_joint_accuracy_refuses_inputs_of_different_lengths():
    with pytest.raises(ValueError, match="lengths"):
        metrics.joint_accuracy(["a", "b"], ["a"], [["O"], ["O"]], [["O"], ["O"]])
