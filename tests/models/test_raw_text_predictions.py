"""Raw text in, character spans out: no whitespace assumption, offsets into the input, batched."""

from __future__ import annotations

import json

import pytest
import torch

import xalign
from xalign.inference import evaluate_raw_text
from xalign.spans import SlotSpan, gold_spans, join_words, span_f1, text_units

from .conftest import EXAMPLES, SLOT_LABELS, model_config


def sentencepiece_tokenizer():
    """A tiny unigram tokenizer that writes word starts as XLM-R and e5 do (``▁``, alone before Thai)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁wake", "▁me", "▁at", "▁7", "am", ",", "▁que", "ry", ":", "ปลุก", "ฉัน", "ตอน", "เจ็ด", "โมง", "▁jazz"]
    backend = Tokenizer(models.Unigram([(piece, -1.0 if len(piece) > 1 else -5.0) for piece in pieces], unk_id=3, byte_fallback=False))
    backend.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    backend.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>")


def units_of(tokenizer, text: str, prefix: str = ""):
    encoded = tokenizer(prefix + text, return_offsets_mapping=True, return_special_tokens_mask=True)
    units = text_units(text, encoded["offset_mapping"], encoded["special_tokens_mask"], len(prefix), encoded.tokens())
    return [(encoded.tokens()[unit.position], text[unit.start : unit.end]) for unit in units]


def test_units_are_words_where_text_has_spaces_and_pieces_where_it_has_none():
    tokenizer = sentencepiece_tokenizer()
    assert units_of(tokenizer, "wake me at 7am,", "query: ") == [("▁wake", "wake"), ("▁me", "me"), ("▁at", "at"), ("▁7", "7am,")]
    # Thai: the bare marker before the first piece reads the first unit, as for a pre-split word.
    assert units_of(tokenizer, "ปลุกฉันตอนเจ็ด 7 โมง", "query: ") == [
        ("▁", "ปลุก"), ("ฉัน", "ฉัน"), ("ตอน", "ตอน"), ("เจ็ด", "เจ็ด"), ("▁7", "7"), ("▁", "โมง")]
    # Without a prefix the marker's offsets point at the first character; it still only marks.
    assert units_of(tokenizer, "ปลุกฉัน jazz") == [("▁", "ปลุก"), ("ฉัน", "ฉัน"), ("▁jazz", "jazz")]


def test_words_join_as_text_is_written_and_gold_spans_follow_them():
    text, units = join_words(["ตั้ง", "ปลุก", "7", "โมง", "Blinding", "Lights"])
    assert text == "ตั้งปลุก 7 โมง Blinding Lights"
    assert [text[u.start : u.end] for u in units] == ["ตั้ง", "ปลุก", "7", "โมง", "Blinding", "Lights"]
    text, spans = gold_spans(["play", "blinding", "lights", "now"], ["O", "B-SONG", "I-SONG", "O"])
    assert spans == [SlotSpan("SONG", 5, 20, "blinding lights")]


def test_a_touching_piece_tagged_b_after_its_type_continues_the_slot_and_a_spaced_word_does_not():
    from xalign.spans import Unit, continue_touching, spans_from_units

    pieces = ["ตั้ง", "เพลง", "ฮิต", " ", "jazz", " ", "rock"]  # three touching Thai pieces, then two spaced words
    text = "".join(pieces)
    starts = [sum(len(piece) for piece in pieces[:index]) for index in range(len(pieces))]
    units = [Unit(position, starts[index], starts[index] + len(pieces[index])) for position, index in enumerate((0, 1, 2, 4, 6))]
    tags = continue_touching(units, ["O", "B-SONG", "B-SONG", "B-GENRE", "B-GENRE"])
    assert tags == ["O", "B-SONG", "I-SONG", "B-GENRE", "B-GENRE"]
    assert [span.text for span in spans_from_units(text, units, tags)] == ["เพลงฮิต", "jazz", "rock"]


def test_span_f1_counts_exact_spans_only():
    gold = [[SlotSpan("TIME", 0, 4, "x"), SlotSpan("CITY", 6, 9, "y")]]
    predicted = [[SlotSpan("TIME", 0, 4, "x"), SlotSpan("CITY", 6, 10, "y")]]
    assert span_f1(predicted, gold) == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert span_f1([[]], [[]])["f1"] == 0.0


@pytest.fixture(scope="module")
def slot_happy_model(encoder_dir):
    """A random model whose slot head says B-GENRE everywhere, so every unit of every input is a span."""
    assembly, _ = xalign.build(model_config(encoder_dir))
    with torch.no_grad():
        assembly.head.slots.classifier.bias.copy_(torch.tensor([-5.0, -5.0, -5.0, 5.0]))
    return assembly.eval()


TEXTS = ["wake me at seven am", "play some jazz", "spiel etwas jazz , bitte", "set an alarm for six", "play rock music now"]


def test_raw_text_and_the_same_words_give_the_same_prediction(trained_model_dir):
    assembly = xalign.load_pretrained(trained_model_dir)
    from_text = xalign.predict(assembly, TEXTS)
    from_words = xalign.predict(assembly, [text.split() for text in TEXTS])
    for text, raw, split in zip(TEXTS, from_text, from_words):
        assert raw.text == split.text == text
        assert (raw.label, raw.slots) == (split.label, split.slots)
        assert raw.label_score == pytest.approx(split.label_score, abs=1e-6)
        assert 0.0 < raw.label_score <= 1.0


def test_spans_are_the_characters_of_the_input_at_their_offsets(slot_happy_model):
    texts = ["  play   some\tjazz  ", "ปลุกฉันตอนเจ็ดโมง", "wake me at 7am, please!", "jazz"]
    predictions = xalign.predict(slot_happy_model, texts)
    assert all(prediction.slots for prediction in predictions)
    for text, prediction in zip(texts, predictions):
        for span in prediction.slots:
            assert span.text == text[span.start : span.end] and span.text == span.text.strip() and span.text
            assert span.type == "GENRE" and 0.0 < span.score <= 1.0


def test_predictions_do_not_depend_on_the_batch_size(slot_happy_model):
    inputs = TEXTS + [example for example in EXAMPLES] + [["play", "jazz"]]
    assert xalign.predict(slot_happy_model, inputs, batch_size=2) == xalign.predict(slot_happy_model, inputs, batch_size=64)


def test_raw_text_span_f1_equals_slot_f1_where_text_and_words_agree(trained_model_dir):
    assembly = xalign.load_pretrained(trained_model_dir)
    raw = evaluate_raw_text(assembly, EXAMPLES)
    split = xalign.evaluate(assembly, EXAMPLES)
    assert raw["span_f1"] == pytest.approx(split["slot_f1"]) and raw["intent_acc"] == split["intent_acc"]


def test_the_predict_command_writes_one_json_object_per_line(trained_model_dir, tmp_path, capsys):
    from xalign.__main__ import main

    (tmp_path / "utterances.txt").write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    assert main(["predict", str(trained_model_dir), str(tmp_path / "utterances.txt"), "--json", "--batch-size", "2", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(TEXTS)
    for text, line in zip(TEXTS, lines):
        record = json.loads(line)
        assert record["text"] == text and record["label"] in ("alarm", "music") and 0 < record["score"] <= 1
        for span in record["slots"]:
            assert set(span) == {"type", "start", "end", "text", "score"} and text[span["start"] : span["end"]] == span["text"]
            assert span["type"] in {tag[2:] for tag in SLOT_LABELS if tag != "O"}


def test_the_predict_command_names_the_line_of_bad_input(trained_model_dir, tmp_path, capsys):
    from xalign.__main__ import main

    (tmp_path / "utterances.txt").write_bytes(b"play some jazz\n\xff\xfe bad\n")
    assert main(["predict", str(trained_model_dir), str(tmp_path / "utterances.txt")]) == 2
    assert "utterances.txt:2: invalid UTF-8" in capsys.readouterr().err
