"""Registers the benchmark datasets through the same ``xalign`` hooks a third party would use."""

from __future__ import annotations

from benchmarks.datasets import register_builtin_datasets
from benchmarks.demo_dataset import DemoLoader
from xalign.hookspecs import hookimpl


@hookimpl
def xalign_register_datasets(register):
    register_builtin_datasets(register)
    register("demo", DemoLoader)
