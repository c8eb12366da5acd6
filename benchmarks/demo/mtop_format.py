"""Utterances -> lines of MTOP's published flat format (and the authors' translation files).

Owns the exact text of a row: 8 tab-separated columns, id, intent (``IN:SET_ALARM``),
slots (comma-separated ``start:end:SL:TYPE``, character offsets, end exclusive, empty
when none), utterance, domain, locale (``en_XX``), decoupled form
(``[IN:SET_ALARM [SL:DATE_TIME at 7 am ] ]``) and the tokens JSON
(``{"tokens": [...], "tokenSpans": [{"start": s, "length": n}, ...]}``). The decoupled
form keeps each slot's text exactly as it appears in the utterance (so Thai slots stay
unspaced), and drops the words outside slots, as MTOP's decoupled form does.
"""

from __future__ import annotations

import json

from benchmarks.demo.utterance import Utterance


def slot_field(utterance: Utterance) -> str:
    """``start:end:SL:TYPE`` for every slot, comma-separated (``""`` when there is none)."""
    return ",".join(f"{slot.start}:{slot.end}:SL:{slot.type}" for slot in utterance.slots)


def decoupled_form(intent: str, utterance: Utterance) -> str:
    """The decoupled semantic parse: the intent with its slots and their text."""
    slots = "".join(f" [SL:{slot.type} {utterance.text[slot.start:slot.end]} ]" for slot in utterance.slots)
    return f"[{intent}{slots} ]"


def tokens_json(utterance: Utterance) -> str:
    """The tokens column: the words and their ``start``/``length`` character spans."""
    spans = [{"start": start, "length": length} for start, length in utterance.spans]
    return json.dumps({"tokens": list(utterance.tokens), "tokenSpans": spans}, ensure_ascii=False)


def mtop_line(example_id: str, intent: str, domain: str, locale: str, utterance: Utterance) -> str:
    """One row of an MTOP ``train.txt``/``eval.txt``/``test.txt`` file, without the newline."""
    columns = (
        example_id,
        intent,
        slot_field(utterance),
        utterance.text,
        domain,
        locale,
        decoupled_form(intent, utterance),
        tokens_json(utterance),
    )
    if any("\t" in column or "\n" in column for column in columns):
        raise ValueError(f"example {example_id}: a column holds a tab or a newline: {columns!r}")
    return "\t".join(columns)
