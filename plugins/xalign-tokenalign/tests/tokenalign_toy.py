"""Helpers for the token-alignment plugin's tests: a toy slot-filling task, contexts from tensors.

Everything is built in code or under a temporary directory; nothing is downloaded. The
plugin is used as an installed distribution (``pip install -e plugins/xalign-tokenalign``).
"""

from __future__ import annotations

import types

import torch

import xalign
from xalign.data.examples import SlotFillingExample, Translation
from xalign.training.objective import AlignmentContext

INTENTS = ("alarm", "music", "weather")
SLOT_LABELS = ("O", "B-TIME", "I-TIME", "B-GENRE", "B-CITY")
IGNORE = -100

_ROWS = [
    ("set an alarm for seven am", "O O O O B-TIME I-TIME", "alarm", "stelle einen wecker für sieben uhr", "pon una alarma a las siete"),
    ("wake me at six pm", "O O O B-TIME I-TIME", "alarm", "weck mich um achtzehn uhr", "despiértame a las seis"),
    ("set an alarm for noon", "O O O O B-TIME", "alarm", "stelle einen wecker für mittag", "pon una alarma al mediodía"),
    ("play some jazz music", "O O B-GENRE O", "music", "spiel etwas jazz musik", "pon algo de jazz"),
    ("play some rock music", "O O B-GENRE O", "music", "spiel etwas rock musik", "pon algo de rock"),
    ("play some music", "O O O", "music", "spiel etwas musik", "pon algo de música"),
    ("what is the weather in berlin", "O O O O O B-CITY", "weather", "wie ist das wetter in berlin", "qué tiempo hace en berlín"),
    ("what is the weather in paris at noon", "O O O O O B-CITY O B-TIME", "weather", "wie ist das wetter in paris um mittag", "qué tiempo hace en parís al mediodía"),
]


def toy_examples() -> list[SlotFillingExample]:
    return [
        SlotFillingExample(id=f"en-{index}", words=text.split(), slot_tags=tags.split(), intent=intent)
        for index, (text, tags, intent, *_) in enumerate(_ROWS)
    ]


def toy_translations() -> dict[str, dict[str, Translation]]:
    return {
        language: {f"en-{index}": Translation(f"en-{index}", language, row[column]) for index, row in enumerate(_ROWS)}
        for language, column in (("de", 3), ("es", 4))
    }


TOY_VOCABULARY = sorted({word for row in _ROWS for column in (0, 3, 4) for word in row[column].split()} | {"query", ":"})


def make_context(token_states, batch, source_rows, target_rows, head=None, sentence_embedding=None) -> AlignmentContext:
    """An alignment context from plain tensors (what the trainer's objective builds for each batch)."""
    if sentence_embedding is None:
        sentence_embedding = token_states.mean(dim=1)
    encoded = types.SimpleNamespace(token_states=token_states, sentence_embedding=sentence_embedding)
    return AlignmentContext(encoded, batch, torch.as_tensor(source_rows), torch.as_tensor(target_rows), head)


class LinearSlotHead(torch.nn.Module):
    """A slot head as the joint head applies it: a linear layer on every token state."""

    def __init__(self, hidden: int, tags: int = len(SLOT_LABELS)):
        super().__init__()
        self.classifier = torch.nn.Linear(hidden, tags)

    def forward(self, token_states, sentence_embedding):
        return {"slots": self.classifier(token_states)}


def toy_config(encoder: str, aligner: str, head: str = "joint-intent-slot", **training) -> xalign.XalignConfig:
    settings = {"epochs": 1, "batch_size": 4, "learning_rate": 2e-3, "progress": False, "device": "cpu", **training}
    slots = SLOT_LABELS if head != "sequence-classification" else ()
    return xalign.XalignConfig(
        model=xalign.ModelConfig(encoder=encoder, aligner=aligner, head=head, intent_labels=INTENTS, slot_labels=slots, max_length=24, text_prefix="query: "),
        training=xalign.TrainingConfig(**settings),
    )
