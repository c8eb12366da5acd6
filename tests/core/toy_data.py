"""The toy task of the core tests: 42 English slot-filling utterances over 3 intents, with German translations.

Built in code (these are the records a dataset loader would produce); nothing is downloaded.
"""

from __future__ import annotations

from xalign.config import ModelConfig, TrainingConfig, XalignConfig
from xalign.data.examples import SlotFillingExample, Translation

INTENTS = ("alarm", "music", "weather")
SLOT_LABELS = ("O", "B-TIME", "I-TIME", "B-GENRE", "B-CITY")

# (English slot value, German slot value), 14 per intent; the templates are in _toy_examples.
_TIMES = [("seven am", "sieben uhr"), ("six pm", "achtzehn uhr"), ("noon", "mittag"), ("eight thirty", "halb neun"),
          ("five am", "fünf uhr"), ("nine pm", "einundzwanzig uhr"), ("midnight", "mitternacht"),
          ("ten am", "zehn uhr"), ("four pm", "sechzehn uhr"), ("seven thirty", "halb acht"),
          ("eleven am", "elf uhr"), ("three pm", "fünfzehn uhr"), ("six am", "sechs uhr"), ("one pm", "dreizehn uhr")]
_GENRES = [("jazz", "jazz"), ("rock", "rock"), ("classical", "klassische"), ("pop", "pop"), ("folk", "volks"),
           ("metal", "metal"), ("blues", "blues"), ("soul", "soul"), ("techno", "techno"), ("country", "country"),
           ("reggae", "reggae"), ("punk", "punk"), ("disco", "disco"), ("opera", "opern")]
_CITIES = [("berlin", "berlin"), ("paris", "paris"), ("london", "london"), ("rome", "rom"), ("vienna", "wien"),
           ("munich", "münchen"), ("madrid", "madrid"), ("prague", "prag"), ("zurich", "zürich"), ("oslo", "oslo"),
           ("lisbon", "lissabon"), ("warsaw", "warschau"), ("athens", "athen"), ("dublin", "dublin")]


def _toy_examples() -> tuple[list[SlotFillingExample], dict[str, dict[str, Translation]]]:
    examples, german = [], {}

    def add(words: list[str], tags: list[str], intent: str, translation: str) -> None:
        example_id = f"en-{len(examples)}"
        examples.append(SlotFillingExample(id=example_id, words=words, slot_tags=tags, intent=intent))
        german[example_id] = Translation(example_id, "de", translation)

    for english, german_time in _TIMES:
        time_words = english.split()
        time_tags = ["B-TIME"] + ["I-TIME"] * (len(time_words) - 1)
        add(["set", "an", "alarm", "for", *time_words], ["O"] * 4 + time_tags, "alarm", f"stelle einen wecker für {german_time}")
    for english, german_genre in _GENRES:
        add(["play", "some", english, "music"], ["O", "O", "B-GENRE", "O"], "music", f"spiel etwas {german_genre} musik")
    for english, german_city in _CITIES:
        add(["what", "is", "the", "weather", "in", english], ["O"] * 5 + ["B-CITY"], "weather", f"wie ist das wetter in {german_city}")
    return examples, {"de": german}


TOY_EXAMPLES, TOY_TRANSLATIONS = _toy_examples()
TOY_VOCABULARY = sorted(
    {word for example in TOY_EXAMPLES for word in example.words}
    | {word for translation in TOY_TRANSLATIONS["de"].values() for word in translation.text.split()}
)


def toy_config(encoder: str = "tiny-random", aligner: str = "mse", **training) -> XalignConfig:
    """The toy task's config; ``training`` overrides the small, fast defaults below."""
    settings = {"epochs": 4, "batch_size": 8, "learning_rate": 2e-3, "progress": False, "device": "cpu", **training}
    return XalignConfig(
        model=ModelConfig(encoder=encoder, aligner=aligner, intent_labels=INTENTS, slot_labels=SLOT_LABELS, max_length=32),
        training=TrainingConfig(**settings),
    )
