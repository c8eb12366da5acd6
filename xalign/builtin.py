"""The core's own components, registered through the same hooks as any plugin.

Loaded from the ``xalign`` entry-point group (``builtin = "xalign.builtin"`` in
pyproject.toml), exactly like a third-party plugin; nothing here is special-cased.
"""

from __future__ import annotations

from xalign.aligners.cosine import CosineAligner
from xalign.aligners.mse import MSEAligner
from xalign.encoders.named import NamedEncoder
from xalign.heads.classification import SequenceClassificationHead
from xalign.heads.joint import JointIntentSlotHead
from xalign.heads.token_classification import TokenClassificationHead
from xalign.hookspecs import hookimpl
from xalign.poolers import POOLERS
from xalign.training.trackers import CsvLogger, TensorBoardLogger
from xalign.weighting import FixedWeighting


@hookimpl
def xalign_register_encoders(register):
    register("xlmr-base", NamedEncoder("xlm-roberta-base"))
    register("xlmr-large", NamedEncoder("xlm-roberta-large"))
    register("mbert", NamedEncoder("bert-base-multilingual-cased"))


@hookimpl
def xalign_register_poolers(register):
    for name, factory in POOLERS.items():
        register(name, factory)


@hookimpl
def xalign_register_aligners(register):
    register("mse", MSEAligner)
    register("cosine", CosineAligner)


@hookimpl
def xalign_register_heads(register):
    register("sequence-classification", SequenceClassificationHead)
    register("token-classification", TokenClassificationHead)
    register("joint-intent-slot", JointIntentSlotHead)


@hookimpl
def xalign_register_weightings(register):
    register("fixed", FixedWeighting)


@hookimpl
def xalign_register_loggers(register):
    register("csv", CsvLogger)
    register("tensorboard", TensorBoardLogger)  # needs the [tensorboard] extra, checked when a run asks for it
