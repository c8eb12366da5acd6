"""Token-level alignment for slot filling, as an xalign plugin.

One loss per module, usable from Python or by name once this distribution is installed
(``xalign_tokenalign.plugin``)::

    token-align      TokenAlignAligner      Hausdorff divergence between token states of both sides
    slot-projection  SlotProjectionAligner  English slot labels projected onto the translation

``alignment`` holds the alignments both use (and the word units), ``tags`` the slot types and span counts
the projection needs; ``python -m xalign_tokenalign.diagnose``
reports how sharp and how diagonal a trained model's alignments are on a parallel file, and
``python -m xalign_tokenalign.projection_quality`` scores the labels ``slot-projection``
projects against the gold labels of a labelled parallel dataset.
"""

from xalign_tokenalign.slot_projection import SlotProjectionAligner
from xalign_tokenalign.token_align import TokenAlignAligner

__all__ = ["SlotProjectionAligner", "TokenAlignAligner"]
