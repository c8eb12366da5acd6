"""Soft token alignment between a sentence and its translation, from the encoder's own token states.

Owns the pieces the two losses and the diagnostic share: which positions are words (the
text mask), the cosine cost matrix of every (English token, translation token) pair, the
two soft alignments built from it, and the statistics that say whether an alignment aligns
words or noise. Knows nothing of tokenizers, heads or training.

Shapes: ``pairs`` sentence pairs, ``source``/``target`` token positions on each side::

    cost[p, i, j]   = 1 - cos(x_pi, y_pj)                                    [pairs, source, target]
    softmin(x, Y)   = -τ log Σ_j b_j exp(-cost(x, y_j) / τ)                  (b_j = 1/|Y|)
    forward[p, i, :]  = softmax_j(-cost[p, i, :] / τ)   each English token over the translation
    backward[p, j, :] = softmax_i(-cost[p, :, j] / τ)   each translation token over the English
    sinkhorn[p]     = the entropic optimal-transport plan with uniform marginals (rows sum to
                      1/|source|, columns to 1/|target|, total 1)

Masked positions (padding, special tokens, the text prefix, or unlabelled words) take no part:
they receive no mass and a masked position's value never depends on what its state holds.
"""

from __future__ import annotations

import math

import torch

# A finite stand-in for log(0): keeps log-sum-exp finite where a whole row is masked
# (an empty side), whose result is then discarded.
LOG_ZERO = -1e9


def text_positions(batch: dict, rows: torch.Tensor) -> torch.Tensor:
    """``[len(rows), seq]`` bool: the word tokens of each row (no padding, specials or prefix).

    Uses the collator's ``text_mask``. A batch collated without it (an older collator, a
    hand-made batch) falls back to the attention mask minus each row's first and last real
    token, the ``[CLS]``/``<s>`` and ``[SEP]``/``</s>`` of single-sentence inputs.
    """
    mask = batch.get("text_mask")
    if mask is not None:
        return mask[rows].bool()
    attention = batch["attention_mask"][rows].bool()
    positions = torch.arange(attention.shape[1], device=attention.device)
    last = attention.long().sum(dim=1, keepdim=True) - 1
    return attention & (positions > 0) & (positions != last)


def word_units(word_starts: torch.Tensor, text: torch.Tensor, max_pieces: int) -> torch.Tensor:
    """``[rows, seq]`` bool: the first position of each unit a label is projected onto.

    A unit is a word (``word_starts``: the collator's first subword of every word, from the
    tokenizer's pre-tokenisation) of at most ``max_pieces`` subwords. A longer "word" is a run
    of text without spaces in a script written without them (Thai, for one), so each of its
    subwords is a unit of its own. The first text position always starts a word.
    """
    text = text.bool()
    first = text & (torch.cumsum(text.long(), dim=1) == 1)
    starts = (word_starts.bool() & text) | first
    unit = torch.cumsum(starts.long(), dim=1) * text  # 1-based unit number at each text position, 0 elsewhere
    pieces = torch.zeros(unit.shape[0], unit.shape[1] + 1, device=unit.device).scatter_add_(1, unit, text.float())
    too_long = pieces.gather(1, unit) > max_pieces
    return starts | (text & too_long)


