"""Loaders for the four datasets of the XeroAlign paper, as published (MTOP, MTOD, PAWS-X,
MultiATIS++), and for the generated demo dataset.

One loader per file, each following the core's :class:`xalign.datasets.DatasetLoader`
contract. They turn dataset files into :mod:`xalign.data.examples` records and know
nothing of tokenizers, tensors or training. :mod:`benchmarks.plugin` registers them
through the ``xalign_register_datasets`` hook, as any plugin would.
"""

from __future__ import annotations

from typing import Any, Callable

from benchmarks.datasets.demo import DemoLoader
from benchmarks.datasets.mtod import MtodLoader
from benchmarks.datasets.mtop import MtopLoader
from benchmarks.datasets.multiatis import MultiAtisLoader
from benchmarks.datasets.paws_x import PawsXLoader

BUILTIN_DATASETS: dict[str, Callable[[], Any]] = {
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
    "DemoLoader",
    "MtodLoader",
    "MtopLoader",
    "MultiAtisLoader",
    "PawsXLoader",
    "register_builtin_datasets",
]
