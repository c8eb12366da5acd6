"""Each xalign pooler computes what the sentence-transformers pooling mode of the same name computes."""

from __future__ import annotations

import pytest
import torch
from sentence_transformers.sentence_transformer.modules import Pooling

from xalign.poolers import POOLERS, SENTENCE_TRANSFORMERS_MODES


@pytest.mark.parametrize("mode", Pooling.POOLING_MODES)
def test_each_pooler_matches_the_library_on_right_padded_rows(mode):
    assert mode in SENTENCE_TRANSFORMERS_MODES  # every mode the library offers has a pooler
    generator = torch.Generator().manual_seed(0)
    states = torch.randn(4, 7, 16, generator=generator)
    lengths = torch.tensor([7, 1, 4, 2])
    mask = (torch.arange(7)[None, :] < lengths[:, None]).long()
    expected = Pooling(16, pooling_mode=mode)({"token_embeddings": states, "attention_mask": mask})["sentence_embedding"]
    pooled = POOLERS[SENTENCE_TRANSFORMERS_MODES[mode]]()(states, mask)
    assert torch.allclose(pooled, expected, atol=1e-6)


@pytest.mark.parametrize("name", sorted(set(SENTENCE_TRANSFORMERS_MODES.values())))
def test_padding_never_changes_a_pooled_vector(name):
    generator = torch.Generator().manual_seed(1)
    states = torch.randn(1, 5, 8, generator=generator)
    padded = torch.cat([states, torch.randn(1, 3, 8, generator=generator) * 100], dim=1)
    pooler = POOLERS[name]()
    alone = pooler(states, torch.ones(1, 5, dtype=torch.long))
    with_padding = pooler(padded, torch.tensor([[1] * 5 + [0] * 3]))
    assert torch.allclose(alone, with_padding, atol=1e-5)
