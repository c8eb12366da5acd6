"""Translate-Intent: the head's intent cross-entropy on the translations, with the English labels."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import xalign
from crossaligner_toy import INTENTS, SLOT_LABELS, make_context
from xalign.errors import ConfigError
from xalign_crossaligner import TranslateIntentAligner

HIDDEN = 8


def head(name: str = "sequence-classification", seed: int = 0):
    """A real task head from the registry, without dropout so that it is deterministic."""
    torch.manual_seed(seed)
    labels = xalign.LabelSpace(INTENTS, SLOT_LABELS)
    return xalign.get_registry().get("heads", name).factory(HIDDEN, labels, 0.0)


@st.composite
def labelled_pairs(draw):
    pairs = draw(st.integers(1, 5))
    target = torch.from_numpy(draw(arrays(np.float32, (pairs, HIDDEN), elements=st.floats(-5, 5, width=32))))
    labels = torch.tensor(draw(st.lists(st.integers(0, len(INTENTS) - 1), min_size=pairs, max_size=pairs)))
    return target, labels


def context_for(target, labels, head_module, num_labelled=None, seq=3):
    pairs = len(target)
    token_states = torch.randn(2 * pairs, seq, HIDDEN)
    embeddings = torch.cat([torch.randn(pairs, HIDDEN), target])
    batch = {"intent_labels": labels, "num_source": pairs, "num_labelled": pairs if num_labelled is None else num_labelled}
    return make_context(token_states, embeddings, batch, torch.arange(pairs), torch.arange(pairs, 2 * pairs), head_module)


@settings(max_examples=40, deadline=None)
@given(labelled_pairs(), st.integers(0, 3))
def test_translate_intent_equals_the_intent_cross_entropy_on_the_target_embedding(pair, seed):
    target, labels = pair
    classifier_head = head(seed=seed)
    source = torch.randn_like(target)
    loss = TranslateIntentAligner()(source, target, context=context_for(target, labels, classifier_head))
    linear = classifier_head.classifier
    expected = torch.nn.functional.cross_entropy(target @ linear.weight.T + linear.bias, labels)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5, abs=1e-6)


def test_translate_intent_uses_the_joint_heads_intent_logits_too():
    target, labels = torch.randn(3, HIDDEN), torch.tensor([0, 2, 1])
    joint = head("joint-intent-slot")
    loss = TranslateIntentAligner()(torch.randn(3, HIDDEN), target, context=context_for(target, labels, joint))
    expected = torch.nn.functional.cross_entropy(joint(torch.zeros(3, 1, HIDDEN), target)["intent"], labels)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_translate_intent_leaves_out_pairs_whose_english_row_has_no_label():
    target, labels = torch.randn(4, HIDDEN), torch.tensor([1, 0])  # rows 2 and 3 only serve alignment
    classifier_head = head()
    loss = TranslateIntentAligner()(torch.randn(4, HIDDEN), target, context=context_for(target, labels, classifier_head, num_labelled=2))
    expected = torch.nn.functional.cross_entropy(classifier_head(None, target[:2])["intent"], labels)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    nothing = context_for(target, labels[:0], classifier_head, num_labelled=0)
    zero = TranslateIntentAligner()(torch.randn(4, HIDDEN), target.requires_grad_(), context=nothing)
    assert zero.item() == 0.0 and zero.requires_grad


def test_translate_intent_trains_the_encoder_side_and_the_head():
    target = torch.randn(2, HIDDEN, requires_grad=True)
    classifier_head = head()
    TranslateIntentAligner()(torch.randn(2, HIDDEN), target, context=context_for(target, torch.tensor([0, 1]), classifier_head)).backward()
    assert target.grad.abs().sum() > 0 and classifier_head.classifier.weight.grad.abs().sum() > 0


def test_translate_intent_without_intent_labels_says_which_head_it_needs():
    target = torch.randn(2, HIDDEN)
    context = context_for(target, torch.tensor([0, 1]), head())
    context.batch.pop("intent_labels")
    with pytest.raises(ConfigError, match="intent labels"):
        TranslateIntentAligner()(target, target, context=context)
    with pytest.raises(TypeError, match="context"):
        TranslateIntentAligner()(target, target)
