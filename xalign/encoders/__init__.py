"""Encoders: a pretrained transformer, its tokenizer and its usage defaults.

An encoder factory (registered under a short name) returns a :class:`LoadedEncoder`.
Encoders know nothing of poolers, heads or losses.
"""

from __future__ import annotations

import attrs
from torch import nn


@attrs.frozen(kw_only=True)
class EncoderRequest:
    """What the builder asks of an encoder factory."""

    init: str = "pretrained"  # "pretrained" or "random" (architecture only)
    tokenizer: str | None = None  # another tokenizer (id or directory) to use instead
    trust_remote_code: bool = False


@attrs.define
class LoadedEncoder:
    """A loaded encoder and the defaults its model card asks for."""

    model: nn.Module  # a transformers PreTrainedModel returning last_hidden_state
    tokenizer: object  # a transformers fast tokenizer
    default_pooler: str = "cls"
    text_prefix: str = ""  # prepended to every input text (e5: "query: ")
    source: str = ""  # where the weights came from, for logs and saved configs


__all__ = ["EncoderRequest", "LoadedEncoder"]
