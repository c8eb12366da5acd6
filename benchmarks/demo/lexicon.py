"""The slot-value record shared by the value tables: one meaning, written per language.

Owns :class:`Value`. A value is a *concept* (``city:munich``) with its written form in
each language (``Munich``, ``München``, ``Múnich``, ``म्यूनिख``, ``มิวนิก``); parallel
utterances (the same id in every language) use the same concepts, which is what makes
them translations of each other. Forms follow the template syntax of
:mod:`benchmarks.demo.utterance` (spaces are word boundaries, also in Thai).
"""

from __future__ import annotations

import attrs

from benchmarks.demo.schema import LANGUAGES


@attrs.frozen
class Value:
    """A slot value: ``key`` names the concept, ``forms`` writes it per language.

    ``machine_forms`` overrides ``forms`` in the alignment translations, where a machine
    translation writes a value differently from a native speaker (``um 7 Uhr morgens``
    instead of ``um 7 Uhr``). ``artist`` links a song to its artist's key.
    """

    key: str
    forms: dict[str, str]
    machine_forms: dict[str, str] = attrs.Factory(dict)
    artist: str | None = None

    def __attrs_post_init__(self) -> None:
        missing = [language for language in LANGUAGES if not self.forms.get(language, "").strip()]
        if missing:
            raise ValueError(f"value {self.key!r} has no form in {', '.join(missing)}")

    def form(self, language: str, machine: bool = False) -> str:
        """How ``language`` writes this value (as a machine translation would, when ``machine``)."""
        if machine and language in self.machine_forms:
            return self.machine_forms[language]
        return self.forms[language]


def value(key: str, en: str, de: str | None = None, es: str | None = None, fr: str | None = None,
          hi: str | None = None, th: str | None = None, artist: str | None = None) -> Value:
    """A value whose form in a language left out is the English one (names written alike)."""
    written = {"en": en, "de": de, "es": es, "fr": fr, "hi": hi, "th": th}
    return Value(key, {language: form if form is not None else en for language, form in written.items()}, artist=artist)
