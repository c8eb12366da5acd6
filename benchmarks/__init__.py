"""Benchmarks: dataset loaders, the runner and the report for the XeroAlign paper's four datasets."""
