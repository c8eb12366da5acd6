"""CrossAligner & Co (Gritta, Hu & Iacobacci, Findings of ACL 2022) for xalign, as a plugin.

One loss per module, each usable directly from Python or by name through xalign's
registry once this distribution is installed (``xalign_crossaligner.plugin``)::

    contrastive       ContrastiveAligner      in-batch cross-entropy over cosine similarities
    translate-intent  TranslateIntentAligner  the intent head on translations, English labels
    slot-types        SlotTypesAligner        multi-label slot types from both sides' tokens
    cov               CoVWeighting            coefficient-of-variation loss weighting
"""

from xalign_crossaligner.contrastive import ContrastiveAligner
from xalign_crossaligner.cov import CoVWeighting
from xalign_crossaligner.slot_types import SlotTypesAligner
from xalign_crossaligner.translate_intent import TranslateIntentAligner

__all__ = ["CoVWeighting", "ContrastiveAligner", "SlotTypesAligner", "TranslateIntentAligner"]
