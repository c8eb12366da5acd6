"""Meters for the throughput benchmark: peak memory, model FLOPs, and the per-phase figures.

Model FLOPs follow the usual accounting (Kaplan et al. 2020; PaLM appendix B): a training
token costs 6 × N FLOPs for the encoder's N non-embedding parameters (2 × N forward, 4 × N
backward: the gradients of the inputs and of the weights), plus the attention scores and
the weighted sum, 12 × layers × hidden × L per token of a row of L tokens (QKᵀ and AV, 2 ×
2 × L × hidden per token and layer forward, three times that with the backward). Only real
(non-pad) tokens count, so padding never raises the utilisation.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import attrs
import torch

# Dense bf16 tensor-core peaks from the vendors' datasheets, FLOP/s.
PEAK_BF16_FLOPS = (
    ("H200", 989e12),
    ("H100 PCIe", 756e12),
    ("H100", 989e12),  # SXM
    ("A100", 312e12),
)


def peak_flops(device: torch.device) -> float | None:
    """The bf16 peak of a known CUDA device, or ``None``."""
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, value in PEAK_BF16_FLOPS:
        if key in name:
            return value
    return None


def _rss_bytes() -> int:
    with open("/proc/self/statm", "rb") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """Peak memory over a ``with`` block: the CUDA allocator's peak, or sampled process RSS."""

    def __init__(self, device: torch.device, interval: float = 0.005):
        self.device = device
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
        elif os.path.exists("/proc/self/statm"):
            self.peak = _rss_bytes()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.peak = torch.cuda.max_memory_allocated(self.device)
        elif self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, _rss_bytes())
        else:  # no /proc: the process-lifetime peak is the best available
            import resource

            self.peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@attrs.frozen
class ModelShape:
    non_embedding_parameters: int
    layers: int
    hidden_size: int

    @classmethod
    def of(cls, encoder: torch.nn.Module, encoder_config) -> ModelShape:
        """The encoder's parameters that act on every token: all but its embedding tables (a
        lookup, no multiply) and its pooler layer, if any (it acts on one token per row). The
        task heads are left out too: the intent head acts on one embedding per row, the slot
        head on the English rows only (together under 0.2 % of e5-small's count)."""
        skipped = {id(p) for m in encoder.modules() if isinstance(m, torch.nn.Embedding) for p in m.parameters(recurse=False)}
        pooler = getattr(encoder, "pooler", None)
        if isinstance(pooler, torch.nn.Module):
            skipped |= {id(p) for p in pooler.parameters()}
        counted = sum(p.numel() for p in encoder.parameters() if id(p) not in skipped)
        return cls(counted, encoder_config.num_hidden_layers, encoder_config.hidden_size)


def attention_tokens_factor(row_lengths: Sequence[int]) -> float:
    """E[L²] / E[L] over rows: the mean row length seen by a token, for the attention term."""
    total = sum(row_lengths)
    return sum(length * length for length in row_lengths) / total if total else 0.0


FLOPS_FORMULA = "per real token: 6 x non-embedding parameters + 12 x layers x hidden x E[L^2]/E[L] (forward + backward)"


def training_flops(shape: ModelShape, real_tokens: int, mean_context: float) -> float:
    """6·N per token plus attention, 12·layers·hidden·context per token (forward + backward)."""
    return real_tokens * (6 * shape.non_embedding_parameters + 12 * shape.layers * shape.hidden_size * mean_context)


@attrs.frozen
class PhaseFigures:
    """What the benchmark reports for one phase."""

    pairs_per_s: float
    real_tokens_per_s: float
    pad_fraction: float
    peak_mem_bytes: int
    seconds: float
    pairs: int
    mfu: float | None = None
    settings: dict = attrs.Factory(dict)
    load_average: float | None = None  # 1-minute load average when the phase ended (shared machines)

    def to_json(self, with_mfu: bool) -> dict:
        data = {
            "pairs_per_s": round(self.pairs_per_s, 3),
            "real_tokens_per_s": round(self.real_tokens_per_s, 1),
            "pad_fraction": round(self.pad_fraction, 4),
            "peak_mem_bytes": int(self.peak_mem_bytes),
            "seconds": round(self.seconds, 3),
            "pairs": self.pairs,
            "settings": self.settings,
            "load_average_1min": self.load_average,
        }
        if with_mfu:
            data["mfu"] = None if self.mfu is None else round(self.mfu, 4)
        return data


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def load_averages() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages (``uptime``'s three numbers)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def figures(
    seconds: float, pairs: int, real_tokens: int, padded_tokens: int, peak_bytes: int, flops: float | None, peak: float | None,
    settings: dict, load: float | None = None,
) -> PhaseFigures:
    mfu = flops / seconds / peak if (flops is not None and peak) else None
    return PhaseFigures(
        pairs / seconds, real_tokens / seconds, 1 - real_tokens / padded_tokens if padded_tokens else 0.0,
        peak_bytes, seconds, pairs, mfu, settings, load,
    )
