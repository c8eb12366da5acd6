"""Alignment losses: one per file; each compares source rows with their translations.

Inputs: ``source [batch, dim]`` and ``target [batch, dim]``, row i of one paired with row i
of the other. Output: a scalar. Aligners know nothing of tokenizers or datasets.
"""
