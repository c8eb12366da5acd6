"""Mixed precision: the autocast dtype of a run, and the loss scaler fp16 needs.

bf16 keeps fp32's exponent range and needs no scaling; fp16 does not: small gradients
underflow to zero unless the loss is scaled up before the backward pass and the gradients
down before the optimizer step (``torch.amp.GradScaler``, which also skips a step whose
gradients overflowed and lowers the scale). ``precision="auto"`` picks bf16 on a CUDA device
that supports it (Ampere and later), fp16 with scaling on older ones (T4, V100), and fp32 on
the CPU. The scaler's state is part of the checkpointed trainer state, so a resumed fp16 run
continues with the scale it had. This module knows nothing of models or data.
"""

from __future__ import annotations

from typing import Any

import attrs
import torch

from xalign.config import TrainingConfig


@attrs.frozen
class Precision:
    name: str  # "fp32", "bf16" or "fp16": what the run uses
    autocast_dtype: torch.dtype | None  # None: no autocast (fp32)
    scaler: Any = None  # torch.amp.GradScaler for fp16, else None

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        return self.scaler.scale(loss) if self.scaler is not None else loss

    def unscale(self, optimizer: torch.optim.Optimizer) -> None:
        """Bring the gradients back to their true size (before clipping)."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """The optimizer step; False when fp16 gradients overflowed and the scaler skipped it."""
        if self.scaler is None:
            optimizer.step()
            return True
        scale = self.scaler.get_scale()
        self.scaler.step(optimizer)
        self.scaler.update()
        return self.scaler.get_scale() >= scale  # the scale drops exactly when the step was skipped

    def state(self) -> dict | None:
        return self.scaler.state_dict() if self.scaler is not None else None

    def load_state(self, state: dict | None) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)


def resolve_precision(config: TrainingConfig, device: torch.device) -> Precision:
    """The precision ``config.precision`` means on ``device``."""
    name = config.precision
    if name == "auto":
        if device.type != "cuda":
            name = "fp32"
        else:
            name = "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if name == "fp32":
        return Precision("fp32", None)
    if name == "bf16":
        return Precision("bf16", torch.bfloat16)
    return Precision("fp16", torch.float16, torch.amp.GradScaler(device.type))