def mean_over_units(states: torch.Tensor, units: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
    """``[rows, seq, hidden]``: at each unit's first position, the mean of the unit's states; elsewhere the states unchanged.

    A unit runs from its first position to the next one (or the end of the text). Averaging a
    word's subwords gives one vector per word, which aligns across languages better than the
    first subword alone (measured in the README).
    """
    unit = torch.cumsum(units.long(), dim=1) * text.long()
    index = unit[:, :, None].expand_as(states)
    sums = torch.zeros(states.shape[0], states.shape[1] + 1, states.shape[2], dtype=states.dtype, device=states.device).scatter_add_(1, index, states)
    counts = torch.zeros(states.shape[0], states.shape[1] + 1, dtype=states.dtype, device=states.device).scatter_add_(1, unit, text.to(states.dtype))
    means = (sums / counts.clamp(min=1)[:, :, None]).gather(1, index)
    return torch.where(units.bool()[:, :, None], means, states)


def cosine_cost(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``[pairs, source, hidden]``, ``[pairs, target, hidden]`` -> ``[pairs, source, target]`` of 1 - cosine, in float32."""
    source = torch.nn.functional.normalize(source.float(), dim=-1, eps=1e-8)
    target = torch.nn.functional.normalize(target.float(), dim=-1, eps=1e-8)
    return 1.0 - source @ target.transpose(1, 2)


def uniform_log_weights(mask: torch.Tensor) -> torch.Tensor:
    """``[pairs, positions]`` bool -> log of uniform weights over the unmasked positions (LOG_ZERO elsewhere)."""
    count = mask.sum(dim=1, keepdim=True).clamp(min=1).float()
    return torch.where(mask, -torch.log(count), torch.full_like(count, LOG_ZERO).expand_as(mask))


def softmin(cost: torch.Tensor, log_weights: torch.Tensor, temperature: float) -> torch.Tensor:
    """``[pairs, n, m]``, ``[pairs, m]`` -> ``[pairs, n]``: -τ log Σ_j w_j exp(-cost[:, :, j] / τ).

    A smooth minimum of each row's costs: it tends to the row minimum as τ -> 0 and to the
    weighted mean as τ grows. Its gradient with respect to ``cost`` is the softmax
    alignment ``softmax_j(log w_j - cost / τ)``.
    """
    return -temperature * torch.logsumexp(log_weights[:, None, :] - cost / temperature, dim=2)


def softmax_alignments(cost: torch.Tensor, source_mask: torch.Tensor, target_mask: torch.Tensor, temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(forward [pairs, source, target], backward [pairs, target, source])``: temperature softmax both ways.

    Rows of a masked position are all zero; every other row sums to 1.
    """
    logits = -cost / temperature
    both = source_mask[:, :, None] & target_mask[:, None, :]
    logits = logits.masked_fill(~both, LOG_ZERO)
    forward = torch.softmax(logits, dim=2) * both
    backward = torch.softmax(logits, dim=1).transpose(1, 2) * both.transpose(1, 2)
    return forward, backward


def sinkhorn_plan(cost: torch.Tensor, source_mask: torch.Tensor, target_mask: torch.Tensor, temperature: float, iterations: int = 30) -> torch.Tensor:
    """``[pairs, source, target]``: the entropic optimal-transport plan between uniform weights.

    Log-domain Sinkhorn (Cuturi 2013; Peyré & Cuturi 2019, §4.4): alternately rescale rows and
    columns of ``exp(-cost / τ)`` so that every unmasked source position sends 1/|source| and
    every unmasked target position receives 1/|target|. Unlike a softmax, the plan cannot send
    every token to one "hub" token: each token on each side carries its share of the mass.
    A pair with an empty side gets an all-zero plan.
    """
    log_a, log_b = uniform_log_weights(source_mask), uniform_log_weights(target_mask)
    both = source_mask[:, :, None] & target_mask[:, None, :]
    kernel = (-cost / temperature).masked_fill(~both, LOG_ZERO)
    f = torch.zeros_like(log_a)
    g = torch.zeros_like(log_b)
    for _ in range(iterations):
        f = log_a - torch.logsumexp(kernel + g[:, None, :], dim=2)
        g = log_b - torch.logsumexp(kernel + f[:, :, None], dim=1)
    plan = torch.exp(kernel + f[:, :, None] + g[:, None, :]) * both
    usable = source_mask.any(dim=1) & target_mask.any(dim=1)
    return plan * usable[:, None, None]


def row_entropy(alignment: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[pairs, n, m]`` row-stochastic, ``[pairs, n]`` -> ``[pairs, n]``: entropy of each row / log(m_p).

    0 when each token aligns to exactly one token, 1 when it spreads evenly over all of them
    (``m_p``: the unmasked columns of the pair); 0 for masked rows and single-column pairs.
    """
    columns = (alignment.sum(dim=1) > 0).sum(dim=1).clamp(min=1).float()  # [pairs]
    entropy = -(alignment * torch.log(alignment.clamp(min=1e-12))).sum(dim=2)
    normaliser = torch.log(columns).clamp(min=1e-12)[:, None]
    return torch.where(mask & (columns[:, None] > 1), entropy / normaliser, torch.zeros_like(entropy))


def relative_positions(mask: torch.Tensor) -> torch.Tensor:
    """``[pairs, n]`` bool -> each unmasked position's rank among them, scaled to [0, 1] (0.5 when alone)."""
    rank = mask.long().cumsum(dim=1) - 1
    count = mask.sum(dim=1, keepdim=True)
    scaled = rank.float() / (count - 1).clamp(min=1).float()
    return torch.where(count > 1, scaled, torch.full_like(scaled, 0.5))


def diagonal_distance(alignment: torch.Tensor, source_mask: torch.Tensor, target_mask: torch.Tensor) -> torch.Tensor:
    """``[pairs, source]``: expected |relative source position - relative target position| under each row.

    0 when each token aligns to the token at the same relative place (a monotone,
    same-length translation); about 1/3 for an alignment spread evenly or placed at random.
    """
    offset = (relative_positions(source_mask)[:, :, None] - relative_positions(target_mask)[:, None, :]).abs()
    return torch.where(source_mask, (alignment * offset).sum(dim=2), torch.zeros_like(offset[:, :, 0]))


def alignment_statistics(cost: torch.Tensor, source_mask: torch.Tensor, target_mask: torch.Tensor, temperature: float) -> dict[str, float]:
    """Summary of the softmax alignments of a batch of pairs (means over tokens of both directions).

    ``entropy``: normalised row entropy (0 sharp, 1 uniform). ``diagonal_distance``: expected
    relative-position offset (0 on the diagonal, ~1/3 at random). ``mutual_argmax``: share of
    tokens whose best partner picks them back. ``hub_share``: over pairs, the largest share of
    translation tokens whose best English token is one and the same token (1/|source| when
    spread, 1 when everything aligns to one token).
    """
    forward, backward = softmax_alignments(cost, source_mask, target_mask, temperature)
    usable = source_mask.any(dim=1) & target_mask.any(dim=1)
    source_mask, target_mask = source_mask & usable[:, None], target_mask & usable[:, None]
    tokens = source_mask.sum() + target_mask.sum()
    if int(tokens) == 0:
        return {"pairs": 0, "tokens": 0, "entropy": math.nan, "diagonal_distance": math.nan, "mutual_argmax": math.nan, "hub_share": math.nan}
    entropy = row_entropy(forward, source_mask).sum() + row_entropy(backward, target_mask).sum()
    offset = diagonal_distance(forward, source_mask, target_mask).sum() + diagonal_distance(backward, target_mask, source_mask).sum()
    best_target = forward.argmax(dim=2)  # [pairs, source]
    best_source = backward.argmax(dim=2)  # [pairs, target]
    round_trip = best_source.gather(1, best_target)  # the English token that each English token's partner picks
    mutual = ((round_trip == torch.arange(forward.shape[1], device=cost.device)) & source_mask).sum()
    counts = torch.zeros(forward.shape[0], forward.shape[1], device=cost.device).scatter_add_(1, best_source, target_mask.float())
    hub = counts.max(dim=1).values / target_mask.sum(dim=1).clamp(min=1)
    return {
        "pairs": int(usable.sum()),
        "tokens": int(tokens),
        "entropy": float(entropy / tokens),
        "diagonal_distance": float(offset / tokens),
        "mutual_argmax": float(mutual / source_mask.sum().clamp(min=1)),
        "hub_share": float(hub[usable].mean()),
    }
