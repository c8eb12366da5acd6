"""Example records: what a loader produces and what the collator consumes.

Records hold words and labels as strings; they know nothing of tokenizers or tensors.
Word-level BIO tags are the label format for slots: character spans are converted to
BIO by the dataset loaders, which know the file format.
"""

from __future__ import annotations

import attrs


def _non_empty_text(instance: object, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{type(instance).__name__}.{attribute.name} must be non-empty text, got {value!r}")


def _as_tuple(value) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class ClassificationExample:
    """One utterance with a sentence label (an intent, a topic)."""

    id: str
    text: str = attrs.field(validator=_non_empty_text)
    label: str | None = None
    language: str = "en"


@attrs.frozen
class PairExample:
    """A sentence pair with a label (paraphrase detection, as in PAWS-X)."""

    id: str
    text: str = attrs.field(validator=_non_empty_text)
    text_pair: str = attrs.field(validator=_non_empty_text)
    label: str | None = None
    language: str = "en"


@attrs.frozen
class SlotFillingExample:
    """A word-tokenised utterance with one BIO slot tag per word and, optionally, an intent."""

    id: str
    words: tuple[str, ...] = attrs.field(converter=_as_tuple)
    slot_tags: tuple[str, ...] | None = attrs.field(default=None, converter=attrs.converters.optional(_as_tuple))
    intent: str | None = None
    language: str = "en"

    @words.validator
    def _check_words(self, attribute: attrs.Attribute, words: tuple[str, ...]) -> None:
        if not words:
            raise ValueError("SlotFillingExample.words is empty")
        if any(not word or any(ch.isspace() for ch in word) for word in words):
            raise ValueError(f"SlotFillingExample.words holds an empty word or a word with whitespace: {words!r}")

    @slot_tags.validator
    def _check_tags(self, attribute: attrs.Attribute, tags: tuple[str, ...] | None) -> None:
        if tags is not None and len(tags) != len(self.words):
            raise ValueError(f"{len(tags)} slot tags for {len(self.words)} words in example {self.id!r}")

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def label(self) -> str | None:
        """The sentence label, so intent heads treat every example kind alike."""
        return self.intent


@attrs.frozen
class Translation:
    """An unlabelled translation of an English training example, used only for alignment."""

    id: str
    language: str
    text: str = attrs.field(validator=_non_empty_text)
    text_pair: str | None = None


Example = ClassificationExample | PairExample | SlotFillingExample
