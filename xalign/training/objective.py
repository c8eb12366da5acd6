"""The XeroAlign objective for one batch: task losses + alignment loss(es), one encoder call.

English rows and translation rows are encoded together; the English sentence embeddings
used by the aligner are those of the task forward pass (no extra encoder pass, unlike the
reference code's three passes). Wrapping this module (not the assembly) in
DistributedDataParallel keeps every parameter's gradient synchronised.

The objective also weighs the losses into the one total that is minimised:
``total = Σ static_weight[name] × weighting[name] × loss[name]`` over the losses whose static
weight is not 0 (see :func:`static_weights`; the weighting's multipliers are plain floats).

Aligners see ``(source [pairs, hidden], target [pairs, hidden])``. An aligner that needs
more (the token states, the task head, the labels: e.g. Translate-Intent) sets the class
attribute ``needs_context = True`` and receives ``context=AlignmentContext(...)`` too; one
that reads inner layers also sets ``needs_hidden_states = True`` and finds every layer's
token states in ``context.encoded.hidden_states``.
"""

from __future__ import annotations

from typing import NamedTuple

import attrs
import torch
from torch import nn

from xalign.aligners.combined import CombinedAligner
from xalign.assembly import Assembly, Encoded

ALIGNMENT = "align"


@attrs.frozen
class AlignmentContext:
    """Everything about the batch an aligner may need beyond the paired embeddings."""

    encoded: Encoded  # every row: English first, then translations
    batch: dict  # the collated batch (labels for the first ``num_labelled`` rows)
    source_rows: torch.Tensor  # [pairs] row index of each pair's English side
    target_rows: torch.Tensor  # [pairs] row index of each pair's translation
    head: nn.Module  # the task head (for Translate-Intent-like losses)
    # Share of training done before this step, in [0, 1): set by the trainer before each
    # optimizer step (from the step count, so a resumed run continues it); None outside train().
    progress: float | None = None


def is_alignment_loss(name: str) -> bool:
    return name == ALIGNMENT or name.startswith(ALIGNMENT + ":")


def wants_hidden_states(aligner: nn.Module) -> bool:
    """Whether the aligner (or any part of a combined one) reads inner layers (``needs_hidden_states = True``)."""
    if isinstance(aligner, CombinedAligner):
        return any(wants_hidden_states(part) for part in aligner.parts.values())
    return bool(getattr(aligner, "needs_hidden_states", False))


def _call_aligner(aligner: nn.Module, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext) -> torch.Tensor:
    if getattr(aligner, "needs_context", False):
        return aligner(source, target, context=context)
    return aligner(source, target)


class ObjectiveOutput(NamedTuple):
    """What one forward pass of the objective gives (a tuple, so DDP finds its tensors)."""

    total: torch.Tensor  # [] the weighted sum that is minimised
    losses: dict[str, torch.Tensor]  # each named loss, unweighted: {"intent": [], "slots": [], "align": []}


class XeroAlignObjective(nn.Module):
    """``forward(batch) -> ObjectiveOutput(total, losses)``.

    ``losses`` are unweighted; a combined aligner reports one loss per part, named
    ``align:<name>``. ``weighting`` (an object with ``weights(losses) -> {name: float}``)
    defaults to the assembly's own, built with it from ``TrainingConfig.weighting``.
    """

    def __init__(self, assembly: Assembly, alignment_weight: float = 1.0, weighting=None):
        super().__init__()
        self.assembly = assembly
        self.alignment_weight = alignment_weight
        self._weighting = weighting
        self.progress: float | None = None  # set by the trainer before each step

    @property
    def weighting(self):
        return self._weighting if self._weighting is not None else self.assembly.weighting

    def forward(self, batch: dict) -> ObjectiveOutput:
        losses = self.losses(batch)
        return ObjectiveOutput(self.weighted_total(losses), losses)

    def weighted_total(self, losses: dict[str, torch.Tensor]) -> torch.Tensor:
        fixed = static_weights(losses, self.assembly.aligner, self.alignment_weight)
        dynamic = self.weighting.weights(losses)
        # A loss weighted 0 is left out entirely (0 * NaN would still be NaN).
        return sum(loss * (fixed[name] * float(dynamic[name])) for name, loss in losses.items() if fixed[name] != 0)

    def probe_total(self, batch: dict) -> torch.Tensor:
        """The losses the total includes, summed without the weighting: for a dry run that must
        reach the same parameters as a step without advancing a stateful weighting."""
        losses = self.losses(batch)
        fixed = static_weights(losses, self.assembly.aligner, self.alignment_weight)
        return sum(loss for name, loss in losses.items() if fixed[name] != 0)

    def losses(self, batch: dict) -> dict[str, torch.Tensor]:
        """Every named loss of ``batch``, unweighted, from one encoder call."""
        assembly = self.assembly
        hidden = batch["translation_source_index"].numel() > 0 and wants_hidden_states(assembly.aligner)
        encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"), hidden_states=hidden)
        labelled = batch.get("num_labelled", batch["num_source"])
        logits = assembly.head(encoded.token_states[:labelled], encoded.sentence_embedding[:labelled])
        losses = dict(assembly.head.loss(logits, batch))
        source_rows = batch["translation_source_index"]
        if source_rows.numel():
            start = batch["num_source"]
            target_rows = torch.arange(start, start + source_rows.numel(), device=source_rows.device)
            context = AlignmentContext(encoded, batch, source_rows, target_rows, assembly.head, self.progress)
            source = encoded.sentence_embedding[source_rows]
            target = encoded.sentence_embedding[target_rows]
            if isinstance(assembly.aligner, CombinedAligner):
                for name, part in assembly.aligner.parts.items():
                    losses[f"{ALIGNMENT}:{name}"] = _call_aligner(part, source, target, context)
            else:
                losses[ALIGNMENT] = _call_aligner(assembly.aligner, source, target, context)
        return losses


def static_weights(losses: dict[str, torch.Tensor], aligner: nn.Module, alignment_weight: float) -> dict[str, float]:
    """Weights fixed by the config: 1 for task losses, ``alignment_weight`` × part weight for aligners."""
    weights = {}
    for name in losses:
        if not is_alignment_loss(name):
            weights[name] = 1.0
        elif name == ALIGNMENT:
            weights[name] = alignment_weight
        else:
            part = name.split(":", 1)[1]
            weights[name] = alignment_weight * aligner.weights.get(part, 1.0)
    return weights
