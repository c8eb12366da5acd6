"""Prediction, evaluation and sentence embeddings of an assembly.

:func:`predict` takes raw strings, pre-split words (a list of strings per input) or example
records. Raw strings are tokenized as they are, with the tokenizer's character offsets: no
whitespace is assumed, and slots come back as character spans of the input (how subword
predictions become spans is documented in :mod:`xalign.spans`). Everything runs in
batches on the assembly's device.
"""

from __future__ import annotations

from typing import Callable, Literal, Mapping, Sequence

import attrs
import torch

from xalign import metrics
from xalign.assembly import Assembly
from xalign.data.collate import Collator
from xalign.data.examples import ClassificationExample, PairExample, SlotFillingExample
from xalign.data.labels import word_predictions
from xalign.encoders import encoder_position_limit
from xalign.heads import LabelSpace
from xalign.spans import SlotSpan, continue_touching, gold_spans, join_words, span_f1, spans_from_units, text_units

MaxLength = int | Literal["full"] | None


@attrs.frozen
class Prediction:
    """What the model says about one input.

    ``label``/``label_score``: the intent (or class) and its probability. ``slots``: the slot
    spans, in character offsets of ``text`` (the input string; for pre-split words, the words
    joined as :func:`xalign.spans.join_words` writes them). ``slot_tags``: one BIO tag per
    word, for inputs given as words.
    """

    label: str | None = None
    slot_tags: tuple[str, ...] | None = None
    label_score: float | None = None
    slots: tuple[SlotSpan, ...] | None = None
    text: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready: ``{"text", "label", "score", "slots": [{type, start, end, text, score}]}``."""
        record: dict = {"text": self.text, "label": self.label, "score": self.label_score}
        if self.slots is not None:
            record["slots"] = [span.to_dict() for span in self.slots]
        if self.slot_tags is not None:
            record["slot_tags"] = list(self.slot_tags)
        return record


UNLIMITED_FULL_LENGTH = 512
"""``max_length="full"`` for an encoder whose positions set no limit (relative positions only,
as DeBERTa-v3's): the usual pretraining length, since attention memory grows with its square."""


def position_limit(assembly: Assembly) -> int:
    """The longest row ``max_length="full"`` reads: the encoder's position limit, the one
    :func:`~xalign.encoders.encoder_position_limit` that training's ``max_length`` is checked against."""
    limit = encoder_position_limit(assembly.encoder)
    return limit if limit is not None else UNLIMITED_FULL_LENGTH


def resolve_max_length(assembly: Assembly, max_length: MaxLength = None) -> int:
    """``None``: the length the model was trained with; ``"full"``: the encoder's position limit."""
    if max_length is None:
        return assembly.config.model.max_length
    if max_length == "full":
        return position_limit(assembly)
    return int(max_length)


def collator_for(assembly: Assembly, max_length: MaxLength = None) -> Collator:
    model = assembly.config.model
    return Collator(
        assembly.tokenizer,
        LabelSpace(model.intent_labels, model.slot_labels),
        text_prefix=assembly.text_prefix,
        max_length=resolve_max_length(assembly, max_length),
        overlong=model.overlong,
        slot_subwords=model.slot_subwords,
    )


def count_long_rows(assembly: Assembly, examples: Sequence) -> int:
    """How many examples are longer (in subwords, specials included) than the training ``max_length``."""
    collator = collator_for(assembly, "full")
    limit = assembly.config.model.max_length
    return sum(len(row["input_ids"]) > limit for start in range(0, len(examples), 256) for row in collator.encode_examples(list(examples[start : start + 256])))


# Task logits for one collated batch already on the device: how the assembly is called.
Forward = Callable[[Assembly, Mapping[str, torch.Tensor]], Mapping[str, torch.Tensor]]


def standard_forward(assembly: Assembly, inputs: Mapping[str, torch.Tensor]) -> Mapping[str, torch.Tensor]:
    """Dynamic padding with an attention mask: the model as trained by ``xalign.train``."""
    return assembly(**inputs)


def _as_example(index: int, item):
    if isinstance(item, (list, tuple)) and all(isinstance(word, str) for word in item):
        return SlotFillingExample(id=str(index), words=tuple(item))
    if isinstance(item, (SlotFillingExample, ClassificationExample, PairExample)):
        return item
    raise TypeError(f"input {index}: expected a string, a list of words or an example record, got {type(item).__name__}")


class _Runner:
    """Runs the model on batches and turns logits into label names and probabilities."""

    def __init__(self, assembly: Assembly, autocast_dtype: torch.dtype | None, forward: Forward):
        self.assembly, self.autocast_dtype, self.forward = assembly, autocast_dtype, forward
        self.device = assembly.device
        self.model = assembly.config.model

    def __call__(self, batch: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        inputs = {key: batch[key].to(self.device) for key in ("input_ids", "attention_mask", "token_type_ids") if key in batch}
        with torch.autocast(self.device.type, dtype=self.autocast_dtype, enabled=self.autocast_dtype is not None):
            logits = self.forward(self.assembly, inputs)
        # Probabilities in float32 on the CPU: one transfer per batch, then plain Python.
        return {name: torch.softmax(value.float(), dim=-1).cpu() for name, value in logits.items()}

    def label(self, probabilities: dict[str, torch.Tensor], row: int) -> tuple[str | None, float | None]:
        if "intent" not in probabilities or not self.model.intent_labels:
            return None, None
        score, index = probabilities["intent"][row].max(dim=-1)
        return self.model.intent_labels[int(index)], float(score)


def _predict_texts(runner: _Runner, texts: Sequence[str], batch_size: int, max_length: int) -> list[Prediction]:
    """Raw strings: tokenized with character offsets; slots as spans of each string."""
    assembly = runner.assembly
    prefix = assembly.text_prefix
    slot_labels = runner.model.slot_labels
    predictions = []
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        encoded = assembly.tokenizer(
            [prefix + text for text in chunk], padding=True, truncation=True, max_length=max_length,
            return_offsets_mapping=True, return_special_tokens_mask=True, return_tensors="pt",
        )
        probabilities = runner(encoded)
        for row, text in enumerate(chunk):
            label, label_score = runner.label(probabilities, row)
            slots = None
            if "slots" in probabilities and slot_labels:
                units = text_units(
                    text, encoded["offset_mapping"][row].tolist(), encoded["special_tokens_mask"][row].tolist(), len(prefix), encoded.tokens(row),
                )
                best, index = probabilities["slots"][row].max(dim=-1)
                tags = continue_touching(units, [slot_labels[int(index[unit.position])] for unit in units])
                scores = [float(best[unit.position]) for unit in units]
                slots = tuple(spans_from_units(text, units, tags, scores))
            predictions.append(Prediction(label, None, label_score, slots, text))
    return predictions


def _predict_examples(runner: _Runner, examples: Sequence, batch_size: int, max_length: MaxLength) -> list[Prediction]:
    """Example records (words with the slot head; texts or pairs for classification)."""
    collator = collator_for(runner.assembly, max_length)
    slot_labels = runner.model.slot_labels
    predictions = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        batch = collator.collate_examples(chunk, with_labels=False)
        probabilities = runner(batch)
        for row, example in enumerate(chunk):
            label, label_score = runner.label(probabilities, row)
            tags = slots = text = None
            if isinstance(example, SlotFillingExample):
                text, units = join_words(example.words)
                if "slots" in probabilities and slot_labels:
                    best, index = probabilities["slots"][row].max(dim=-1)
                    word_index = batch["word_index"][row].tolist()
                    tags = tuple(word_predictions(word_index, index.tolist(), len(example.words), slot_labels))
                    scores = [0.0] * len(example.words)  # a word with no subword left (truncated) is "O"
                    for position, word in enumerate(word_index):
                        if word >= 0:
                            scores[word] = float(best[position])
                    slots = tuple(spans_from_units(text, units, tags, scores))
            else:
                text = example.text
            predictions.append(Prediction(label, tags, label_score, slots, text))
    return predictions


@torch.no_grad()
def predict(
    assembly: Assembly, inputs: Sequence, batch_size: int = 64, autocast_dtype: torch.dtype | None = None, forward: Forward = standard_forward,
    max_length: MaxLength = None,
) -> list[Prediction]:
    """Predict each input's label (with its probability) and slots (character spans with scores).

    ``inputs``: raw strings, lists of words, or example records, in any mix; one
    :class:`Prediction` per input, in order. Where a string and its words agree (text with
    spaces between its words), both give the same label, tags and spans. ``max_length``:
    ``None`` cuts rows at the length the model was trained with, ``"full"`` at the encoder's
    position limit. ``forward`` replaces the model call, for a model trained another way (the
    benchmarks' re-implementation of the reference recipe reads rows without a mask).
    """
    if isinstance(inputs, str):
        raise TypeError("predict takes a list of inputs; wrap a single string in a list")
    items = list(inputs)
    texts = {index: item for index, item in enumerate(items) if isinstance(item, str)}
    examples = {index: _as_example(index, item) for index, item in enumerate(items) if not isinstance(item, str)}
    if not assembly.config.model.slot_labels:
        # A model without a slot head classifies the text of word inputs.
        examples = {index: ClassificationExample(id=e.id, text=e.text, language=e.language) if isinstance(e, SlotFillingExample) else e for index, e in examples.items()}
    runner = _Runner(assembly, autocast_dtype, forward)
    was_training = assembly.training
    assembly.eval()
    results: dict[int, Prediction] = {}
    try:
        if texts:
            results.update(zip(texts, _predict_texts(runner, list(texts.values()), batch_size, resolve_max_length(assembly, max_length))))
        for kind in (SlotFillingExample, ClassificationExample, PairExample):  # the collator batches one kind at a time
            group = {index: example for index, example in examples.items() if isinstance(example, kind)}
            if group:
                results.update(zip(group, _predict_examples(runner, list(group.values()), batch_size, max_length)))
    finally:
        assembly.train(was_training)
    return [results[index] for index in range(len(items))]


def evaluate(
    assembly: Assembly, examples: Sequence, batch_size: int = 64, autocast_dtype: torch.dtype | None = None, forward: Forward = standard_forward,
    max_length: MaxLength = None,
) -> dict[str, float]:
    """Scores on labelled examples.

    Joint intent+slot examples: ``intent_acc``, ``slot_f1``, ``joint_acc``; sentence and pair
    classification: ``accuracy``. Gold labels the model has never seen count as errors.
    """
    predictions = predict(assembly, examples, batch_size, autocast_dtype, forward, max_length)
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


def evaluate_raw_text(assembly: Assembly, examples: Sequence[SlotFillingExample], batch_size: int = 64, max_length: MaxLength = None) -> dict[str, float]:
    """Scores when labelled word examples are given as raw text instead of words.

    Each example's words are joined as text is written (:func:`xalign.spans.join_words`:
    Thai, Chinese and Japanese words without spaces), predicted from that string alone,
    and its slots scored as exact character spans against the gold spans of the words:
    ``span_f1`` (with ``span_precision``, ``span_recall``) and, with an intent head,
    ``intent_acc``.
    """
    texts, gold = zip(*(gold_spans(example.words, example.slot_tags) for example in examples)) if examples else ((), ())
    predictions = predict(assembly, list(texts), batch_size, max_length=max_length)
    scores = span_f1([p.slots or () for p in predictions], gold)
    result = {"span_f1": scores["f1"], "span_precision": scores["precision"], "span_recall": scores["recall"]}
    if assembly.config.model.intent_labels:
        result["intent_acc"] = metrics.accuracy([e.label for e in examples], [p.label for p in predictions])
    return result


@torch.no_grad()
def embed(assembly: Assembly, texts: Sequence[str], batch_size: int = 64, max_length: MaxLength = None, autocast_dtype: torch.dtype | None = None) -> torch.Tensor:
    """Pooled sentence embeddings ``[texts, hidden]`` (float32, on the assembly's device).

    The vectors the aligner aligned and the task head reads: the encoder's text prefix is
    prepended, rows are cut at ``max_length`` (default: the training length), and the
    assembly's pooler is applied. Not normalised.
    """
    if isinstance(texts, str):
        raise TypeError("embed takes a list of texts; wrap a single string in a list")
    device = assembly.device
    length = resolve_max_length(assembly, max_length)
    was_training = assembly.training
    assembly.eval()
    rows = []
    try:
        for start in range(0, len(texts), batch_size):
            chunk = [assembly.text_prefix + text for text in texts[start : start + batch_size]]
            batch = assembly.tokenizer(chunk, padding=True, truncation=True, max_length=length, return_tensors="pt").to(device)
            with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
                encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
            rows.append(encoded.sentence_embedding.float())
    finally:
        assembly.train(was_training)
    if not rows:
        return torch.zeros(0, getattr(assembly.encoder.config, "hidden_size", 0), device=device)
    return torch.cat(rows)
