"""Phases timed in turn, round after round: our trainer (c) against the Hugging Face Trainer (d).

On a shared machine the load changes from one minute to the next, so two phases timed a
minute apart are not comparable. Here every round times each contender once, in an order
that rotates from round to round; a contender's figures are those of its median round, and
a ratio between two contenders is the median over rounds of the ratio within a round
(both measured under the same load).
"""

from __future__ import annotations

import ctypes
import gc
import statistics
from typing import Callable, Protocol, Sequence, TypeVar

import attrs
import torch

from benchmarks.throughput_parts import measure


T = TypeVar("T")


class Timed(Protocol):
    """What a timed training run reports (``xalign.TrainResult``, ``hf_trainer_baseline.TrainerRun``)."""

    seconds: float
    pairs: int
    real_tokens: int
    padded_tokens: int


@attrs.frozen
class Contender:
    name: str  # its key in the benchmark's JSON
    label: str  # its name in the printed lines
    run: Callable[[], Timed]  # one untimed warm-up step, then the timed steps
    settings: dict


Report = Callable[[str, float, int, int, int, int, dict], measure.PhaseFigures]


def interleaved(
    contenders: Sequence[Contender], rounds: int, device: torch.device, report: Report, probe: Callable[[], T] | None = None,
) -> tuple[dict[str, list[measure.PhaseFigures]], list[T]]:
    """Each contender's figures, one per round, and ``probe()``'s result at the start of every round.

    Round ``r`` starts with contender ``r mod n``.
    """
    results: dict[str, list[measure.PhaseFigures]] = {contender.name: [] for contender in contenders}
    probed: list[T] = []
    for round_index in range(rounds):
        if probe is not None:
            probed.append(probe())
        shift = round_index % len(contenders)
        for contender in [*contenders[shift:], *contenders[:shift]]:
            release(device)
            with measure.PeakMemory(device) as memory:
                timed = contender.run()
            label = f"{contender.label} [round {round_index + 1}/{rounds}]"
            results[contender.name].append(report(label, timed.seconds, timed.pairs, timed.real_tokens, timed.padded_tokens, memory.peak, contender.settings))
    return results, probed


def median_round(figures: Sequence[measure.PhaseFigures]) -> measure.PhaseFigures:
    """The figures of the round with the median pairs/s (the lower middle one for an even count)."""
    ordered = sorted(figures, key=lambda figure: figure.pairs_per_s)
    return ordered[(len(ordered) - 1) // 2]


def paired_ratio(numerator: Sequence[measure.PhaseFigures], denominator: Sequence[measure.PhaseFigures]) -> float:
    """The median over rounds of numerator pairs/s / denominator pairs/s within the same round."""
    return statistics.median(top.pairs_per_s / bottom.pairs_per_s for top, bottom in zip(numerator, denominator))


def release(device: torch.device) -> None:
    """Free what the last phase held, so that the next phase's peak is its own."""
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    try:  # glibc keeps freed heap pages; hand them back so RSS reflects what is in use
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
