"""Process-group setup for data-parallel training launched by ``torchrun`` or ``accelerate launch``.

Both launchers set ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; a plain ``python`` run is a
world of one and needs no process group.
"""

from __future__ import annotations

import os
from typing import Callable

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


def unused_parameters(
    model: torch.nn.Module, loss: Callable[[], torch.Tensor], autocast_dtype: torch.dtype | None, context: DistributedContext, device: torch.device,
) -> tuple[set[str], set[str]]:
    """Trainable parameters of ``model`` that get no gradient from one forward and backward pass
    (``loss()``, over this rank's first batch): ``(unused on every rank, unused on some rank)``.

    A dry run before training (random states restored, gradients cleared afterwards), so
    DistributedDataParallel searches the graph for unused parameters on every step
    (``find_unused_parameters``) only when some parameter really gets no gradient.
    """
    names = [name for name, parameter in model.named_parameters() if parameter.requires_grad]
    with torch.random.fork_rng(devices=[device.index] if device.type == "cuda" else []):
        with torch.autocast(device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None):
            total = loss()
        total.backward()
    parameters = dict(model.named_parameters())
    unused = torch.tensor([1.0 if parameters[name].grad is None else 0.0 for name in names], device=device)
    model.zero_grad(set_to_none=True)
    if context.enabled:
        everywhere, somewhere = unused.clone(), unused.clone()
        dist.all_reduce(everywhere, op=dist.ReduceOp.MIN)
        dist.all_reduce(somewhere, op=dist.ReduceOp.MAX)
    else:
        everywhere = somewhere = unused
    return ({name for name, flag in zip(names, everywhere.tolist()) if flag}, {name for name, flag in zip(names, somewhere.tolist()) if flag})


def broadcast_parameters(module: torch.nn.Module, context: DistributedContext) -> None:
    """Copy rank 0's parameters and buffers to every rank (after rank 0 loaded the selected weights)."""
    if not context.enabled:
        return
    for tensor in module.state_dict().values():
        dist.broadcast(tensor, src=0)
