"""Slot tags as types plus B/I, for carrying labels across a translation.

A projection moves slot *types* (``B-TIME``/``I-TIME`` -> ``TIME``) from English words onto
translation tokens and rebuilds B/I in the translation's own order; the guard compares how
many spans of each type the two sides hold. Both need the same view of a label set: which
tag id begins or continues each type, and where a span starts.
"""

from __future__ import annotations

import torch

OUTSIDE = "O"


def split_tag(tag: str) -> tuple[str, str | None]:
    """``B-TIME`` -> ``("TIME", "B")``, ``I-TIME`` -> ``("TIME", "I")``, ``O`` or a bare type -> ``(tag, None)``."""
    if len(tag) > 2 and tag[1] == "-" and tag[0] in "BI":
        return tag[2:], tag[0]
    return tag, None


class TagSpace:
    """The slot tags as types plus B/I: which tag id starts or continues each type."""

    def __init__(self, slot_labels: tuple[str, ...], bio: str):
        parts = [split_tag(tag) for tag in slot_labels]
        self.is_bio = bio == "repair" and all(prefix is not None for tag, (_, prefix) in zip(slot_labels, parts) if tag != OUTSIDE)
        if not self.is_bio:  # every tag is its own type
            parts = [(tag, None) for tag in slot_labels]
        names = [name for name, _ in parts]
        self.types = tuple(dict.fromkeys(names))
        index = {name: position for position, name in enumerate(self.types)}
        self.tag_to_type = [index[name] for name in names]
        self.begin = [-1] * len(self.types)
        self.inside = [-1] * len(self.types)
        for tag_id, (name, prefix) in enumerate(parts):
            (self.inside if prefix == "I" else self.begin)[index[name]] = tag_id
        for kind in range(len(self.types)):  # a type seen only as B- or only as I- keeps all its mass there
            if self.begin[kind] < 0:
                self.begin[kind] = self.inside[kind]
            if self.inside[kind] < 0:
                self.inside[kind] = self.begin[kind]
        self.outside_type = index.get(OUTSIDE, -1)

    def span_counts(self, types: torch.Tensor, mask: torch.Tensor, begins: torch.Tensor) -> torch.Tensor:
        """``[pairs, types]``: spans of each slot type in each row, over the masked-in positions in order.

        A span starts where a slot type follows a different type (or ``O``, or the start), or
        where the tag says ``B-``; the ``O`` column is zero.
        """
        order = torch.sort((~mask).to(torch.int8), dim=1, stable=True).indices  # masked-in positions first, in order
        types, mask, begins = types.gather(1, order), mask.gather(1, order), begins.gather(1, order)
        previous = torch.cat([torch.full_like(types[:, :1], -1), types[:, :-1]], dim=1)
        starts = mask & ((types != previous) | begins)
        if self.outside_type >= 0:
            starts = starts & (types != self.outside_type)
        counts = torch.zeros(types.shape[0], len(self.types), device=types.device)
        return counts.scatter_add_(1, types, starts.float())
