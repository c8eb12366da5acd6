"""Registers the benchmark datasets through the same ``xalign`` hooks a third party would use."""

from __future__ import annotations

from benchmarks.datasets import DemoLoader, register_builtin_datasets
from xalign.hookspecs import hookimpl


@hookimpl
def xalign_register_datasets(register):
    register_builtin_datasets(register)
    register("demo", DemoLoader)
