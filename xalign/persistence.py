"""Saving and loading an assembly as a directory: a Hugging Face model plus its task head.

Layout::

    model_dir/
      encoder/             a complete Hugging Face model directory (transformers'
                           save_pretrained): config.json, model.safetensors, tokenizer files.
                           config.json carries the labels: id2label/label2id (the intent or
                           class labels; the slot tags for a slot-only head) and an "xalign"
                           block with intent_labels, slot_labels, head, pooler, text_prefix.
      head.safetensors     every other tensor of the assembly: task head, pooler and aligner
                           parameters, under their assembly names (head.*, aligner.*, ...)
      xalign_config.json   the full resolved config (model and training)
      README.md            the model card (xalign.model_card)

So ``AutoModel.from_pretrained(model_dir / "encoder")`` and ``AutoTokenizer`` load the
aligned encoder with plain transformers, and :func:`load_pretrained` rebuilds the whole
assembly. Only safetensors and JSON are read (no pickle), and no code shipped with a model
runs unless ``trust_remote_code=True``. Directories written by xalign 0.1 (one
``model.safetensors`` at the top, ``encoder/`` without weights) still load.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from safetensors import SafetensorError

from xalign.assembly import Assembly
from xalign.checksums import manifest_problems, write_manifest
from xalign.config import XalignConfig
from xalign.encoders import LoadedEncoder
from xalign.encoders.huggingface import reported_load_errors, unreadable_weights
from xalign.errors import ModelNotFoundError
from xalign.registry import Registry

if TYPE_CHECKING:
    from xalign.model_card import TrainingSummary

CONFIG_FILE = "xalign_config.json"
HEAD_FILE = "head.safetensors"
ENCODER_DIR = "encoder"
LEGACY_WEIGHTS_FILE = "model.safetensors"  # xalign 0.1: every tensor in one file at the top
WEIGHTS_FILE = LEGACY_WEIGHTS_FILE  # old name, kept for callers not yet moved to load_weights
FORMAT_VERSION = 2


def is_saved_assembly(path: str | Path) -> bool:
    return (Path(path) / CONFIG_FILE).is_file()


def _is_encoder_key(name: str) -> bool:
    return name.startswith("encoder.")


def head_state(assembly: Assembly) -> dict[str, torch.Tensor]:
    """Every tensor of the assembly outside the encoder, as safetensors can store it."""
    # Cloned so that tensors sharing storage are saved as separate entries (safetensors
    # refuses shared storage); the head and aligner are small.
    return {name: tensor.detach().to("cpu").contiguous().clone() for name, tensor in assembly.state_dict().items() if not _is_encoder_key(name)}


def labelled_encoder_config(assembly: Assembly, config: XalignConfig, training: TrainingSummary | None = None):
    """A copy of the encoder's config carrying the labels and what xalign needs to rebuild the model."""
    model = config.model
    encoder_config = copy.deepcopy(assembly.encoder.config)
    labels = model.intent_labels or model.slot_labels
    if labels:
        encoder_config.id2label = dict(enumerate(labels))
        encoder_config.label2id = {label: index for index, label in enumerate(labels)}
    block = {
        "format_version": FORMAT_VERSION,
        "intent_labels": list(model.intent_labels),
        "slot_labels": list(model.slot_labels),
        "head": model.head,
        "pooler": model.pooler,
        "aligner": model.aligner,
        "text_prefix": assembly.text_prefix,
        "max_length": model.max_length,
    }
    if training is not None:
        block["training_data"] = training.to_dict()
    encoder_config.xalign = block
    return encoder_config


SAVED_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def round_weights(module: torch.nn.Module, dtype: torch.dtype) -> None:
    """Round ``module``'s floating-point parameters and buffers to ``dtype`` in place, keeping
    their own dtype: afterwards they hold exactly the values a copy stored in ``dtype`` holds."""
    with torch.no_grad():
        for tensor in [*module.parameters(), *module.buffers()]:
            if tensor.is_floating_point() and tensor.dtype != dtype:
                tensor.copy_(tensor.to(dtype))


