"""Mixed precision: what "auto" means on each device, and fp16 with loss scaling, resumed exactly."""

from __future__ import annotations

import json

import pytest
import torch

import xalign
from xalign.training.precision import resolve_precision

from .model_state import assert_same_parameters, parameters_of
from .test_step_log import CrashAtStep, read_lines
from .toy_data import toy_config


def test_auto_is_fp32_on_the_cpu():
    precision = resolve_precision(xalign.TrainingConfig(), torch.device("cpu"))
    assert (precision.name, precision.autocast_dtype, precision.scaler) == ("fp32", None, None)


@pytest.mark.parametrize("bf16_supported,expected", [(True, "bf16"), (False, "fp16")])
def test_auto_on_cuda_is_bf16_where_supported_and_fp16_with_a_scaler_elsewhere(monkeypatch, bf16_supported, expected):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: bf16_supported)
    monkeypatch.setattr(torch.amp, "GradScaler", lambda device: ("scaler for", device))  # no CUDA here to build a real one
    precision = resolve_precision(xalign.TrainingConfig(), torch.device("cuda", 0))
    assert precision.name == expected
    assert precision.autocast_dtype == {"bf16": torch.bfloat16, "fp16": torch.float16}[expected]
    assert precision.scaler == (("scaler for", "cuda") if expected == "fp16" else None)


def test_fp16_scales_the_loss_and_a_crashed_run_resumes_with_the_scaler_state(tiny_registry, toy_examples, toy_translations, tmp_path):
    config = toy_config(epochs=1, precision="fp16", checkpoint_every=2)
    expected_assembly, _ = xalign.build(config, registry=tiny_registry)
    expected = xalign.train(expected_assembly, toy_examples, toy_translations, output_dir=tmp_path / "expected")
    steps = [line for line in read_lines(tmp_path / "expected" / "steps.jsonl") if line["event"] == "step"]
    assert len(steps) == expected.steps == 6
    # GradScaler starts at 2**16 and halves the scale at each overflow (skipping that update).
    scales = [line["loss_scale"] for line in steps]
    assert scales[0] == 2.0**16 and all(later in (earlier, earlier / 2) for earlier, later in zip(scales, scales[1:]))
    assert all(torch.isfinite(tensor).all() for tensor in parameters_of(expected_assembly).values())
    checkpoint = json.loads((tmp_path / "expected" / "checkpoints" / "step-00000006" / "trainer_state.json").read_text())
    assert checkpoint["grad_scaler"]["scale"] == scales[-1]

    crashed, _ = xalign.build(config, registry=tiny_registry)
    with pytest.raises(KeyboardInterrupt):
        xalign.train(crashed, toy_examples, toy_translations, output_dir=tmp_path / "resumed", loggers=[CrashAtStep(5)])
    resumed, _ = xalign.build(config, registry=tiny_registry)
    result = xalign.train(resumed, toy_examples, toy_translations, output_dir=tmp_path / "resumed", resume=True)
    assert result.resumed_from.endswith("step-00000004")
    assert_same_parameters(parameters_of(resumed), parameters_of(expected_assembly))
    resumed_checkpoint = json.loads((tmp_path / "resumed" / "checkpoints" / "step-00000006" / "trainer_state.json").read_text())
    assert resumed_checkpoint["grad_scaler"] == checkpoint["grad_scaler"]
