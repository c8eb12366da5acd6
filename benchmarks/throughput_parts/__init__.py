"""Pieces of ``python -m benchmarks.throughput``: the workload, the reference recipe, the meters."""
