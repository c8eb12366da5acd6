"""Character slot spans -> word-level BIO tags, and the word spans they are measured against.

Owns the conversion that MTOP and MTOD need: their slots are character offsets into the
utterance (``start:end:type``, end exclusive) and their words are tokens with character
spans. Knows nothing of files: problems are raised as ``ValueError`` and the loaders add
the file and line.

Rules (one place, so every loader agrees):

- A word is inside a slot when its character span overlaps the slot's span. The first
  such word is tagged ``B-TYPE`` and the following ones ``I-TYPE``. Overlap rather than
  containment matters for the real data: MTOD Thai slots often start or end inside a
  tokeniser word (``misaligned``), and containment would silently shorten those slots.
- A slot whose start or end falls strictly inside a word is counted as misaligned.
- Slots are applied in order of start (longer first at equal starts); a later slot that
  shares a word with an earlier one is counted as overlapping and keeps only its
  unclaimed words (dropped when none is left). A slot covering no word (only spaces) is
  counted as unmatched and dropped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import attrs


@attrs.frozen
class SlotSpan:
    """One slot: character offsets into the utterance (end exclusive) and its type."""

    start: int
    end: int
    type: str
    clamped: bool = False  # the file gave a negative start, read as 0


@attrs.frozen
class BioTags:
    """Word-level BIO tags and what the conversion had to decide."""

    tags: tuple[str, ...]
    misaligned: int = 0  # slots whose start or end falls strictly inside a word
    overlapping: int = 0  # slots that share a word with an earlier slot
    unmatched: int = 0  # slots that cover no word


@attrs.frozen
class Words:
    """Words of an utterance with their character spans ``(start, end)`` in the utterance.

    ``offsets`` says how the tokeniser's spans were read: ``"characters"`` (as given),
    ``"nfd"`` or ``"utf-8"`` (repaired, see :func:`words_from_tokens`) or ``"as-given"``
    (the span texts did not match the tokens; the tokens are used as words).
    """

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    offsets: str = "characters"


_DIGITS = re.compile(r"[0-9]+")


def parse_slot_field(field: str, utterance_length: int, type_prefix: str = "") -> list[SlotSpan]:
    """Slots from a comma-separated ``start:end:type`` field (``""`` means no slot).

    ``type_prefix`` (MTOP: ``"SL:"``) must start every type and is removed from it. A
    negative start is read as 0 and flagged ``clamped``: one MTOD Spanish test row has
    ``-2:30`` for a slot that plainly starts the utterance.
    """
    if not field.strip():
        return []
    slots = []
    for item in field.split(","):
        parts = item.strip().split(":", 2)
        if len(parts) != 3:
            raise ValueError(f"slot {item!r} is not start:end:{type_prefix}TYPE")
        start_text, end_text, slot_type = parts
        # ASCII digits only: str.isdigit also accepts "١" (Arabic-Indic) and "１" (fullwidth),
        # which int() reads as 1, and "²", which int() refuses with a message of its own.
        if not (_DIGITS.fullmatch(start_text.removeprefix("-")) and _DIGITS.fullmatch(end_text)):
            raise ValueError(f"slot {item!r} has a non-numeric offset")
        start, end = int(start_text), int(end_text)
        clamped = start < 0
        start = max(start, 0)
        if end <= start:
            raise ValueError(f"slot {item!r} ends at {end}, not after its start {start}")
        if end > utterance_length:
            raise ValueError(
                f"slot {item!r} ends at {end}, past the end of the utterance ({utterance_length} characters)"
            )
        if type_prefix:
            if not slot_type.startswith(type_prefix):
                raise ValueError(f"slot {item!r} has a type without the {type_prefix!r} prefix")
            slot_type = slot_type[len(type_prefix) :]
        if not slot_type or any(character.isspace() for character in slot_type):
            raise ValueError(f"slot {item!r} has an empty type or a type with whitespace")
        slots.append(SlotSpan(start, end, slot_type, clamped))
    return slots


def slots_to_bio(word_spans: Sequence[tuple[int, int]], slots: Sequence[SlotSpan]) -> BioTags:
    """BIO tags, one per word, for character ``slots`` over words with ``word_spans``."""
    tags = ["O"] * len(word_spans)
    claimed = [False] * len(word_spans)
    misaligned = overlapping = unmatched = 0
    for slot in sorted(slots, key=lambda slot: (slot.start, -slot.end)):
        if any(start < slot.start < end or start < slot.end < end for start, end in word_spans):
            misaligned += 1
        inside = [i for i, (start, end) in enumerate(word_spans) if start < slot.end and slot.start < end]
        if not inside:
            unmatched += 1
            continue
        free = [i for i in inside if not claimed[i]]
        if len(free) < len(inside):
            overlapping += 1
        for position, i in enumerate(free):
            tags[i] = ("B-" if position == 0 else "I-") + slot.type
            claimed[i] = True
    return BioTags(tuple(tags), misaligned, overlapping, unmatched)


def bio_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Word-index spans ``(first, last + 1, type)`` of BIO ``tags``.

    An ``I-`` tag after ``O`` or after another type starts a new span, as seqeval reads it.
    """
    spans: list[tuple[int, int, str]] = []
    for index, tag in enumerate(tags):
        if tag == "O":
            continue
        prefix, slot_type = tag[:2], tag[2:]
        if prefix == "I-" and spans and spans[-1][1] == index and spans[-1][2] == slot_type:
            spans[-1] = (spans[-1][0], index + 1, slot_type)
        else:
            spans.append((index, index + 1, slot_type))
    return spans


