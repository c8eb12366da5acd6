"""Process-group setup for data-parallel training launched by ``torchrun`` or ``accelerate launch``.

Both launchers set ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; a plain ``python`` run is a
world of one and needs no process group.
"""

from __future__ import annotations

import os

import attrs
import torch
import torch.distributed as dist


@attrs.frozen
class DistributedContext:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def setup(device_preference: str) -> tuple[DistributedContext, torch.device]:
    """Join the process group when launched with several processes; pick the device."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = device_preference == "cuda" or (device_preference == "auto" and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        from xalign.errors import ConfigError

        raise ConfigError("TrainingConfig.device is 'cuda' but no CUDA device is available; use 'auto' or 'cpu'")
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if world_size > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return DistributedContext(rank, world_size, local_rank), device


def all_reduce_mean(values: dict[str, float], context: DistributedContext, device: torch.device) -> dict[str, float]:
    """Average scalar metrics over ranks (identity for a single process)."""
    if not context.enabled or not values:
        return values
    keys = sorted(values)
    tensor = torch.tensor([values[key] for key in keys], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return {key: float(value) / context.world_size for key, value in zip(keys, tensor.tolist())}


def any_rank(flag: bool, context: DistributedContext, device: torch.device) -> bool:
    """True when ``flag`` is true on any rank (keeps ranks in lock-step on skips and stops)."""
    if not context.enabled:
        return flag
    tensor = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(tensor)
    return bool(tensor.item() > 0)