def save_pretrained(
    assembly: Assembly, directory: str | Path, config: XalignConfig | None = None, training: TrainingSummary | None = None,
    precision: str = "fp32",
) -> Path:
    """Write the assembly to ``directory`` atomically (a temporary sibling, then a rename).

    ``config`` is the config saved with it (default ``assembly.config``); the trainer passes
    the one it trained with, which may hold another ``TrainingConfig`` than the assembly's.
    ``training`` describes what it was trained on, for the model card (written without
    results; :func:`xalign.model_card.write_model_card` adds them). ``precision`` ("fp32",
    "fp16", "bf16") is the dtype the encoder's weights are stored in; below fp32 the
    assembly's own encoder weights are rounded to it first (:func:`round_weights`), so the
    assembly in memory and the one :func:`load_pretrained` returns give the same outputs.
    The task head is small and always stored in full precision.
    """
    from xalign.encoders.huggingface import quiet_transformers
    from xalign.model_card import write_model_card

    directory = Path(directory)
    config = config if config is not None else assembly.config
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        from safetensors.torch import save_file

        (staging / CONFIG_FILE).write_text(config.to_json() + "\n", encoding="utf-8")
        encoder = assembly.encoder
        original_config = encoder.config
        encoder.config = labelled_encoder_config(assembly, config, training)
        try:
            with quiet_transformers():
                encoder.save_pretrained(staging / ENCODER_DIR, state_dict=_stored_state(encoder, precision))
        finally:
            encoder.config = original_config
        assembly.tokenizer.save_pretrained(staging / ENCODER_DIR)
        save_file(head_state(assembly), str(staging / HEAD_FILE), metadata={"format": "pt", "library": "xalign", "xalign_format": str(FORMAT_VERSION)})
        write_model_card(staging, training=training)
        # Checksums of the weights, checked on every load (xalign.checksums). The JSON files are
        # checked by their readers, and the card gets results later.
        write_manifest(staging, [path.relative_to(staging).as_posix() for path in staging.rglob("*.safetensors")])
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


def _stored_state(encoder: torch.nn.Module, precision: str) -> dict[str, torch.Tensor] | None:
    """The encoder's state as stored at ``precision`` (None: as it is). transformers records
    the in-memory dtype (float32) in config.json, so ``AutoModel.from_pretrained`` also
    restores it in float32."""
    if precision not in SAVED_DTYPES:
        raise ValueError(f"precision {precision!r}: choose one of {', '.join(SAVED_DTYPES)}")
    dtype = SAVED_DTYPES[precision]
    if dtype == torch.float32:
        return None
    round_weights(encoder, dtype)
    return {name: tensor.to(dtype) if tensor.is_floating_point() else tensor for name, tensor in encoder.state_dict().items()}


def _device(device: str | torch.device | None) -> torch.device:
    if device is None:
        return torch.device("cpu")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def verify_checksums(directory: Path) -> None:
    """Check the weights against the checksums saved with them (directories saved before
    checksums were kept have none and load unchecked)."""
    problems = manifest_problems(directory)
    if problems:
        raise ModelNotFoundError(f"the saved model in {directory} is damaged: {'; '.join(problems)}. Delete {directory} and save or train it again")


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise unreadable_weights(path, error) from None


def _load_head(assembly: Assembly, path: Path) -> None:
    tensors = _read_safetensors(path)
    expected = {name for name in assembly.state_dict() if not _is_encoder_key(name)}
    missing, unexpected = sorted(expected - set(tensors)), sorted(set(tensors) - expected)
    if missing or unexpected:
        raise ModelNotFoundError(
            f"{path}: does not match the model described by {CONFIG_FILE}"
            + (f"; missing: {', '.join(missing[:6])}" if missing else "")
            + (f"; unexpected: {', '.join(unexpected[:6])}" if unexpected else "")
            + ". Were files of two models mixed? Re-save the model."
        )
    try:
        assembly.load_state_dict(tensors, strict=False)
    except RuntimeError as error:
        raise ModelNotFoundError(f"{path}: tensor shapes do not match the model described by {CONFIG_FILE}: {str(error).splitlines()[-1].strip()}") from None


