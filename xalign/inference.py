"""Prediction and evaluation of an assembly on labelled or unlabelled examples."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import attrs
import torch

from xalign.assembly import Assembly
from xalign.data.collate import Collator
from xalign.data.examples import ClassificationExample, SlotFillingExample
from xalign.data.labels import word_predictions
from xalign.heads import LabelSpace
from xalign import metrics


@attrs.frozen
class Prediction:
    """What the model says about one example."""

    label: str | None = None  # intent or class
    slot_tags: tuple[str, ...] | None = None  # one BIO tag per word


def collator_for(assembly: Assembly) -> Collator:
    model = assembly.config.model
    return Collator(
        assembly.tokenizer,
        LabelSpace(model.intent_labels, model.slot_labels),
        text_prefix=assembly.text_prefix,
        max_length=model.max_length,
        overlong=model.overlong,
        slot_subwords=model.slot_subwords,
    )


# Task logits for one collated batch already on the device: how the assembly is called.
Forward = Callable[[Assembly, Mapping[str, torch.Tensor]], Mapping[str, torch.Tensor]]


def standard_forward(assembly: Assembly, inputs: Mapping[str, torch.Tensor]) -> Mapping[str, torch.Tensor]:
    """Dynamic padding with an attention mask: the model as trained by ``xalign.train``."""
    return assembly(**inputs)


@torch.no_grad()
def predict(
    assembly: Assembly, inputs: Sequence, batch_size: int = 64, autocast_dtype: torch.dtype | None = None, forward: Forward = standard_forward,
) -> list[Prediction]:
    """Predict labels for examples or raw strings (strings are split on whitespace into words).

    ``forward`` replaces the model call, for a model trained another way (the benchmarks'
    re-implementation of the reference recipe reads fixed-length rows without a mask).
    """
    examples = [
        SlotFillingExample(id=str(index), words=tuple(item.split())) if isinstance(item, str) else item
        for index, item in enumerate(inputs)
    ]
    model_config = assembly.config.model
    if any(isinstance(e, SlotFillingExample) for e in examples) and not model_config.slot_labels:
        examples = [ClassificationExample(id=e.id, text=e.text, language=e.language) if isinstance(e, SlotFillingExample) else e for e in examples]
    collator = collator_for(assembly)
    was_training = assembly.training
    assembly.eval()
    device = assembly.device
    predictions: list[Prediction] = []
    try:
        for start in range(0, len(examples), batch_size):
            chunk = examples[start : start + batch_size]
            batch = collator.collate_examples(chunk, with_labels=False)
            inputs_on_device = {key: batch[key].to(device) for key in ("input_ids", "attention_mask", "token_type_ids") if key in batch}
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                logits = forward(assembly, inputs_on_device)
            intent_ids = logits["intent"].argmax(-1).tolist() if "intent" in logits else None
            slot_ids = logits["slots"].argmax(-1).tolist() if "slots" in logits else None
            for row, example in enumerate(chunk):
                label = model_config.intent_labels[intent_ids[row]] if intent_ids is not None else None
                tags = None
                if slot_ids is not None and isinstance(example, SlotFillingExample):
                    tags = tuple(word_predictions(batch["word_index"][row].tolist(), slot_ids[row], len(example.words), model_config.slot_labels))
                predictions.append(Prediction(label, tags))
    finally:
        assembly.train(was_training)
    return predictions


def evaluate(
    assembly: Assembly, examples: Sequence, batch_size: int = 64, autocast_dtype: torch.dtype | None = None, forward: Forward = standard_forward,
) -> dict[str, float]:
    """Scores on labelled examples.

    Joint intent+slot examples: ``intent_acc``, ``slot_f1``, ``joint_acc``; sentence and pair
    classification: ``accuracy``. Gold labels the model has never seen count as errors.
    """
    predictions = predict(assembly, examples, batch_size, autocast_dtype, forward)
    has_slots = bool(assembly.config.model.slot_labels) and all(isinstance(e, SlotFillingExample) and e.slot_tags is not None for e in examples)
    has_intents = bool(assembly.config.model.intent_labels)
    gold_labels = [e.label for e in examples]
    predicted_labels = [p.label for p in predictions]
    if has_slots:
        gold_tags = [e.slot_tags for e in examples]
        predicted_tags = [p.slot_tags for p in predictions]
        scores = {"slot_f1": metrics.slot_f1(gold_tags, predicted_tags)}
        if has_intents:
            scores = {
                "intent_acc": metrics.accuracy(gold_labels, predicted_labels),
                **scores,
                "joint_acc": metrics.joint_accuracy(gold_labels, predicted_labels, gold_tags, predicted_tags),
            }
        return scores
    return {"accuracy": metrics.accuracy(gold_labels, predicted_labels)}
