"""A model saved in half precision takes half the disk and is the model the run scored."""

from __future__ import annotations

import pytest
import torch
from safetensors import safe_open

import xalign
from xalign.errors import ConfigError

from .tiny_runs import train_tiny

TEXTS = ["wake me up now", "play jazz", "jazz me up"]


def trained(tmp_path, precision: str):
    assembly, result, registry = train_tiny(tmp_path / precision, save_precision=precision)
    return assembly, result.model_dir, registry


def stored_dtypes(model_dir) -> set[torch.dtype]:
    with safe_open(str(model_dir / "encoder" / "model.safetensors"), "pt") as handle:
        return {handle.get_tensor(name).dtype for name in handle.keys()}


@pytest.mark.parametrize("precision, dtype", [("fp16", torch.float16), ("bf16", torch.bfloat16)])
def test_half_precision_halves_the_encoder_file_and_reloads_to_the_same_outputs(tmp_path, precision, dtype):
    _, full_dir, _ = trained(tmp_path, "fp32")
    half, half_dir, registry = trained(tmp_path, precision)
    assert stored_dtypes(full_dir) == {torch.float32} and stored_dtypes(half_dir) == {dtype}
    full_size = (full_dir / "encoder" / "model.safetensors").stat().st_size
    half_size = (half_dir / "encoder" / "model.safetensors").stat().st_size
    assert half_size < 0.55 * full_size
    # The trained assembly in memory was rounded to what was stored, so the scores a run
    # reports for it are the saved model's, to the last bit.
    restored = xalign.load_pretrained(half_dir, registry=registry)
    assert next(restored.parameters()).dtype == torch.float32
    assert torch.equal(xalign.embed(restored, TEXTS), xalign.embed(half, TEXTS))
    assert xalign.predict(restored, TEXTS) == xalign.predict(half, TEXTS)
    # Every weight in memory is exactly representable in the stored precision.
    for value in half.encoder.state_dict().values():
        if value.is_floating_point():
            assert torch.equal(value, value.to(dtype).float())


def test_an_unknown_save_precision_is_refused_by_name():
    with pytest.raises(ConfigError, match="save_precision"):
        xalign.TrainingConfig(save_precision="int8")
