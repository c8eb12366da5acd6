"""Saving and loading an assembly as a directory (safetensors + JSON, never pickle).

Layout::

    model_dir/
      xalign_config.json   the full resolved config (model and training)
      model.safetensors    every parameter of the assembly (encoder, pooler, head, aligner)
      encoder/             the encoder's Hugging Face config.json and tokenizer files

Loading rebuilds the encoder architecture from ``encoder/config.json`` (no weights are
downloaded) and restores every tensor strictly, so predictions are identical.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from safetensors.torch import load_model, save_model

from xalign.assembly import Assembly
from xalign.config import XalignConfig
from xalign.encoders import LoadedEncoder
from xalign.errors import ModelNotFoundError
from xalign.registry import Registry

CONFIG_FILE = "xalign_config.json"
WEIGHTS_FILE = "model.safetensors"
ENCODER_DIR = "encoder"


def is_saved_assembly(path: str | Path) -> bool:
    return (Path(path) / CONFIG_FILE).is_file()


def save_pretrained(assembly: Assembly, directory: str | Path) -> Path:
    """Write the assembly to ``directory`` atomically (a temporary sibling, then a rename)."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        (staging / CONFIG_FILE).write_text(assembly.config.to_json() + "\n", encoding="utf-8")
        save_model(assembly, str(staging / WEIGHTS_FILE), metadata={"format": "pt", "library": "xalign"})
        assembly.encoder.config.save_pretrained(staging / ENCODER_DIR)
        assembly.tokenizer.save_pretrained(staging / ENCODER_DIR)
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            directory.rename(old)
            staging.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def load_pretrained(directory: str | Path, registry: Registry | None = None, device: str | None = None) -> Assembly:
    """Restore an assembly saved by :func:`save_pretrained`."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from xalign.builder import assemble

    directory = Path(directory)
    if not is_saved_assembly(directory):
        raise ModelNotFoundError(f"{directory} is not a saved xalign model: {CONFIG_FILE} is missing")
    config = XalignConfig.load(directory / CONFIG_FILE)
    encoder_config = AutoConfig.from_pretrained(directory / ENCODER_DIR, local_files_only=True)
    encoder = AutoModel.from_config(encoder_config)
    tokenizer = AutoTokenizer.from_pretrained(directory / ENCODER_DIR, local_files_only=True)
    loaded = LoadedEncoder(model=encoder, tokenizer=tokenizer, default_pooler=config.model.pooler or "cls", text_prefix=config.model.text_prefix or "", source=str(directory))
    assembly, _ = assemble(config, loaded, registry)
    missing, unexpected = load_model(assembly, str(directory / WEIGHTS_FILE), strict=True, device=device or "cpu")
    assembly.eval()
    return assembly
