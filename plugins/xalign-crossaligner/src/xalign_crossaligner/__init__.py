"""CrossAligner & Co (Gritta, Hu & Iacobacci, Findings of ACL 2022) for xalign, as a plugin.

One loss per module, each usable directly from Python or by name through xalign's
registry once this distribution is installed (``xalign_crossaligner.plugin``)::

    contrastive       ContrastiveAligner      in-batch cross-entropy over cosine similarities
    translate-intent  TranslateIntentAligner  the intent head on translations, English labels
    slot-types        SlotTypesAligner        slot labels present, from flattened slot logits (the authors')
    slot-types-mean   SlotTypesMeanAligner    slot types present, from the mean token state (a variant)
    cov               CoVWeighting            raw CoV weights on the alignment losses, task losses at 1 (the authors')
    cov-all           CoVAllWeighting         normalised CoV weights on every loss (Groenendijk et al.)
"""

from xalign_crossaligner.contrastive import ContrastiveAligner
from xalign_crossaligner.cov import CoVWeighting
from xalign_crossaligner.cov_all import CoVAllWeighting
from xalign_crossaligner.slot_types import SlotTypesAligner
from xalign_crossaligner.slot_types_mean import SlotTypesMeanAligner
from xalign_crossaligner.translate_intent import TranslateIntentAligner

__all__ = [
    "CoVAllWeighting",
    "CoVWeighting",
    "ContrastiveAligner",
    "SlotTypesAligner",
    "SlotTypesMeanAligner",
    "TranslateIntentAligner",
]