def load_pretrained(
    directory: str | Path, registry: Registry | None = None, device: str | torch.device | None = None, trust_remote_code: bool = False,
) -> Assembly:
    """Restore an assembly saved by :func:`save_pretrained`, in eval mode, on ``device``.

    ``device``: ``"cpu"`` (default), ``"cuda"``, ``"cuda:1"``, a ``torch.device`` or
    ``"auto"`` (a GPU when there is one). ``trust_remote_code`` lets a model whose encoder
    config names code of its own run that code; it is off unless asked for.
    """
    from xalign.builder import assemble
    from xalign.encoders.huggingface import load_huggingface_encoder

    directory = Path(directory)
    if not is_saved_assembly(directory):
        raise ModelNotFoundError(f"{directory} is not a saved xalign model: {CONFIG_FILE} is missing")
    verify_checksums(directory)
    config = XalignConfig.load(directory / CONFIG_FILE)
    encoder_dir = directory / ENCODER_DIR
    if (directory / HEAD_FILE).is_file():
        # A damaged encoder (a pickle in place of model.safetensors, "gelu" -> "felu" in its
        # config.json) is a ModelNotFoundError naming the file, raised by the encoder loader.
        loaded = load_huggingface_encoder(
            str(encoder_dir), default_pooler=config.model.pooler or "cls", text_prefix=config.model.text_prefix or "",
            trust_remote_code=trust_remote_code, require_all_weights=True, name=str(encoder_dir),
        )
        assembly, _ = assemble(config, loaded, registry)
        _load_head(assembly, directory / HEAD_FILE)
    elif (directory / LEGACY_WEIGHTS_FILE).is_file():
        assembly = _load_legacy(directory, config, registry, trust_remote_code)
    else:
        raise ModelNotFoundError(f"{directory}: neither {HEAD_FILE} nor {LEGACY_WEIGHTS_FILE} is there; the model directory is incomplete")
    # A model stored in half precision is restored in float32, as it was trained and
    # evaluated (its values are those of the stored weights, see save_pretrained).
    assembly.float().to(_device(device))
    assembly.eval()
    return assembly


def _load_legacy(directory: Path, config: XalignConfig, registry: Registry | None, trust_remote_code: bool) -> Assembly:
    """xalign 0.1 layout: architecture from ``encoder/config.json``, every tensor from one file."""
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from xalign.builder import assemble
    from xalign.encoders.huggingface import check_remote_code

    encoder_dir = directory / ENCODER_DIR
    check_remote_code(encoder_dir, trust_remote_code)
    common = {"local_files_only": True, "trust_remote_code": trust_remote_code}
    with reported_load_errors(str(encoder_dir), "config.json and tokenizer files", str(encoder_dir)):
        encoder_config = AutoConfig.from_pretrained(encoder_dir, **common)
        tokenizer = AutoTokenizer.from_pretrained(encoder_dir, **common)
        encoder = AutoModel.from_config(encoder_config, trust_remote_code=trust_remote_code)
    loaded = LoadedEncoder(model=encoder, tokenizer=tokenizer, default_pooler=config.model.pooler or "cls", text_prefix=config.model.text_prefix or "", source=str(directory))
    assembly, _ = assemble(config, loaded, registry)
    tensors = _read_safetensors(directory / LEGACY_WEIGHTS_FILE)
    try:
        assembly.load_state_dict(tensors, strict=True)
    except RuntimeError as error:
        raise ModelNotFoundError(f"{directory / LEGACY_WEIGHTS_FILE}: does not match {CONFIG_FILE}: {str(error).splitlines()[0]}") from None
    return assembly


def load_weights(assembly: Assembly, directory: str | Path) -> None:
    """Load the weights saved in ``directory`` into an assembly of the same architecture.

    For a trainer that finds its run already complete: the assembly it built is filled with
    the final weights instead of training again.
    """
    from transformers import AutoModel

    directory = Path(directory)
    verify_checksums(directory)
    if (directory / HEAD_FILE).is_file():
        encoder_dir = str(directory / ENCODER_DIR)
        with reported_load_errors(encoder_dir, "config.json and weights", encoder_dir):
            saved = AutoModel.from_pretrained(encoder_dir, local_files_only=True, trust_remote_code=assembly.config.model.trust_remote_code)
        try:
            assembly.encoder.load_state_dict(saved.state_dict(), strict=True)
        except RuntimeError as error:
            raise ModelNotFoundError(f"{directory / ENCODER_DIR}: does not match this model's encoder: {str(error).splitlines()[0]}") from None
        _load_head(assembly, directory / HEAD_FILE)
    else:
        tensors = _read_safetensors(directory / LEGACY_WEIGHTS_FILE)
        try:
            assembly.load_state_dict(tensors, strict=True)
        except RuntimeError as error:
            raise ModelNotFoundError(f"{directory / LEGACY_WEIGHTS_FILE}: does not match this model: {str(error).splitlines()[0]}") from None
