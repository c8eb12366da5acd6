"""Language codes: the one place that turns ``th_TH``, ``TH``, ``en_XX`` or ``pt-BR`` into ``th``, ``en``, ``pt``.

Datasets spell languages in different ways: MTOP and MTOD locale columns use ``es_XX``
and ``th_TH``, MultiATIS++ file names use ``EN``, PAWS-X folders use ``en``. Loaders and
runners normalise through :func:`normalize_language` so that the rest of xalign sees
two-letter ISO 639-1 codes only. Knows nothing of files or of any dataset's layout.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from xalign.errors import DataError

KNOWN_LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "ja": "Japanese",
    "ko": "Korean",
    "pt": "Portuguese",
    "th": "Thai",
    "tr": "Turkish",
    "zh": "Chinese",
}
"""Every language of the four datasets of the XeroAlign paper: the codes accepted when a
loader passes no list of its own."""


class UnknownLanguageError(DataError):
    """A language code that no dataset here knows; the message lists the known ones."""


def normalize_language(code: str, known: Iterable[str] | None = None) -> str:
    """The two-letter code for ``code``: ``th_TH``, ``TH``, ``th`` and ``th-th`` all give ``th``.

    ``known`` restricts the accepted languages (a dataset's own list); by default every
    language in :data:`KNOWN_LANGUAGES` is accepted. An unknown code raises
    :class:`UnknownLanguageError` naming the accepted codes and the closest one.
    """
    accepted = tuple(known) if known is not None else tuple(KNOWN_LANGUAGES)
    if not isinstance(code, str) or not code.strip():
        raise UnknownLanguageError(f"empty language code; known languages: {', '.join(accepted)}")
    language = code.strip().replace("-", "_").split("_", 1)[0].lower()
    if language in accepted:
        return language
    close = difflib.get_close_matches(language, accepted, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownLanguageError(f"unknown language code {code!r}; known languages: {', '.join(accepted)}.{hint}")
