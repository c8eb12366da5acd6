"""The examples the reference recipe and our trainer are compared on, by both benchmarks.

Either the demo dataset (English training utterances and their translations into one
language) or a synthetic corpus whose utterance lengths, counted in the encoder's own
subwords, follow a named distribution. Synthetic text needs no download and lets the GPU
figures be measured on a bare machine; its lengths are what cost depends on.

Length distributions (subwords of the English utterance, before special tokens):

- ``mtop``: most utterances 10-15 subwords, 15 % a tail of 18-45 (MTOP-like); the
  reference recipe pads to 70, as the authors' code does for MTOP.
- ``short``: 5-9 subwords with a 5 % tail up to 20 (MTOD-like); padded to 50.
- ``long``: 22-34 subwords with a 15 % tail up to 90 (long MultiATIS++-style requests);
  padded to 100.

Translations are 0.8-1.4 times as long as their English source.
"""

from __future__ import annotations

import random
from typing import Sequence

import attrs

from benchmarks import reference_recipe
from xalign.data.examples import SlotFillingExample, Translation

# The reference's pad length for each workload: that of the dataset it resembles (the
# demo is in MTOP's format).
PAD_LENGTHS = {
    "mtop": reference_recipe.PAD_LENGTHS["mtop"],
    "short": reference_recipe.PAD_LENGTHS["mtod"],
    "long": reference_recipe.PAD_LENGTHS["multiatis"],
    "demo": reference_recipe.PAD_LENGTHS["mtop"],
}

_ENGLISH = (
    "set an alarm for seven in the morning please remind me to call mom tomorrow what is the weather like "
    "today play some music by the band turn off lights kitchen how long will it take to drive work cancel "
    "my meeting at three send message john saying running late add milk shopping list show news about "
    "football when does next train leave station find a restaurant near here book table two people "
    "tonight what time sunset is there traffic on highway call back later pause song skip this track "
    "volume up timer ten minutes delete all alarms weekend forecast rain snow wind birthday party friday"
).split()
_TARGET = (
    "stelle einen wecker auf sieben uhr morgens bitte erinnere mich morgen meine mutter anzurufen wie ist "
    "das wetter heute spiel musik von der band schalte licht in küche aus wie lange dauert es zur arbeit "
    "zu fahren sage mein treffen um drei ab sende nachricht an johann dass ich spät komme füge milch zur "
    "einkaufsliste hinzu zeige nachrichten über fußball wann fährt nächste zug vom bahnhof finde ein "
    "restaurant in der nähe reserviere tisch für zwei personen heute abend"
).split()
_INTENTS = tuple(f"IN:INTENT_{index:02d}" for index in range(12))
_SLOT_TYPES = tuple(f"SL:TYPE_{index}" for index in range(8))


