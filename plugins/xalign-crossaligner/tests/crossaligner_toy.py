"""Helpers for the CrossAligner plugin's tests: a toy slot-filling task, a tiny encoder, contexts.

Everything is built in code or under a temporary directory; nothing is downloaded. The
plugin is used as an installed distribution (``pip install -e plugins/xalign-crossaligner``).
"""

from __future__ import annotations

import types

import torch

import xalign
from xalign.data.examples import SlotFillingExample, Translation
from xalign.training.objective import AlignmentContext

INTENTS = ("alarm", "music", "weather")
SLOT_LABELS = ("O", "B-TIME", "I-TIME", "B-GENRE", "B-CITY")

_ROWS = [
    ("set an alarm for seven am", "O O O O B-TIME I-TIME", "alarm", "stelle einen wecker für sieben uhr"),
    ("set an alarm for noon", "O O O O B-TIME", "alarm", "stelle einen wecker für mittag"),
    ("wake me at six pm", "O O O B-TIME I-TIME", "alarm", "weck mich um achtzehn uhr"),
    ("set an alarm for midnight", "O O O O B-TIME", "alarm", "stelle einen wecker für mitternacht"),
    ("play some jazz music", "O O B-GENRE O", "music", "spiel etwas jazz musik"),
    ("play some rock music", "O O B-GENRE O", "music", "spiel etwas rock musik"),
    ("play some pop music", "O O B-GENRE O", "music", "spiel etwas pop musik"),
    ("play some music", "O O O", "music", "spiel etwas musik"),
    ("what is the weather in berlin", "O O O O O B-CITY", "weather", "wie ist das wetter in berlin"),
    ("what is the weather in paris at noon", "O O O O O B-CITY O B-TIME", "weather", "wie ist das wetter in paris um mittag"),
    ("what is the weather in rome", "O O O O O B-CITY", "weather", "wie ist das wetter in rom"),
    ("what is the weather", "O O O O", "weather", "wie ist das wetter"),
]


def toy_examples() -> list[SlotFillingExample]:
    return [
        SlotFillingExample(id=f"en-{index}", words=text.split(), slot_tags=tags.split(), intent=intent)
        for index, (text, tags, intent, _) in enumerate(_ROWS)
    ]


def toy_translations() -> dict[str, dict[str, Translation]]:
    return {"de": {f"en-{index}": Translation(f"en-{index}", "de", german) for index, (*_, german) in enumerate(_ROWS)}}


TOY_VOCABULARY = sorted({word for text, _, _, german in _ROWS for word in (text + " " + german).split()})


def make_context(token_states, sentence_embedding, batch, source_rows, target_rows, head=None) -> AlignmentContext:
    """An alignment context from plain tensors (what the trainer's objective builds for each batch)."""
    encoded = types.SimpleNamespace(token_states=token_states, sentence_embedding=sentence_embedding)
    return AlignmentContext(encoded, batch, torch.as_tensor(source_rows), torch.as_tensor(target_rows), head)


def toy_config(encoder: str, aligner: str, weighting: str = "fixed", **training) -> xalign.XalignConfig:
    settings = {"epochs": 1, "batch_size": 6, "learning_rate": 2e-3, "progress": False, "device": "cpu", "weighting": weighting, **training}
    return xalign.XalignConfig(
        model=xalign.ModelConfig(encoder=encoder, aligner=aligner, intent_labels=INTENTS, slot_labels=SLOT_LABELS, max_length=24),
        training=xalign.TrainingConfig(**settings),
    )
