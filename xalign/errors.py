"""Typed errors. Each says what went wrong, where, and what to do next."""

from __future__ import annotations

from pathlib import Path


class XalignError(Exception):
    """Base class of every error xalign raises on purpose."""


class ConfigError(XalignError, ValueError):
    """A configuration value is wrong; the message names every bad field."""


class UnknownComponentError(XalignError, KeyError):
    """A component name is not registered for its kind."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class DuplicateComponentError(XalignError):
    """Two plugins registered the same name for the same kind."""


class ModelNotFoundError(XalignError, OSError):
    """Model weights could not be found locally (no hub is assumed reachable)."""


class DataError(XalignError, ValueError):
    """Bad input data, located by file and line (1-based) when known."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{problem}")


class TrainingError(XalignError, RuntimeError):
    """Training cannot go on (e.g. a non-finite loss)."""
