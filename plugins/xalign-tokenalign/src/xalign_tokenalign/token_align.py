"""Token alignment: pull each English token state towards the translation tokens it softly aligns to.

For one pair, English word tokens ``X = {x_i}`` and translation word tokens ``Y = {y_j}``
(padding, special tokens and the text prefix masked), uniform weights ``a_i = 1/|X|``,
``b_j = 1/|Y|``, cost ``c(u, v) = 1 - cos(u, v)`` and temperature ``τ``::

    s(u, Z)  = -τ log Σ_z w_z exp(-c(u, z) / τ)                 # soft distance from u to the set Z
    D(X, Y)  = Σ_i a_i s(x_i, Y) + Σ_j b_j s(y_j, X)            # each token to the other sentence
             - Σ_i a_i s(x_i, X) - Σ_j b_j s(y_j, Y)            # minus each sentence to itself
    loss     = mean over pairs with words on both sides of D(X, Y)

``D`` is the Hausdorff divergence of Feydy et al. (AISTATS 2019, "Interpolating between
optimal transport and MMD using Sinkhorn divergences", §2): with the Gaussian kernel
``exp(-c/τ)`` (``c`` is half the squared distance of unit vectors) it is >= 0 and 0 exactly
when the two token sets are equal, so a translation identical to its source costs nothing.

Alignment and gradient: ``∂s(x_i, Y)/∂x_i = Σ_j A_ij ∂c(x_i, y_j)/∂x_i`` with
``A_i = softmax_j(-c(x_i, y_j)/τ)``, the temperature-softmax alignment of ``x_i`` over the
translation: the cross terms pull every English token towards the translation tokens it
aligns to, and every translation token towards its English counterparts (both directions,
both sides receive gradient, as with the sentence-level ``mse``). The alignment weights act
as constants in that gradient (a property of log-sum-exp), so the loss cannot lower itself by
reshaping the alignment alone. The self terms push the tokens of one sentence apart, which
keeps all token states from collapsing onto one point (where the cross terms alone would be
minimal); at ``X = Y`` the two cancel exactly.

Cost: three ``[pairs, seq, seq]`` cosine matrices per batch, far below one encoder pass.
Inputs: the alignment context's ``encoded.token_states [rows, seq, hidden]``, the batch's
``text_mask`` (or ``attention_mask``) and the pair row indices; ``source``/``target``
(sentence embeddings) are not used, so any pooler works. No labels needed: any task.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext
from xalign_tokenalign.alignment import cosine_cost, softmin, text_positions, uniform_log_weights


def hausdorff_divergence(source: torch.Tensor, target: torch.Tensor, source_mask: torch.Tensor, target_mask: torch.Tensor, temperature: float) -> torch.Tensor:
    """``[pairs, n, hidden]``, ``[pairs, m, hidden]`` and their masks -> ``[pairs]`` divergences (formula above).

    Every pair must have at least one unmasked position on each side.
    """
    log_a, log_b = uniform_log_weights(source_mask), uniform_log_weights(target_mask)
    a, b = log_a.exp(), log_b.exp()

    def mean_softmin(cost: torch.Tensor, row_weights: torch.Tensor, row_mask: torch.Tensor, column_log_weights: torch.Tensor) -> torch.Tensor:
        distances = softmin(cost, column_log_weights, temperature)
        return torch.where(row_mask, row_weights * distances, torch.zeros_like(distances)).sum(dim=1)

    cross = cosine_cost(source, target)
    return (
        mean_softmin(cross, a, source_mask, log_b)
        + mean_softmin(cross.transpose(1, 2), b, target_mask, log_a)
        - mean_softmin(cosine_cost(source, source), a, source_mask, log_a)
        - mean_softmin(cosine_cost(target, target), b, target_mask, log_b)
    )


class TokenAlignAligner(nn.Module):
    """Hausdorff divergence between the token states of each English row and its translation."""

    needs_context = True

    def __init__(self, temperature: float = 0.05):
        super().__init__()
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ConfigError(f"token-align aligner: temperature must be a positive number, got {temperature!r}")
        self.temperature = float(temperature)

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        if context is None:
            raise TypeError("token-align needs the alignment context (the token states): call it as aligner(source, target, context=...)")
        states = context.encoded.token_states
        source_mask = text_positions(context.batch, context.source_rows)
        target_mask = text_positions(context.batch, context.target_rows)
        usable = source_mask.any(dim=1) & target_mask.any(dim=1)
        if not bool(usable.any()):
            return states.sum() * 0.0
        source_rows, target_rows = context.source_rows[usable], context.target_rows[usable]
        divergence = hausdorff_divergence(states[source_rows], states[target_rows], source_mask[usable], target_mask[usable], self.temperature)
        return divergence.mean()

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}"
