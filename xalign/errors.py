"""Typed errors. Each says what went wrong, where, and what to do next.

A message that quotes input data quotes an :func:`excerpt` of it: one 5 MB line must not
put 5 MB on stderr. :class:`DataError` applies the same bound to its whole message, so a
loader that echoes a line without cutting it still gives a readable error.
"""

from __future__ import annotations

from pathlib import Path

EXCERPT_LIMIT = 200
"""Characters of input data quoted in a message."""

MESSAGE_LIMIT = 1000
"""Characters of a :class:`DataError` problem; longer ones lose their middle."""


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and end around a note
    saying how many characters were cut (the result has about ``limit`` characters plus the note).

    The end is kept as well as the start because a message usually says what is wrong first
    and what to do last, and because the damage in a data line may be near its end.
    """
    if len(text) <= limit:
        return text
    head = max(1, limit * 3 // 4)
    tail = max(0, limit - head)
    cut = len(text) - head - tail
    return f"{text[:head]}...[{cut} characters cut]...{text[len(text) - tail:] if tail else ''}"


class XalignError(Exception):
    """Base class of every error xalign raises on purpose."""


class ConfigError(XalignError, ValueError):
    """A configuration value is wrong; the message names every bad field."""


class UnknownComponentError(XalignError, KeyError):
    """A component name is not registered for its kind."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class PluginError(XalignError):
    """A plugin failed (at import or in a hook) and a run needs what it provides, or
    ``XALIGN_STRICT_PLUGINS=1`` makes any plugin problem an error."""


class DuplicateComponentError(PluginError):
    """Two plugins registered the same name for the same kind."""


class ModelNotFoundError(XalignError, OSError):
    """Model weights could not be found locally (no hub is assumed reachable)."""


class DataError(XalignError, ValueError):
    """Bad input data, located by file and line (1-based) when known."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None):
        self.problem = excerpt(problem, MESSAGE_LIMIT)
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{self.problem}")


class TrainingError(XalignError, RuntimeError):
    """Training cannot go on (e.g. a non-finite loss)."""
