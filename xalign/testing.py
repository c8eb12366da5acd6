"""Helpers for testing xalign and its plugins: a fresh registry, a tiny random encoder.

Nothing here downloads anything: the tiny encoder is a 2-layer BERT with random weights
and a word-level tokenizer built from a vocabulary given in code.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from xalign.encoders import EncoderRequest, LoadedEncoder
from xalign.hookspecs import hookimpl
from xalign.registry import Registry, new_plugin_manager

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


@contextlib.contextmanager
def restored_logging() -> Iterator[None]:
    """The root logger's handlers and level as they were, whatever the block set up in between.

    The benchmarks runner configures logging for its process; run in process by a test, it
    would otherwise leave its handlers (and their open log files) on the root logger.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)


@contextlib.contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Run the block with ``count`` torch intra-op threads, then restore the previous number.

    Tiny test models gain nothing from threads, and on shared cores extra threads spin
    against other work.
    """
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def fresh_registry(*plugins: object, entry_points: bool = True, strict: bool | None = None) -> Registry:
    """A registry of its own (installed entry points, plus ``plugins`` registered in-process).

    ``strict`` defaults to the ``XALIGN_STRICT_PLUGINS`` environment variable.
    """
    registry = Registry(new_plugin_manager(), strict=strict)
    if entry_points:
        registry.load_entry_points()
    for plugin in plugins:
        registry.register_plugin(plugin)
    return registry


def tiny_tokenizer(words: Iterable[str]):
    """A fast word-level tokenizer over ``words`` plus a few subword pieces (lower-cased)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocabulary = {token: index for index, token in enumerate(SPECIAL_TOKENS)}
    for word in sorted({w.lower() for w in words}):
        vocabulary.setdefault(word, len(vocabulary))
    for piece in "abcdefghijklmnopqrstuvwxyz0123456789":  # so unknown words split into pieces
        vocabulary.setdefault(f"##{piece}", len(vocabulary))
    tokenizer = Tokenizer(models.WordPiece(vocabulary, unk_token="[UNK]", max_input_chars_per_word=50))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    cls_id, sep_id = vocabulary["[CLS]"], vocabulary["[SEP]"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]", model_max_length=512
    )


def tiny_encoder(words: Iterable[str], hidden_size: int = 32, layers: int = 2, seed: int = 0) -> LoadedEncoder:
    """A randomly initialised 2-layer BERT and a tokenizer for ``words``."""
    import torch
    from transformers import BertConfig, BertModel

    tokenizer = tiny_tokenizer(words)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=hidden_size * 2, max_position_embeddings=128, pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    return LoadedEncoder(model=BertModel(config), tokenizer=tokenizer, default_pooler="mean", source="tiny random BERT")


def save_tiny_encoder(directory: str | Path, words: Iterable[str], **kwargs) -> Path:
    """Write a tiny random encoder as an ordinary Hugging Face directory."""
    loaded = tiny_encoder(words, **kwargs)
    directory = Path(directory)
    loaded.model.save_pretrained(directory)
    loaded.tokenizer.save_pretrained(directory)
    return directory


class TinyEncoderPlugin:
    """A plugin registering ``tiny-random`` over a fixed vocabulary (for tests)."""

    def __init__(self, words: Sequence[str], name: str = "tiny-random"):
        self.words = tuple(words)
        self.name = name

    @hookimpl
    def xalign_register_encoders(self, register):
        def factory(request: EncoderRequest) -> LoadedEncoder:
            return tiny_encoder(self.words)

        register(self.name, factory)
