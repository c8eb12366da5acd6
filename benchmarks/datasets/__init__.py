"""Loaders for the four datasets of the XeroAlign paper, as published: MTOP, MTOD, PAWS-X, MultiATIS++.

One loader per file, each following :class:`~benchmarks.datasets.base.DatasetLoader`.
They turn dataset files into :mod:`xalign.data.examples` records and know nothing of
tokenizers, tensors or training. The core's plugin hook ``xalign_register_datasets``
calls :func:`register_builtin_datasets`.
"""

from __future__ import annotations

from typing import Any, Callable

from benchmarks.datasets.base import DatasetLoader, LoadedSplit, MissingDatasetError, Skip, TranslationSet
from benchmarks.datasets.languages import KNOWN_LANGUAGES, UnknownLanguageError, normalize_language
from benchmarks.datasets.mtod import MtodLoader
from benchmarks.datasets.mtop import MtopLoader
from benchmarks.datasets.multiatis import MultiAtisLoader
from benchmarks.datasets.paws_x import PawsXLoader

BUILTIN_DATASETS: dict[str, Callable[[], DatasetLoader]] = {
    "mtop": MtopLoader,
    "mtod": MtodLoader,
    "paws-x": PawsXLoader,
    "multiatis": MultiAtisLoader,
}


def register_builtin_datasets(register: Callable[[str, Callable[[], Any]], None]) -> None:
    """Call ``register(name, factory)`` for each built-in dataset; ``factory()`` returns its loader."""
    for name, factory in BUILTIN_DATASETS.items():
        register(name, factory)


__all__ = [
    "BUILTIN_DATASETS",
    "KNOWN_LANGUAGES",
    "DatasetLoader",
    "LoadedSplit",
    "MissingDatasetError",
    "MtodLoader",
    "MtopLoader",
    "MultiAtisLoader",
    "PawsXLoader",
    "Skip",
    "TranslationSet",
    "UnknownLanguageError",
    "normalize_language",
    "register_builtin_datasets",
]
