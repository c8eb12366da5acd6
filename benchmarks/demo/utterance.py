"""Templates and slot values -> utterances with word tokens, character spans and slots.

Owns the one piece of linguistics the generator needs below the template level: how
words are joined in each language. Knows nothing of intents, sampling or file formats.

Template syntax (the same for every language): words separated by spaces, slot
placeholders as whole words (``{DATE_TIME}``), and ``,`` or ``:`` as a word of their own
that attaches to the word before it. Slot values use the same syntax without
placeholders. Spaces mark *word boundaries*; how a boundary is written depends on the
language:

- Thai is written without spaces between words, so a boundary between two Thai words is
  written as nothing, and one next to a digit or a Latin letter as a space (the way Thai
  writers set off ``7`` or ``Ed Sheeran``). Tokens stay the word units the template
  author wrote, with their real spans in the unspaced utterance, as MTOP does for Thai.
- French elides ``de``/``que``/``le``… before a vowel: a template's ``de`` before a slot
  value ``Anna`` becomes ``d'`` glued to it (``d'Anna``), and an elided clitic written in
  a template (``l'alarme``) is its own token, so that a slot always starts on a token.
"""

from __future__ import annotations

import functools
import re
from typing import Mapping

import attrs

PLACEHOLDER = re.compile(r"^\{([A-Z_]+)\}$")
ATTACHED_PUNCTUATION = frozenset({",", ":"})
FRENCH_ELISIONS = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'", "je": "j'", "me": "m'", "te": "t'", "ne": "n'", "se": "s'"}
FRENCH_CLITIC = re.compile(r"^(qu'|[cdjlmnst]')(.+)$", re.IGNORECASE)
VOWELS = frozenset("aeiouàâæéèêëîïôœùûüAEIOUÀÂÆÉÈÊËÎÏÔŒÙÛÜ")


@attrs.frozen
class Slot:
    """A slot in an utterance: character offsets (end exclusive) and its type (``DATE_TIME``)."""

    start: int
    end: int
    type: str


@attrs.frozen
class Utterance:
    """One realised utterance: its text, word tokens with ``(start, length)`` spans, slots."""

    text: str
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    slots: tuple[Slot, ...]


@attrs.frozen
class Template:
    """A parsed template: its source text and its parts (a word, or ``("SLOT", type)``)."""

    text: str
    parts: tuple[str | tuple[str, str], ...]

    @property
    def frame(self) -> tuple[str, ...]:
        """The slot types the template needs, sorted: templates with equal frames are interchangeable."""
        return tuple(sorted(part[1] for part in self.parts if isinstance(part, tuple)))


def parse_template(text: str) -> Template:
    """Parse ``text`` (see the module docstring); a slot type may appear only once."""
    parts: list[str | tuple[str, str]] = []
    for word in text.split():
        match = PLACEHOLDER.match(word)
        if match:
            parts.append(("SLOT", match.group(1)))
        elif "{" in word or "}" in word:
            raise ValueError(f"template {text!r}: placeholder {word!r} must be a whole word like {{DATE_TIME}}")
        else:
            parts.append(word)
    slot_types = [part[1] for part in parts if isinstance(part, tuple)]
    if len(slot_types) != len(set(slot_types)):
        raise ValueError(f"template {text!r} uses a slot type twice")
    return Template(text, tuple(parts))


def _is_thai(character: str) -> bool:
    return "\u0e00" <= character <= "\u0e7f"


@functools.lru_cache(maxsize=None)
def _words(text: str, language: str) -> tuple[tuple[str, bool], ...]:
    """Words of a template fragment or value as ``(word, glued_to_previous)``."""
    words: list[tuple[str, bool]] = []
    for word in text.split():
        if word in ATTACHED_PUNCTUATION:
            words.append((word, True))
            continue
        match = FRENCH_CLITIC.match(word) if language == "fr" else None
        if match:  # "l'alarme" -> "l'" + "alarme", glued
            words.extend([(match.group(1), False), (match.group(2), True)])
        else:
            words.append((word, False))
    return tuple(words)


def realize(template: Template, values: Mapping[str, str], language: str) -> Utterance:
    """The utterance of ``template`` with ``values`` (slot type -> value text) in ``language``.

    Raises ``KeyError`` when a slot of the template has no value.
    """
    words: list[tuple[str, bool]] = []
    slot_ranges: list[tuple[int, int, str]] = []  # word index range [first, last) per slot
    after_literal = False  # the last word is the template's, not a slot value's
    for part in template.parts:
        if isinstance(part, str):
            words.extend(_words(part, language))
            after_literal = True
            continue
        slot_type = part[1]
        value_words = list(_words(values[slot_type], language))
        if not value_words:
            raise ValueError(f"empty value for {slot_type} in template {template.text!r}")
        if language == "fr" and after_literal and value_words[0][0][0] in VOWELS:
            before, glued = words[-1]
            elided = FRENCH_ELISIONS.get(before.lower())
            if elided is not None:  # "de Anna" -> "d'Anna"
                words[-1] = (before[0] + elided[1:] if before[0].isupper() else elided, glued)
                value_words[0] = (value_words[0][0], True)
        slot_ranges.append((len(words), len(words) + len(value_words), slot_type))
        words.extend(value_words)
        after_literal = False

    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    position = 0
    thai = language == "th"
    previous = ""
    for word, glued in words:
        # Thai writes no space between two Thai words, and one next to digits or Latin.
        if previous and not glued and not (thai and _is_thai(previous[-1]) and _is_thai(word[0])):
            pieces.append(" ")
            position += 1
        spans.append((position, len(word)))
        pieces.append(word)
        position += len(word)
        previous = word
    slots = tuple(
        Slot(spans[first][0], spans[last - 1][0] + spans[last - 1][1], slot_type)
        for first, last, slot_type in slot_ranges
    )
    return Utterance("".join(pieces), tuple(word for word, _ in words), tuple(spans), slots)
