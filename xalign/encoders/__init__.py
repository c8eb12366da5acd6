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


def encoder_position_limit(encoder) -> int | None:
    """The longest row (special tokens included) the encoder's learned position embeddings
    allow, or None when they set no limit (relative positions only)."""
    encoder_config = getattr(encoder, "config", None)
    size = getattr(encoder_config, "max_position_embeddings", None)
    if type(size) is not int or getattr(encoder_config, "position_biased_input", True) is False:  # DeBERTa-v2/v3
        return None
    embeddings = getattr(encoder, "embeddings", None)
    padding_index = getattr(embeddings, "padding_idx", None)
    if type(padding_index) is int and hasattr(embeddings, "create_position_ids_from_input_ids"):
        size -= padding_index + 1  # RoBERTa-style: positions start after the padding index (XLM-R: 514 -> 512)
    return size


__all__ = ["EncoderRequest", "LoadedEncoder", "encoder_position_limit"]
