"""How close a training step runs to the machine's limit, and where its time goes.

- :func:`gemm_peak`: the dense matrix-multiply rate this process reaches right now, on its
  own threads, at the encoder's shapes: ``[tokens, hidden] x [hidden, hidden]`` (query, key,
  value, attention output), ``[tokens, hidden] x [hidden, ff]`` and ``[tokens, ff] x [ff,
  hidden]`` (feed-forward). fp32 on the CPU, bf16 on CUDA (what each trainer computes in).
  The peak is the best rate of any shape over several short repeats: on a shared machine
  that is what the cores give when the other jobs let them.
- :func:`profile_step`: ``torch.profiler`` over a training run; one optimizer step's wall
  time (from the end of one ``Optimizer.step`` to the end of the next) split into encoder
  forward, backward, optimiser (step, gradient clipping, zeroing), collation and other
  (the head and losses, the loop's own work, moving batches).

The training FLOP count itself is :func:`benchmarks.throughput_parts.measure.training_flops`.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Iterator, Sequence

import attrs
import torch
from torch.autograd.profiler import record_function

FORWARD, BACKWARD, OPTIMIZER, COLLATION, OTHER = "encoder_forward", "backward", "optimizer", "collation", "other"
CATEGORIES = (FORWARD, BACKWARD, OPTIMIZER, COLLATION, OTHER)
_PREFIX = "xalign-bench:"


@attrs.frozen
class GemmPeak:
    flops_per_s: float  # the best rate of any shape
    by_shape: dict[str, float]  # shape label -> best rate, FLOP/s
    dtype: str

    def to_json(self) -> dict:
        return {"peak_flops": round(self.flops_per_s), "by_shape": {key: round(value) for key, value in self.by_shape.items()}, "dtype": self.dtype}


def gemm_peak(hidden: int, intermediate: int, tokens: int, device: torch.device, repeats: int = 5, seconds: float = 0.15) -> GemmPeak:
    """The best matmul rate at the encoder's shapes for ``tokens`` rows, each shape timed ``repeats`` times for about ``seconds``."""
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    shapes = {
        f"[{tokens},{hidden}]x[{hidden},{hidden}]": (tokens, hidden, hidden),
        f"[{tokens},{hidden}]x[{hidden},{intermediate}]": (tokens, hidden, intermediate),
        f"[{tokens},{intermediate}]x[{intermediate},{hidden}]": (tokens, intermediate, hidden),
    }
    rates = {}
    for label, (m, k, n) in shapes.items():
        left, right = torch.randn(m, k, device=device, dtype=dtype), torch.randn(k, n, device=device, dtype=dtype)
        out = torch.empty(m, n, device=device, dtype=dtype)
        calls = _calls_for(lambda: torch.mm(left, right, out=out), seconds, device)
        best = min(_timed(lambda: torch.mm(left, right, out=out), calls, device) for _ in range(repeats))
        rates[label] = 2 * m * k * n * calls / best
    return GemmPeak(max(rates.values()), rates, str(dtype).removeprefix("torch."))


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(call: Callable[[], object], calls: int, device: torch.device) -> float:
    _sync(device)
    started = time.perf_counter()
    for _ in range(calls):
        call()
    _sync(device)
    return time.perf_counter() - started


def _calls_for(call: Callable[[], object], seconds: float, device: torch.device) -> int:
    """How many calls take about ``seconds`` (after two warm-up calls)."""
    one = min(_timed(call, 1, device) for _ in range(2))
    return max(1, int(seconds / max(one, 1e-7)))


@attrs.frozen
class StepBreakdown:
    seconds: float  # one optimizer step's wall time under the profiler
    fractions: dict[str, float]  # category -> share of ``seconds``

    def to_json(self) -> dict:
        return {"step_seconds": round(self.seconds, 4), **{key: round(value, 4) for key, value in self.fractions.items()}}


@contextlib.contextmanager
def _annotated(encoder: torch.nn.Module, wrapped: Sequence[tuple[object, str, str]]) -> Iterator[None]:
    """Profiler ranges around every encoder call (module hooks) and around ``owner.attribute`` for each ``(owner, attribute, category)``."""
    open_ranges: list[record_function] = []

    def enter(*_):
        open_ranges.append(record_function(_PREFIX + FORWARD))
        open_ranges[-1].__enter__()

    def leave(*_):
        open_ranges.pop().__exit__(None, None, None)

    def wrap(function, category):
        def annotated(*args, **kwargs):
            with record_function(_PREFIX + category):
                return function(*args, **kwargs)

        return annotated

    handles = [encoder.register_forward_pre_hook(enter), encoder.register_forward_hook(leave)]
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in wrapped]
    try:
        for (owner, attribute, category), (_, _, original) in zip(wrapped, originals):
            setattr(owner, attribute, wrap(original, category))
        yield
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)
        for handle in handles:
            handle.remove()


def profile_step(run: Callable[[], object], encoder: torch.nn.Module, wrapped: Sequence[tuple[object, str, str]]) -> StepBreakdown:
    """Profile ``run`` (which must take at least two optimizer steps) and break its last step down.

    ``wrapped`` names the callables to annotate, as ``(owner, attribute, category)``: the
    collator's ``__call__`` and the gradient clipping of the trainer under test.
    ``Tensor.backward`` is annotated here; ``Optimizer.step`` and ``zero_grad`` carry
    PyTorch's own profiler ranges.
    """
    with _annotated(encoder, [*wrapped, (torch.Tensor, "backward", BACKWARD)]):
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profiler:
            run()
    spans: list[tuple[str, float, float]] = []
    for event in profiler.events():
        category = _category(event.name)
        if category is not None:
            spans.append((category, event.time_range.start, event.time_range.end))
    steps = sorted(end for category, start, end in spans if category == "step")
    if len(steps) < 2:
        raise RuntimeError("profile_step needs a run of at least two optimizer steps")
    window_start, window_end = steps[-2], steps[-1]
    totals = dict.fromkeys(CATEGORIES, 0.0)
    for category, start, end in _outermost([span for span in spans if span[1] >= window_start and span[2] <= window_end]):
        totals[OPTIMIZER if category == "step" else category] += end - start
    wall = window_end - window_start
    totals[OTHER] = max(0.0, wall - sum(totals.values()))
    return StepBreakdown(wall / 1e6, {key: value / wall for key, value in totals.items()})


def _category(name: str) -> str | None:
    if name.startswith(_PREFIX):
        return name[len(_PREFIX):]
    if name.startswith("Optimizer.step#"):
        return "step"
    if name.startswith("Optimizer.zero_grad#"):
        return OPTIMIZER
    return None


def _outermost(spans: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """The spans not inside another one (an encoder call inside a compiled region, a step inside clipping)."""
    result: list[tuple[str, float, float]] = []
    for span in sorted(spans, key=lambda span: (span[1], -span[2])):
        if result and span[2] <= result[-1][2]:
            continue
        result.append(span)
    return result
