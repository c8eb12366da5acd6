"""In-batch contrastive alignment (CrossAligner & Co, Gritta, Hu & Iacobacci, Findings of ACL 2022, §3).

Formula, for ``B`` pairs with ``s_i = source[i] / |source[i]|`` and ``t_j = target[j] / |target[j]|``::

    logits[i, j] = (s_i · t_j) / temperature                 # [B, B] cosine similarities
    loss = mean_i  -log softmax_j(logits[i, :])[i]            # cross-entropy against the diagonal
    symmetric:  loss = (loss(logits) + loss(logitsᵀ)) / 2     # also target rows vs source columns

Inputs: ``source [B, dim]`` (English sentence embeddings) and ``target [B, dim]`` (their
translations), row i of one paired with row i of the other. Every other row of the batch
is a negative. The loss is lowest when each row is most similar to its own translation and
the rows differ from one another; it is unchanged by reordering the pairs.

Temperature: 0.05, the value of SimCSE (Gao et al. 2021) and of sentence-transformers'
``MultipleNegativesRankingLoss`` (scale 20). Cosines lie in [-1, 1], so without a
temperature the largest possible logit gap is 2 and the loss stays near ``log B`` whatever
the model does; with a pretrained multilingual encoder (translations at cosine ~0.93,
unrelated sentences at ~0.77, design notes §3) 0.05 turns that gap into ~3 logits, a
useful but not saturated signal. The paper's one-directional form (English rows, target
columns) is the default; ``symmetric=True`` adds the other direction (as in CLIP).

With a context (the trainer always gives one), pairs that share an English row (one
example translated into several languages) do not count each other's translations as
negatives: those entries are masked out of the softmax.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.errors import ConfigError
from xalign.training.objective import AlignmentContext


class ContrastiveAligner(nn.Module):
    """In-batch contrastive loss over cosine similarities of paired embeddings."""

    needs_context = True

    def __init__(self, temperature: float = 0.05, symmetric: bool = False):
        super().__init__()
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ConfigError(f"contrastive aligner: temperature must be a positive number, got {temperature!r}")
        self.temperature = float(temperature)
        self.symmetric = bool(symmetric)

    def forward(self, source: torch.Tensor, target: torch.Tensor, context: AlignmentContext | None = None) -> torch.Tensor:
        source = nn.functional.normalize(source.float(), dim=-1, eps=1e-8)
        target = nn.functional.normalize(target.float(), dim=-1, eps=1e-8)
        logits = source @ target.T / self.temperature  # [B, B]
        if context is not None:
            same_example = context.source_rows[:, None] == context.source_rows[None, :]
            other_translation = same_example & ~torch.eye(len(logits), dtype=torch.bool, device=logits.device)
            logits = logits.masked_fill(other_translation, float("-inf"))
        diagonal = torch.arange(len(logits), device=logits.device)
        loss = nn.functional.cross_entropy(logits, diagonal)
        if self.symmetric:
            loss = (loss + nn.functional.cross_entropy(logits.T, diagonal)) / 2
        return loss

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, symmetric={self.symmetric}"
