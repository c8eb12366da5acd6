"""Loading a sentence-transformers model directory as an encoder, through the library itself.

A sentence-transformers model is a pipeline of modules (``modules.json``): a Transformer,
then Pooling, then optional modules such as Dense or Normalize. xalign keeps the
transformer and its tokenizer as the encoder, turns the Pooling module into the registered
pooler that computes the same vector (:data:`xalign.poolers.SENTENCE_TRANSFORMERS_MODES`),
and the model's default prompt into the text prefix.

What xalign cannot reproduce is refused by name, never dropped: modules after the pooling
(Dense, Normalize, ...: xalign's task heads and aligners read the pooled vector itself),
several pooling modes concatenated, and pooling that leaves out the prompt tokens. Module
types are checked against the library's own Transformer and Pooling classes before
sentence-transformers imports or loads anything, so a ``modules.json`` cannot make it
import other code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xalign.encoders import LoadedEncoder
from xalign.errors import ConfigError, ModelNotFoundError

MODULES_FILE = "modules.json"

# The two module classes xalign honours, under every name sentence-transformers has used.
_TRANSFORMER_TYPES = {
    "sentence_transformers.models.Transformer",
    "sentence_transformers.base.modules.Transformer",
    "sentence_transformers.base.modules.transformer.Transformer",
}
_POOLING_TYPES = {
    "sentence_transformers.models.Pooling",
    "sentence_transformers.sentence_transformer.modules.Pooling",
    "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
}


def is_sentence_transformers_directory(path: Path) -> bool:
    return path.is_dir() and (path / MODULES_FILE).is_file()


def _read_modules(directory: Path) -> list[dict[str, Any]]:
    path = directory / MODULES_FILE
    try:
        modules = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelNotFoundError(f"{path}: not a readable sentence-transformers module list ({error})") from None
    if not isinstance(modules, list) or not all(isinstance(module, dict) and isinstance(module.get("type"), str) for module in modules):
        raise ModelNotFoundError(f"{path}: expected a list of modules, each with a 'type'")
    for module in modules:
        folder = module.get("path", "")
        if not isinstance(folder, str) or Path(folder).is_absolute() or ".." in Path(folder).parts:
            raise ModelNotFoundError(f"{path}: a module's 'path' must be a folder inside {directory}, found {folder!r}")
        if not isinstance(module.get("name", ""), str):
            raise ModelNotFoundError(f"{path}: a module's 'name' must be a string, found {module['name']!r}")
    return modules


def check_modules(directory: Path) -> None:
    """Refuse, by name, every module xalign cannot honour (before any is imported or loaded)."""
    modules = _read_modules(directory)
    kinds = [module["type"] for module in modules]
    unsupported = [
        f"{kind.rsplit('.', 1)[-1]} ({module.get('path') or module.get('name') or kind})"
        for module, kind in zip(modules, kinds)
        if kind not in _TRANSFORMER_TYPES | _POOLING_TYPES
    ]
    if unsupported:
        raise ConfigError(
            f"{directory}: sentence-transformers module(s) {', '.join(unsupported)} cannot be honoured by xalign, "
            "whose task heads and aligners read the pooled embedding directly; xalign refuses the model rather "
            "than drop them. To use the bare transformer, pass its directory (the one holding config.json) "
            "as the encoder and choose a pooler."
        )
    if len(kinds) != 2 or kinds[0] not in _TRANSFORMER_TYPES or kinds[1] not in _POOLING_TYPES:
        raise ConfigError(
            f"{directory}: xalign loads a sentence-transformers model made of one Transformer followed by one "
            f"Pooling module; this one has {', '.join(kind.rsplit('.', 1)[-1] for kind in kinds) or 'no modules'}"
        )


def pooler_name(pooling, directory: Path) -> str:
    """The registered xalign pooler computing what ``pooling`` (a ``Pooling`` module) computes."""
    from xalign.poolers import SENTENCE_TRANSFORMERS_MODES

    modes = (pooling.pooling_mode,) if isinstance(pooling.pooling_mode, str) else tuple(pooling.pooling_mode)
    if len(modes) != 1:
        raise ConfigError(
            f"{directory}: its Pooling module concatenates the modes {', '.join(modes)}, which gives a vector "
            "of several times the hidden size; xalign's poolers give one mode. Choose one pooler instead."
        )
    if not pooling.include_prompt:
        raise ConfigError(
            f"{directory}: its Pooling module leaves the prompt tokens out (include_prompt=false), which "
            "xalign's poolers do not do; xalign refuses the model rather than pool differently"
        )
    mode = modes[0]
    if mode not in SENTENCE_TRANSFORMERS_MODES:
        raise ConfigError(f"{directory}: pooling mode {mode!r} has no xalign pooler (known: {', '.join(SENTENCE_TRANSFORMERS_MODES)})")
    return SENTENCE_TRANSFORMERS_MODES[mode]


def default_prefix(model) -> str:
    """The text of the model's default prompt (e5: ``"query: "``), or ``""``."""
    name = getattr(model, "default_prompt_name", None)
    return (model.prompts.get(name) or "") if name else ""


def load_sentence_transformers_encoder(
    directory: Path, init: str = "pretrained", text_prefix: str = "", trust_remote_code: bool = False, local_files_only: bool = True,
) -> LoadedEncoder:
    """Load ``directory`` with :class:`sentence_transformers.SentenceTransformer`.

    ``text_prefix`` (when not empty) replaces the model's default prompt.
    """
    from xalign.encoders.huggingface import check_remote_code, quiet_transformers, read_config, reported_load_errors

    check_modules(directory)
    transformer_path = next(directory / module.get("path", "") for module in _read_modules(directory) if module["type"] in _TRANSFORMER_TYPES)
    read_config(transformer_path / "config.json")  # a damaged config.json is named before the library reads it
    check_remote_code(transformer_path, trust_remote_code)
    from sentence_transformers import SentenceTransformer

    # The library raises whatever a damaged file provokes (a TypeError for a Pooling config
    # without embedding_dimension, an AttributeError for prompts that are not a mapping).
    with reported_load_errors(str(directory), "sentence-transformers files (modules.json and each module's config)", str(directory)):
        with quiet_transformers():
            model = SentenceTransformer(str(directory), device="cpu", trust_remote_code=trust_remote_code, local_files_only=local_files_only)
        transformer, pooling = model[0], model[1]
        encoder = transformer.auto_model
        if init == "random":
            from transformers import AutoModel

            encoder = AutoModel.from_config(encoder.config, trust_remote_code=trust_remote_code)
        tokenizer = transformer.tokenizer
        if not getattr(tokenizer, "is_fast", False):
            raise ModelNotFoundError(f"{directory}: a fast tokenizer (tokenizer.json) is needed for word-to-subword label alignment")
        return LoadedEncoder(
            model=encoder,
            tokenizer=tokenizer,
            default_pooler=pooler_name(pooling, directory),
            text_prefix=text_prefix or default_prefix(model),
            source=f"{directory} (sentence-transformers)" + (" (random init)" if init == "random" else ""),
        )
