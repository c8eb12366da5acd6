"""Optimizer and learning-rate schedule.

OneCycleLR with PyTorch's defaults, as in the reference code: 30 % warm-up from lr/25,
cosine annealing to lr/1e4, and beta1 cycled 0.95 -> 0.85 for Adam-family optimizers.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.config import TrainingConfig


def make_optimizer(model: nn.Module, config: TrainingConfig, device: torch.device) -> torch.optim.Optimizer:
    """Adam (reference: no weight decay) or AdamW; biases and LayerNorm weights never decay."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (no_decay if parameter.ndim < 2 else decay).append(parameter)
    fused = device.type == "cuda"
    if config.optimizer == "adam":
        return torch.optim.Adam(decay + no_decay, lr=config.learning_rate, fused=fused)
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.learning_rate, fused=fused)


def make_scheduler(optimizer: torch.optim.Optimizer, config: TrainingConfig, total_steps: int) -> torch.optim.lr_scheduler.OneCycleLR:
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=config.learning_rate,
        total_steps=max(total_steps, 2),
        pct_start=config.warmup_fraction,
    )
