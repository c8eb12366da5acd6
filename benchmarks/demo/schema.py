"""The demo task's schema: languages, intents, their domains, and where each slot's values come from.

Owns the facts every other demo module shares. Knows nothing of words: the templates
(``templates_<lang>.py``) and the values (``values.py``, ``times.py``) say how each
language writes them.

The intents are chosen to be confusable, because the demo must be hard enough that
English-only training does not reach the ceiling on the target languages: alarms,
reminders and timers share times and durations (``in 20 minutes`` is a DATE_TIME,
``for 20 minutes`` a DURATION); playing music and adding to a playlist share songs and
artists; messages, calls and reading messages share contacts; weather and directions
share city names (LOCATION vs DESTINATION).
"""

from __future__ import annotations

import attrs

ENGLISH = "en"
LANGUAGES = ("en", "de", "es", "fr", "hi", "th")
TARGET_LANGUAGES = LANGUAGES[1:]
LOCALES = {language: f"{language}_XX" for language in LANGUAGES}  # as MTOP writes them
NON_LATIN_SCRIPTS = {"hi": "Devanagari", "th": "Thai"}


@attrs.frozen
class IntentSpec:
    """An intent: its MTOP-style name, its domain and, per slot type, the value pool it draws from."""

    name: str
    domain: str
    pools: dict[str, str]


INTENTS = (
    IntentSpec("IN:SET_ALARM", "alarm", {"DATE_TIME": "moment"}),
    IntentSpec("IN:DELETE_ALARM", "alarm", {"DATE_TIME": "clock"}),
    IntentSpec("IN:CREATE_TIMER", "timer", {"DURATION": "duration"}),
    IntentSpec("IN:DELETE_TIMER", "timer", {}),
    IntentSpec("IN:CREATE_REMINDER", "reminder", {"TODO": "todo", "DATE_TIME": "moment"}),
    IntentSpec("IN:GET_REMINDER", "reminder", {"DATE_TIME": "day"}),
    IntentSpec("IN:GET_WEATHER", "weather", {"LOCATION": "city", "DATE_TIME": "day", "WEATHER_ATTRIBUTE": "weather"}),
    IntentSpec("IN:PLAY_MUSIC", "music", {"ARTIST": "artist", "SONG": "song", "GENRE": "genre"}),
    IntentSpec("IN:ADD_TO_PLAYLIST", "music", {"SONG": "song", "ARTIST": "artist", "PLAYLIST": "playlist"}),
    IntentSpec("IN:SEND_MESSAGE", "messaging", {"CONTACT": "person", "CONTENT_EXACT": "message"}),
    IntentSpec("IN:GET_MESSAGE", "messaging", {"CONTACT": "person"}),
    IntentSpec("IN:CREATE_CALL", "calling", {"CONTACT": "person"}),
    IntentSpec("IN:GET_DIRECTIONS", "navigation", {"DESTINATION": "city", "METHOD_TRAVEL": "travel"}),
    IntentSpec("IN:GET_ESTIMATED_DURATION", "navigation", {"DESTINATION": "city", "METHOD_TRAVEL": "travel"}),
)
INTENTS_BY_NAME = {intent.name: intent for intent in INTENTS}


def domains() -> tuple[str, ...]:
    """Domains in order of first appearance."""
    return tuple(dict.fromkeys(intent.domain for intent in INTENTS))


def slot_types() -> tuple[str, ...]:
    """Slot types in order of first appearance."""
    return tuple(dict.fromkeys(slot for intent in INTENTS for slot in intent.pools))