def bio_tag_problem(tag: str) -> str | None:
    """Why ``tag`` is not ``O``, ``B-TYPE`` or ``I-TYPE``; ``None`` when it is."""
    if tag == "O":
        return None
    if tag[:2] in ("B-", "I-") and tag[2:] and not any(character.isspace() for character in tag):
        return None
    return f"slot tag {tag!r} is not O, B-TYPE or I-TYPE"


def _fold(text: str) -> str:
    # The MTOD tokeniser lower-cases and NFKC-normalises (Thai SARA AM becomes
    # NIKHAHIT + SARA AA), so token and utterance text are compared folded.
    return unicodedata.normalize("NFKC", text).casefold()


def _unit_offsets(utterance: str, unit: str) -> dict[int, int]:
    """Character offset for every character boundary measured in ``unit``."""
    offsets = {0: 0}
    position = 0
    for index, character in enumerate(utterance):
        if unit == "nfd":
            position += len(unicodedata.normalize("NFD", character))
        else:
            position += len(character.encode("utf-8"))
        offsets[position] = index + 1
    return offsets


def words_from_tokens(utterance: str, tokens: Sequence[str], token_spans: Sequence[tuple[int, int]]) -> Words:
    """Words and their character spans from a tokeniser's tokens and ``(start, length)`` spans.

    The words are the utterance's own text at each span, so they keep the case and the
    characters that the tokeniser normalised away. Some MTOD Spanish rows measure token
    spans in decomposed (NFD) code points or, equivalently for that data, UTF-8 bytes,
    while their slot offsets count characters; such spans are mapped back to characters
    when that makes every span's text match its token. When nothing matches, the tokens
    themselves are the words and the spans are used as given (``offsets="as-given"``).
    """
    if len(tokens) != len(token_spans):
        raise ValueError(f"{len(tokens)} tokens but {len(token_spans)} token spans")
    if not tokens:
        raise ValueError("no tokens")
    for token in tokens:
        if not isinstance(token, str) or not token or any(character.isspace() for character in token):
            raise ValueError(f"token {token!r} is empty or contains whitespace")
    for start, length in token_spans:
        if start < 0 or length < 0:
            raise ValueError(f"token span start={start} length={length} is negative")
    for unit in ("characters", "nfd", "utf-8"):
        if unit == "characters":
            spans = [(start, start + length) for start, length in token_spans]
        else:
            offsets = _unit_offsets(utterance, unit)
            if not all(start in offsets and start + length in offsets for start, length in token_spans):
                continue
            spans = [(offsets[start], offsets[start + length]) for start, length in token_spans]
        if all(end <= len(utterance) for _, end in spans) and all(
            _fold(utterance[start:end]) == _fold(token) for token, (start, end) in zip(tokens, spans)
        ):
            surface = [utterance[start:end] for start, end in spans]
            words = [
                word if word and not any(character.isspace() for character in word) else token
                for word, token in zip(surface, tokens)
            ]
            return Words(tuple(words), tuple(spans), unit)
    spans = [(start, start + length) for start, length in token_spans]
    for (start, end), token in zip(spans, tokens):
        if end > len(utterance):
            raise ValueError(
                f"token {token!r} span ends at {end}, past the end of the utterance ({len(utterance)} characters)"
            )
    return Words(tuple(tokens), tuple(spans), "as-given")


JOINT_NOTES = (
    "slots",
    "misaligned_spans",
    "overlapping_slots",
    "unmatched_slots",
    "clamped_slot_starts",
    "token_spans_repaired",
    "token_text_mismatch",
)
"""The counts that :func:`tag_utterance` adds to a loaded split's notes."""


def token_spans_from_json(value: object) -> tuple[list[str], list[tuple[int, int]]]:
    """Tokens and ``(start, length)`` spans from ``{"tokens": [...], "tokenSpans": [{"start", "length"}]}``."""
    if not isinstance(value, dict) or not all(isinstance(value.get(key), list) for key in ("tokens", "tokenSpans")):
        raise ValueError('tokens JSON must be an object with "tokens" and "tokenSpans" lists')
    spans = []
    for span in value["tokenSpans"]:
        start = span.get("start") if isinstance(span, dict) else None
        length = span.get("length") if isinstance(span, dict) else None
        if not all(isinstance(number, int) and not isinstance(number, bool) for number in (start, length)):
            raise ValueError(f"token span {span!r} needs integer start and length")
        spans.append((start, length))
    return value["tokens"], spans


def tag_utterance(
    utterance: str,
    slot_field: str,
    tokens: Sequence[str],
    token_spans: Sequence[tuple[int, int]],
    notes: dict[str, int],
    type_prefix: str = "",
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Words and BIO tags of one MTOP/MTOD row; adds its counts to ``notes`` (see :data:`JOINT_NOTES`)."""
    if not utterance.strip():
        raise ValueError("empty utterance")
    slots = parse_slot_field(slot_field, len(utterance), type_prefix)
    words = words_from_tokens(utterance, tokens, token_spans)
    bio = slots_to_bio(words.spans, slots)
    for key, count in (
        ("slots", len(slots)),
        ("misaligned_spans", bio.misaligned),
        ("overlapping_slots", bio.overlapping),
        ("unmatched_slots", bio.unmatched),
        ("clamped_slot_starts", sum(slot.clamped for slot in slots)),
        ("token_spans_repaired", words.offsets in ("nfd", "utf-8")),
        ("token_text_mismatch", words.offsets == "as-given"),
    ):
        notes[key] = notes.get(key, 0) + int(count)
    return words.words, bio.tags
