"""Task heads: linear layers on the sentence embedding or on every token state.

A head's ``forward(token_states [batch, seq, hidden], sentence_embedding [batch, hidden])``
returns named logits; ``loss(logits, batch)`` returns named task losses, which the trainer
sums. Heads know nothing of tokenizers or alignment.
"""

from __future__ import annotations

import attrs

from xalign.config import string_tuple


@attrs.frozen
class LabelSpace:
    """The label names a head predicts; their order defines the class ids."""

    intent_labels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    slot_labels: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        for name in ("intent_labels", "slot_labels"):
            problem = string_tuple(getattr(self, name))
            if problem:
                raise ValueError(f"LabelSpace.{name} {problem}")


__all__ = ["LabelSpace"]
