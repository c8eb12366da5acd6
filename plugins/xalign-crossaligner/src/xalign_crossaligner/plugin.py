"""Registers the CrossAligner & Co components with xalign (entry point ``crossaligner`` in group ``xalign``).

Aligners: ``contrastive``, ``translate-intent``, ``slot-types`` (the authors' formulation)
and ``slot-types-mean`` (a variant); loss weightings: ``cov`` (the authors' scheme) and
``cov-all`` (Groenendijk et al.'s, over every loss). Combine aligners by name anywhere one
aligner is accepted: ``--aligner mse+contrastive``, ``--aligner mse:1.0,translate-intent:0.5``,
``--weighting cov``.
"""

from __future__ import annotations

import xalign

from xalign_crossaligner.contrastive import ContrastiveAligner
from xalign_crossaligner.cov import CoVWeighting
from xalign_crossaligner.cov_all import CoVAllWeighting
from xalign_crossaligner.slot_types import SlotTypesAligner
from xalign_crossaligner.slot_types_mean import SlotTypesMeanAligner
from xalign_crossaligner.translate_intent import TranslateIntentAligner


@xalign.hookimpl
def xalign_register_aligners(register):
    register("contrastive", ContrastiveAligner)
    register("translate-intent", TranslateIntentAligner)
    register("slot-types", SlotTypesAligner)  # its signature asks for labels and max_length
    register("slot-types-mean", SlotTypesMeanAligner)  # its signature asks for hidden_size and labels


@xalign.hookimpl
def xalign_register_weightings(register):
    register("cov", CoVWeighting)
    register("cov-all", CoVAllWeighting)
