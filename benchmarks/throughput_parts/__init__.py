"""Pieces of ``python -m benchmarks.throughput`` alone: its meters and the one-technique-at-a-time timer.

The reference recipe and the workload, which the fidelity benchmark shares, are
:mod:`benchmarks.reference_recipe` and :mod:`benchmarks.workload`.
"""
