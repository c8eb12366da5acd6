"""Several alignment losses at once, by name and weight: ``mse+contrastive``, ``mse:1.0,contrastive:0.5``.

Each part is a registered aligner; the objective reports each part's loss under
``align:<name>`` so that loss-weighting schemes (e.g. CrossAligner's coefficient of
variation) can weigh them separately.
"""

from __future__ import annotations

import math
import re

from torch import nn

from xalign.errors import ConfigError

_PART = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?::\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*)?$")


def parse_aligner_spec(spec: str) -> list[tuple[str, float]]:
    """``"mse"`` -> ``[("mse", 1.0)]``; ``"mse:1,contrastive:0.5"`` or ``"mse+contrastive"`` -> parts."""
    parts = [part for part in re.split(r"[+,]", spec)]
    parsed = []
    for part in parts:
        match = _PART.match(part)
        if match is None or not match.group(1):
            raise ConfigError(f"aligner spec {spec!r}: cannot read part {part!r}; write NAME, NAME:WEIGHT, joined by '+' or ','")
        weight = float(match.group(2)) if match.group(2) else 1.0
        if not math.isfinite(weight):
            raise ConfigError(f"aligner spec {spec!r}: weight {match.group(2)} of {match.group(1)!r} is not a finite number")
        parsed.append((match.group(1), weight))
    names = [name for name, _ in parsed]
    if len(set(names)) != len(names):
        raise ConfigError(f"aligner spec {spec!r} names an aligner twice")
    return parsed


class CombinedAligner(nn.Module):
    """Holds named aligners and their weights; the objective calls each part."""

    def __init__(self, parts: dict[str, nn.Module], weights: dict[str, float]):
        super().__init__()
        dotted = sorted(name for name in parts if "." in name)
        if dotted:
            # torch refuses "." in module names (it separates them in state-dict keys).
            raise ConfigError(f"aligner {dotted[0]!r} cannot be combined with others: a combined aligner's part names may not contain '.'; register it under a name without one")
        self.parts = nn.ModuleDict(parts)
        self.weights = dict(weights)
