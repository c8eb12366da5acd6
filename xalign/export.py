"""Exporting the aligned encoder as a sentence-transformers model.

``export_sentence_transformers(model_dir, out)`` writes a directory that
``SentenceTransformer(out)`` loads, made with the library's own modules: a Transformer
(the aligned encoder and its tokenizer, rows cut at the model's training length), the
Pooling mode that computes what the xalign pooler computes, and, for the ``pooler``
pooler (the encoder's own dense + tanh over the first token), a Dense module holding
those weights. The encoder's text prefix (e5's ``query: ``) becomes the default prompt,
so ``SentenceTransformer(out).encode(texts)`` returns :func:`xalign.embed`'s vectors.
The task head is not part of the export; :func:`xalign.load_pretrained` keeps it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from xalign.assembly import Assembly
from xalign.errors import ConfigError


def prompt_name(prefix: str) -> str:
    """A name for the prefix as a prompt: ``"query: "`` -> ``"query"``, else ``"default"``."""
    word = prefix.strip().rstrip(":").strip()
    return word if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", word) else "default"


def _pooling_modules(assembly: Assembly):
    from sentence_transformers.base.modules import Dense
    from sentence_transformers.sentence_transformer.modules import Pooling
    from torch import nn

    from xalign.poolers import SENTENCE_TRANSFORMERS_MODES

    name = assembly.config.model.pooler
    hidden = assembly.encoder.config.hidden_size
    modes = {pooler: mode for mode, pooler in SENTENCE_TRANSFORMERS_MODES.items()}
    if name in modes:
        return [Pooling(hidden, pooling_mode=modes[name])]
    if name == "pooler":
        dense = getattr(getattr(assembly.encoder, "pooler", None), "dense", None)
        if not isinstance(dense, nn.Linear):
            raise ConfigError("pooler 'pooler' reads the encoder's pooling layer, but this encoder has none to export")
        return [Pooling(hidden, pooling_mode="cls"), Dense(hidden, dense.out_features, activation_function=nn.Tanh(),
                                                             init_weight=dense.weight.detach().cpu(), init_bias=dense.bias.detach().cpu())]
    raise ConfigError(
        f"pooler {name!r} has no sentence-transformers equivalent (exportable: {', '.join([*modes, 'pooler'])}); "
        "export a model trained with one of those"
    )


def export_sentence_transformers(model: str | Path | Assembly, output: str | Path, trust_remote_code: bool = False) -> Path:
    """Write ``model`` (a saved model directory or an assembly) to ``output`` as a sentence-transformers model.

    Written atomically (a temporary sibling, then a rename); an existing ``output`` is replaced.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules import Transformer

    from xalign.encoders.huggingface import quiet_transformers
    from xalign.model_card import write_model_card
    from xalign.persistence import ENCODER_DIR, HEAD_FILE, is_saved_assembly, load_pretrained

    source_dir = None
    if not isinstance(model, Assembly):
        source_dir = Path(model)
        assembly = load_pretrained(source_dir, trust_remote_code=trust_remote_code)
    else:
        assembly = model
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    scratch = None
    try:
        if source_dir is not None and (source_dir / HEAD_FILE).is_file():
            encoder_dir = source_dir / ENCODER_DIR  # already a complete Hugging Face directory
        else:  # an assembly in memory, or a model saved by xalign 0.1
            scratch = Path(tempfile.mkdtemp(prefix=".encoder.", dir=output.parent))
            with quiet_transformers():
                assembly.encoder.save_pretrained(scratch)
            assembly.tokenizer.save_pretrained(scratch)
            encoder_dir = scratch
        common = {"trust_remote_code": trust_remote_code, "local_files_only": True}
        with quiet_transformers():
            transformer = Transformer(
                str(encoder_dir), max_seq_length=assembly.config.model.max_length,
                model_kwargs=dict(common), config_kwargs=dict(common), processor_kwargs=dict(common),
            )
        prefix = assembly.text_prefix
        prompts = {prompt_name(prefix): prefix} if prefix else None
        exported = SentenceTransformer(
            modules=[transformer, *_pooling_modules(assembly)], device="cpu", prompts=prompts,
            default_prompt_name=prompt_name(prefix) if prefix else None,
        )
        with quiet_transformers():
            exported.save(str(staging), create_model_card=False)
        if source_dir is not None and is_saved_assembly(source_dir):
            write_model_card(source_dir, output=staging / "README.md", library_name="sentence-transformers")
        if output.exists():
            old = output.with_name(f".{output.name}.old-{os.getpid()}")
            output.rename(old)
            staging.rename(output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return output
