"""Example records, the collator and label alignment (files -> examples -> batches)."""

from xalign.data.examples import ClassificationExample, PairExample, SlotFillingExample, Translation

__all__ = ["ClassificationExample", "PairExample", "SlotFillingExample", "Translation"]