@attrs.frozen
class Workload:
    """English examples, their translations into ``language``, and the reference pad length."""

    name: str
    examples: tuple[SlotFillingExample, ...]
    translations: dict[str, Translation]  # example id -> translation
    language: str
    pad_length: int

    def __len__(self) -> int:
        return len(self.examples)

    def translations_for_training(self) -> dict[str, dict[str, Translation]]:
        return {self.language: dict(self.translations)}

    def labels(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Intent names and BIO tags ("O" first) found in the examples."""
        intents = sorted({example.intent for example in self.examples if example.intent is not None})
        tags = {tag for example in self.examples for tag in (example.slot_tags or ())} - {"O"}
        return tuple(intents), ("O", *sorted(tags))

    def resized(self, count: int) -> Workload:
        """The first ``count`` examples, cycling with fresh ids when more are asked than exist."""
        examples, translations = [], {}
        for index in range(count):
            source = self.examples[index % len(self.examples)]
            round_number = index // len(self.examples)
            new_id = source.id if round_number == 0 else f"{source.id}#{round_number}"
            examples.append(attrs.evolve(source, id=new_id))
            if source.id in self.translations:
                translations[new_id] = attrs.evolve(self.translations[source.id], id=new_id)
        return attrs.evolve(self, examples=tuple(examples), translations=translations)


def _sample_length(distribution: str, rng: random.Random) -> int:
    if distribution == "mtop":
        return rng.randint(18, 45) if rng.random() < 0.15 else rng.randint(10, 15)
    if distribution == "short":
        return rng.randint(10, 20) if rng.random() < 0.05 else rng.randint(5, 9)
    if distribution == "long":
        return rng.randint(35, 90) if rng.random() < 0.15 else rng.randint(22, 34)
    raise ValueError(f"unknown length distribution {distribution!r}; choose mtop, short or long")


def _pieces_per_word(tokenizer, words: Sequence[str]) -> dict[str, int]:
    encoded = tokenizer(list(words), add_special_tokens=False)["input_ids"]
    return {word: len(ids) for word, ids in zip(words, encoded) if ids}


def _words_of_length(target: int, pieces: dict[str, int], rng: random.Random) -> list[str]:
    """Words whose subword counts add up to ``target`` (or just under, if no word fits)."""
    words, left = [], target
    candidates = sorted(pieces)
    while left > 0:
        fitting = [word for word in candidates if pieces[word] <= left]
        if not fitting:
            break
        word = rng.choice(fitting)
        words.append(word)
        left -= pieces[word]
    return words or [min(candidates, key=lambda word: pieces[word])]


def _slot_tags(count: int, rng: random.Random, slot_types: Sequence[str], tags: frozenset[str] | None) -> list[str]:
    """Random BIO spans; with ``tags`` given, only tags in it (a type with no I- tag spans one word)."""
    result, position = [], 0
    while position < count:
        if slot_types and rng.random() < 0.25:
            kind = rng.choice(slot_types)
            longest = 3 if tags is None or f"I-{kind}" in tags else 1
            span = min(rng.randint(1, longest), count - position)
            result += [f"B-{kind}"] + [f"I-{kind}"] * (span - 1)
            position += span
        else:
            result.append("O")
            position += 1
    return result


def synthetic(
    distribution: str, count: int, tokenizer, language: str = "de", seed: int = 0, max_subwords: int | None = None,
    labels: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Workload:
    """``count`` labelled English utterances with lengths from ``distribution`` and translations.

    ``max_subwords`` caps every text so that it still fits the reference's fixed padding
    once the special tokens and the model's text prefix are added. ``labels`` (intent
    names, BIO tags) makes the examples use an existing model's label space.
    """
    intents = tuple(labels[0]) if labels else _INTENTS
    slot_types = tuple(sorted({tag[2:] for tag in labels[1] if tag.startswith("B-")})) if labels else _SLOT_TYPES
    known_tags = frozenset(labels[1]) if labels else None
    pad_length = PAD_LENGTHS[distribution]
    cap = max_subwords if max_subwords is not None else pad_length - 8
    rng = random.Random(f"{seed}:{distribution}")
    english_pieces = _pieces_per_word(tokenizer, _ENGLISH)
    target_pieces = _pieces_per_word(tokenizer, _TARGET)
    examples, translations = [], {}
    for index in range(count):
        length = min(_sample_length(distribution, rng), cap)
        words = _words_of_length(length, english_pieces, rng)
        example_id = f"{distribution}-{index}"
        examples.append(SlotFillingExample(example_id, words, _slot_tags(len(words), rng, slot_types, known_tags), rng.choice(intents)))
        target_length = max(1, min(cap, round(length * rng.uniform(0.8, 1.4))))
        translations[example_id] = Translation(example_id, language, " ".join(_words_of_length(target_length, target_pieces, rng)))
    return Workload(distribution, tuple(examples), translations, language, pad_length)


def demo(count: int | None, language: str = "de") -> Workload:
    """The demo dataset's English training set (first ``count``) and its ``language`` translations."""
    from benchmarks.datasets.demo import DemoLoader

    loader = DemoLoader()
    english = list(loader.load_split(None, "en", "train").examples)
    found = loader.load_translations(None, language, english)
    workload = Workload("demo", tuple(english), dict(found.by_id), language, PAD_LENGTHS["demo"])
    return workload.resized(count) if count is not None else workload
