"""Registers the token-level aligners with xalign (entry point ``tokenalign`` in group ``xalign``).

Aligners: ``token-align`` (Hausdorff divergence between the token states of a sentence and
its translation) and ``slot-projection`` (English slot labels projected onto the
translation through a word alignment read inside the encoder). Combine them with the sentence-level
aligner by name and weight: ``--aligner mse+token-align+slot-projection``; the measured
recipe, ``--aligner mse:3,contrastive:0.3,slot-projection``, also uses the ``contrastive``
loss of the xalign-crossaligner plugin.
"""

from __future__ import annotations

import xalign

from xalign_tokenalign.slot_projection import SlotProjectionAligner
from xalign_tokenalign.token_align import TokenAlignAligner


@xalign.hookimpl
def xalign_register_aligners(register):
    register("token-align", TokenAlignAligner)
    register("slot-projection", SlotProjectionAligner)  # its signature asks for the labels
