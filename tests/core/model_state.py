"""Comparing the parameters of trained assemblies, exactly."""

from __future__ import annotations

import torch


def parameters_of(assembly: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of every tensor in ``assembly.state_dict()``."""
    return {name: tensor.detach().clone() for name, tensor in assembly.state_dict().items()}


def assert_same_parameters(first: dict[str, torch.Tensor], second: dict[str, torch.Tensor]) -> None:
    """Bit-for-bit equality (``torch.equal``) of every tensor."""
    assert first.keys() == second.keys()
    different = [name for name in first if not torch.equal(first[name], second[name])]
    assert not different, f"{len(different)} tensors differ, e.g. {different[:3]}"
