"""slot-projection: gold tags carried across, B/I rebuilt, slot mass kept, gradients only where allowed."""

from __future__ import annotations

import logging

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenalign_toy import IGNORE, INTENTS, SLOT_LABELS, LinearSlotHead, make_context

import xalign
from xalign.errors import ConfigError
from xalign_tokenalign import SlotProjectionAligner
from xalign_tokenalign.tags import TagSpace

HIDDEN = 8
LABELS = xalign.LabelSpace(INTENTS, SLOT_LABELS)  # O, B-TIME, I-TIME, B-GENRE, B-CITY
O, B_TIME, I_TIME, B_GENRE, B_CITY = range(5)


def batch_of(english_tags: torch.Tensor, masks: torch.Tensor, translations_of: list[int] | None = None) -> dict:
    """English rows first (tags [english, seq]); then one translation row per entry of ``translations_of``."""
    english = english_tags.shape[0]
    translations_of = list(range(english)) if translations_of is None else translations_of
    return {"attention_mask": masks.long(), "text_mask": masks.long(), "slot_labels": english_tags, "num_source": english,
            "num_labelled": english, "translation_source_index": torch.tensor(translations_of)}


def run(aligner, states, tags, masks, head=None, translations_of=None):
    batch = batch_of(tags, masks, translations_of)
    source_rows = batch["translation_source_index"]
    target_rows = torch.arange(tags.shape[0], tags.shape[0] + len(source_rows))
    head = head if head is not None else LinearSlotHead(HIDDEN)
    return aligner(None, None, context=make_context(states, batch, source_rows, target_rows, head))


def projected_tags(aligner, states, tags, masks):
    """The argmax of the projected targets at each translation word token (pair 0)."""
    captured = {}

    class Capture(torch.nn.Module):
        def forward(self, token_states, sentence_embedding):
            return {"slots": torch.zeros(*token_states.shape[:2], len(SLOT_LABELS), requires_grad=True)}

    original = aligner.project

    def project(*arguments):
        types, targets = original(*arguments)
        captured["targets"] = targets
        return types, targets

    aligner.project = project
    run(aligner, states, tags, masks, Capture())
    targets = captured["targets"][0]
    translation_mask = masks[tags.shape[0]]
    return [int(targets[j].argmax()) for j in range(len(translation_mask)) if translation_mask[j]]


def orthogonal_states(count: int) -> torch.Tensor:
    return torch.eye(HIDDEN)[:count] * 3.0


def test_an_identical_translation_receives_exactly_the_english_tags():
    english_tags = torch.tensor([[O, O, B_TIME, I_TIME, B_CITY]])
    words = orthogonal_states(5)
    states = torch.stack([words, words])
    masks = torch.ones(2, 5, dtype=torch.bool)
    assert projected_tags(SlotProjectionAligner(LABELS, temperature=0.05), states, english_tags, masks) == [O, O, B_TIME, I_TIME, B_CITY]


def test_reordered_words_get_b_and_i_rebuilt_from_their_new_order():
    # English "seven am" = B-TIME I-TIME; the translation puts "am" first: B/I follow the translation's order.
    english_tags = torch.tensor([[O, B_TIME, I_TIME]])
    words = orthogonal_states(3)
    states = torch.stack([words, words[[0, 2, 1]]])
    masks = torch.ones(2, 3, dtype=torch.bool)
    assert projected_tags(SlotProjectionAligner(LABELS), states, english_tags, masks) == [O, B_TIME, I_TIME]
    copied = projected_tags(SlotProjectionAligner(LABELS, bio="copy"), states, english_tags, masks)
    assert copied == [O, I_TIME, B_TIME]  # copying tags keeps the English B/I, now in the wrong order


def test_one_english_word_spread_over_two_translation_tokens_becomes_b_then_i():
    english_tags = torch.tensor([[O, B_CITY, IGNORE]])  # a second subword is unlabelled
    words = orthogonal_states(3)
    states = torch.stack([words, torch.stack([words[0], words[1], words[1]])])
    masks = torch.tensor([[True, True, True], [True, True, True]])
    tags = projected_tags(SlotProjectionAligner(LABELS), states, english_tags, masks)
    assert tags == [O, B_CITY, B_CITY]  # no I-CITY in this label set: the type's whole mass stays on B-CITY
    english_tags = torch.tensor([[O, B_TIME, IGNORE]])
    assert projected_tags(SlotProjectionAligner(LABELS), states, english_tags, masks) == [O, B_TIME, I_TIME]


def test_tag_space_reads_types_from_bio_and_treats_bare_tags_as_types():
    bio = TagSpace(SLOT_LABELS, "repair")
    assert bio.is_bio and bio.types == ("O", "TIME", "GENRE", "CITY")
    assert bio.begin == [O, B_TIME, B_GENRE, B_CITY] and bio.inside == [O, I_TIME, B_GENRE, B_CITY]
    bare = TagSpace(("O", "TIME", "CITY"), "repair")
    assert not bare.is_bio and bare.types == ("O", "TIME", "CITY")


def hub_batch(seed: int):
    """Anisotropic states: every translation token shares a large common direction ``u``, and one
    English "O" word is ``u`` itself, so it is each translation token's most similar word (a hub)."""
    generator = torch.Generator().manual_seed(seed)
    pairs, words = 4, 5
    basis = torch.eye(HIDDEN)
    common, own = basis[0], basis[1 : words + 1]  # [words, hidden], orthogonal to ``common``
    english = torch.cat([common[None], own])[None].repeat(pairs, 1, 1)  # hub word first
    translation = torch.cat([1.5 * common + own, common[None] * 1.0], dim=0)[None].repeat(pairs, 1, 1)
    translation = translation + 0.05 * torch.randn(translation.shape, generator=generator)
    tags = torch.randint(1, len(SLOT_LABELS), (pairs, words + 1), generator=generator)
    tags[:, 0] = O
    states = torch.cat([english, translation])
    return states, tags, torch.ones(2 * pairs, words + 1, dtype=torch.bool)


def test_the_balanced_plan_keeps_slot_mass_where_a_softmax_collapses_onto_a_hub_word():
    states, tags, masks = hub_batch(0)
    guarded = SlotProjectionAligner(LABELS, temperature=0.1, normalisation="sinkhorn", consistency="none", record_statistics=True)
    unguarded = SlotProjectionAligner(LABELS, temperature=0.1, normalisation="softmax", consistency="none", record_statistics=True)
    run(guarded, states, tags, masks)
    run(unguarded, states, tags, masks)
    with_guard, without_guard = guarded.statistics[-1], unguarded.statistics[-1]
    assert without_guard["hub_share"] > 0.5 and without_guard["slot_mass_ratio"] < 0.6  # collapsed onto the O hub
    assert with_guard["hub_share"] <= 0.35 and with_guard["slot_mass_ratio"] == pytest.approx(1.0, abs=1e-3)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.sampled_from([0.02, 0.1, 1.0]), st.integers(0, 2**16))
def test_the_balanced_plan_projects_each_pair_s_english_slot_share_exactly(pairs, english_length, translation_length, temperature, seed):
    generator = torch.Generator().manual_seed(seed)
    length = max(english_length, translation_length)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator)
    masks = torch.zeros(2 * pairs, length, dtype=torch.bool)
    masks[:pairs, :english_length] = True
    masks[pairs:, :translation_length] = True
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length), generator=generator).masked_fill(~masks[:pairs], IGNORE)
    aligner = SlotProjectionAligner(LABELS, temperature=temperature, normalisation="sinkhorn", consistency="none", iterations=200, record_statistics=True)
    run(aligner, states, tags, masks)
    ratio = aligner.statistics[-1]["slot_mass_ratio"]
    english_slots = bool((tags[masks[:pairs]] > 0).any())
    if english_slots:
        assert ratio == pytest.approx(1.0, abs=2e-3)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**16))
def test_slot_projection_is_unchanged_by_padding_whatever_the_padded_states_hold(pairs, length, extra, seed):
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator)
    masks = torch.ones(2 * pairs, length, dtype=torch.bool)
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length), generator=generator)
    torch.manual_seed(0)
    head = LinearSlotHead(HIDDEN)
    plain = run(SlotProjectionAligner(LABELS), states, tags, masks, head).item()
    padded_states = torch.cat([states, 100 * torch.randn(2 * pairs, extra, HIDDEN, generator=generator)], dim=1)
    padded_masks = torch.cat([masks, torch.zeros(2 * pairs, extra, dtype=torch.bool)], dim=1)
    padded_tags = torch.cat([tags, torch.full((pairs, extra), IGNORE)], dim=1)
    assert run(SlotProjectionAligner(LABELS), padded_states, padded_tags, padded_masks, head).item() == pytest.approx(plain, rel=1e-4, abs=1e-6)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 6), st.integers(0, 2**16))
def test_slot_projection_is_finite_when_the_english_rows_carry_no_slot_labels(pairs, length, seed):
    generator = torch.Generator().manual_seed(seed)
    states = torch.randn(2 * pairs, length, HIDDEN, generator=generator, requires_grad=True)
    masks = torch.ones(2 * pairs, length, dtype=torch.bool)
    unlabelled = torch.full((pairs, length), IGNORE)
    value = run(SlotProjectionAligner(LABELS), states, unlabelled, masks)
    assert value.item() == 0.0
    value.backward()
    all_outside = torch.zeros(pairs, length, dtype=torch.long)  # utterances without any slot: O everywhere
    value = run(SlotProjectionAligner(LABELS), states, all_outside, masks)
    assert torch.isfinite(value) and value.item() >= 0


def test_gradient_flows_into_the_head_and_the_translation_states_only():
    torch.manual_seed(1)
    states = torch.randn(4, 5, HIDDEN, requires_grad=True)
    masks = torch.ones(4, 5, dtype=torch.bool)
    masks[:, 0] = False
    tags = torch.tensor([[IGNORE, O, B_TIME, I_TIME, O], [IGNORE, B_CITY, O, O, B_GENRE]])
    head = LinearSlotHead(HIDDEN)
    run(SlotProjectionAligner(LABELS, consistency="none"), states, tags, masks, head).backward()
    gradient = states.grad.abs().sum(dim=-1)
    assert bool((gradient[:2] == 0).all())  # English rows: the targets are constants
    assert bool((gradient[2:][masks[2:]] > 0).all()) and bool((gradient[2:][~masks[2:]] == 0).all())
    assert head.classifier.weight.grad.abs().sum() > 0


def test_every_translation_of_one_english_row_is_supervised():
    torch.manual_seed(2)
    states = torch.randn(3, 4, HIDDEN, requires_grad=True)  # one English row, two translations of it
    masks = torch.ones(3, 4, dtype=torch.bool)
    tags = torch.tensor([[O, B_TIME, I_TIME, O]])
    head = LinearSlotHead(HIDDEN)
    both = run(SlotProjectionAligner(LABELS, consistency="none"), states, tags, masks, head, translations_of=[0, 0])
    both.backward()
    assert all(states.grad[row].abs().sum() > 0 for row in (1, 2))
    first = run(SlotProjectionAligner(LABELS, consistency="none"), states[[0, 1]], tags, masks[[0, 1]], head)
    second = run(SlotProjectionAligner(LABELS, consistency="none"), states[[0, 2]], tags, masks[[0, 2]], head)
    assert both.item() == pytest.approx((first.item() + second.item()) / 2, rel=1e-5)


def test_alignment_only_english_rows_without_labels_are_skipped():
    torch.manual_seed(3)
    states = torch.randn(4, 4, HIDDEN)
    masks = torch.ones(4, 4, dtype=torch.bool)
    tags = torch.tensor([[O, B_TIME, I_TIME, O]])  # only the first English row is labelled
    batch = batch_of(tags, masks, [0, 1])
    batch["num_source"] = 2
    head = LinearSlotHead(HIDDEN)
    with_extra = SlotProjectionAligner(LABELS)(None, None, context=make_context(states, batch, torch.tensor([0, 1]), torch.tensor([2, 3]), head))
    alone = SlotProjectionAligner(LABELS)(None, None, context=make_context(states, batch, torch.tensor([0]), torch.tensor([2]), head))
    assert with_extra.item() == pytest.approx(alone.item(), rel=1e-6)


def test_without_slot_labels_it_warns_once_and_adds_nothing(caplog):
    with caplog.at_level(logging.WARNING):
        aligner = SlotProjectionAligner(xalign.LabelSpace(INTENTS, ()))
    assert "no slot labels" in caplog.text
    states = torch.randn(2, 3, HIDDEN, requires_grad=True)
    batch = {"attention_mask": torch.ones(2, 3, dtype=torch.long), "intent_labels": torch.tensor([0]), "num_source": 1, "num_labelled": 1}
    value = aligner(None, None, context=make_context(states, batch, [0], [1], None))
    assert value.item() == 0.0
    value.backward()


def test_a_head_without_slot_logits_is_a_clear_error():
    class IntentOnly(torch.nn.Module):
        def forward(self, token_states, sentence_embedding):
            return {"intent": sentence_embedding}

    states = torch.randn(2, 3, HIDDEN)
    masks = torch.ones(2, 3, dtype=torch.bool)
    with pytest.raises(ConfigError, match="slot logits"):
        run(SlotProjectionAligner(LABELS), states, torch.tensor([[O, B_TIME, O]]), masks, IntentOnly())


@pytest.mark.parametrize(("argument", "value"), [("temperature", 0), ("normalisation", "balanced"), ("bio", "bilou"), ("iterations", 0), ("log_every", -1),
                                                 ("layer", "middle"), ("layer", 2.5), ("consistency", "tokens"), ("start", 1.0), ("start", -0.1),
                                                 ("units", "subwords"), ("max_word_pieces", 0), ("ramp", -0.1), ("ramp", 1.5), ("intent", -1),
                                                 ("agreement", "both"), ("robust", 1.5), ("robust", -0.1)])
def test_bad_settings_are_refused_by_name(argument, value):
    with pytest.raises(ConfigError, match=argument):
        SlotProjectionAligner(LABELS, **{argument: value})


# --- the consistency check (the default guard) and the aligned layer ---------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 7), st.integers(0, 2**16), st.sampled_from(["argmax", "softmax", "sinkhorn"]))
def test_an_identical_translation_is_kept_unless_two_english_spans_of_one_type_touch(pairs, length, seed, normalisation):
    generator = torch.Generator().manual_seed(seed)
    words = torch.randn(pairs, length, HIDDEN, generator=generator)
    states = torch.cat([words, words])
    masks = torch.ones(2 * pairs, length, dtype=torch.bool)
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length), generator=generator)
    aligner = SlotProjectionAligner(LABELS, normalisation=normalisation, temperature=0.01, iterations=200, record_statistics=True)
    run(aligner, states, tags, masks)
    # B/I is rebuilt from the translation's order, so "B-TIME B-TIME" (two spans that touch)
    # comes out as one span, and such a pair is (rightly) not trusted.
    type_of = {O: "O", B_TIME: "TIME", I_TIME: "TIME", B_GENRE: "GENRE", B_CITY: "CITY"}
    touching = [any(tags[p, i].item() in (B_TIME, B_GENRE, B_CITY) and type_of[tags[p, i].item()] == type_of[tags[p, i - 1].item()] for i in range(1, length))
                for p in range(pairs)]
    assert aligner.statistics[-1]["kept_share"] == pytest.approx(1 - sum(touching) / pairs)


def test_a_projection_that_loses_or_merges_a_slot_is_left_out():
    # English: "at seven in paris" = O B-TIME O B-CITY; the translation's tokens all sit
    # nearest the English "at", so the projection has no TIME and no CITY span: left out.
    english_tags = torch.tensor([[O, B_TIME, O, B_CITY]])
    words = orthogonal_states(4)
    collapsed = torch.stack([words, words[[0, 0, 0, 0]] + 0.01 * words[[1, 2, 3, 1]]])
    masks = torch.ones(2, 4, dtype=torch.bool)
    aligner = SlotProjectionAligner(LABELS, record_statistics=True)
    states = collapsed.clone().requires_grad_(True)
    value = run(aligner, states, english_tags, masks)
    assert aligner.statistics[-1]["kept_share"] == 0.0 and value.item() == 0.0
    value.backward()
    assert states.grad.abs().sum() == 0  # nothing is taught from a rejected projection
    # Two adjacent English TIME words projected onto one translation token: still one span, kept.
    english_tags = torch.tensor([[O, B_TIME, I_TIME, B_CITY]])
    merged = torch.stack([words, words[[0, 1, 3, 3]]])
    kept = SlotProjectionAligner(LABELS, record_statistics=True)
    run(kept, merged, english_tags, masks)
    assert kept.statistics[-1]["kept_share"] == 1.0
    # Two English TIME spans (B-TIME B-TIME) merged into one translation span: left out.
    english_tags = torch.tensor([[O, B_TIME, B_TIME, B_CITY]])
    two_spans = SlotProjectionAligner(LABELS, record_statistics=True)
    run(two_spans, merged, english_tags, masks)
    assert two_spans.statistics[-1]["kept_share"] == 0.0
    # Without the check the same pair is taught.
    unchecked = SlotProjectionAligner(LABELS, consistency="none", record_statistics=True)
    assert run(unchecked, collapsed, torch.tensor([[O, B_TIME, O, B_CITY]]), masks).item() > 0


def test_the_consistency_check_catches_the_collapse_onto_a_hub_word():
    states, tags, masks = hub_batch(0)
    checked = SlotProjectionAligner(LABELS, normalisation="softmax", temperature=0.1, record_statistics=True)
    run(checked, states, tags, masks)
    assert checked.statistics[-1]["hub_share"] > 0.5
    assert checked.statistics[-1]["kept_share"] == 0.0


def layered_context(aligned_layer: int, depth: int = 6):
    """English O B-TIME B-CITY and a translation whose states match it only at ``aligned_layer``;
    at every other layer (the last included) the translation's tokens are in reverse order."""
    words = orthogonal_states(3)
    layers = []
    for index in range(depth + 1):
        translation = words if index == aligned_layer else words[[2, 1, 0]]
        layers.append(torch.stack([words, translation]))
    tags = torch.tensor([[O, B_TIME, B_CITY]])
    masks = torch.ones(2, 3, dtype=torch.bool)
    batch = batch_of(tags, masks)
    context = make_context(layers[-1], batch, torch.tensor([0]), torch.tensor([1]), LinearSlotHead(HIDDEN))
    context.encoded.hidden_states = tuple(layers)
    return context


def captured_targets(aligner, context):
    captured = {}
    original = aligner.project

    def project(*arguments):
        types, targets = original(*arguments)
        captured["tags"] = targets[0].argmax(dim=-1).tolist()
        return types, targets

    aligner.project = project
    aligner(None, None, context=context)
    return captured["tags"]


def test_the_alignment_reads_two_thirds_up_the_encoder_by_default_or_the_layer_asked_for():
    from xalign_tokenalign.slot_projection import alignment_layer

    assert [alignment_layer(depth) for depth in (6, 12, 24)] == [4, 8, 16]
    assert captured_targets(SlotProjectionAligner(LABELS), layered_context(4)) == [O, B_TIME, B_CITY]
    assert captured_targets(SlotProjectionAligner(LABELS, layer=2), layered_context(2)) == [O, B_TIME, B_CITY]
    assert captured_targets(SlotProjectionAligner(LABELS, layer=-1), layered_context(4)) == [B_CITY, B_TIME, O]
    assert SlotProjectionAligner(LABELS).needs_hidden_states and not SlotProjectionAligner(LABELS, layer=-1).needs_hidden_states
    with pytest.raises(ConfigError, match="layer 9 does not exist; this encoder has layers 0 \\(embeddings\\) to 6"):
        SlotProjectionAligner(LABELS, layer=9)(None, None, context=layered_context(4))


def test_an_encoder_without_inner_layers_falls_back_to_the_last_layer_with_one_warning(caplog):
    states = torch.stack([orthogonal_states(3), orthogonal_states(3)])
    masks = torch.ones(2, 3, dtype=torch.bool)
    aligner = SlotProjectionAligner(LABELS)
    with caplog.at_level(logging.WARNING):
        run(aligner, states, torch.tensor([[O, B_TIME, B_CITY]]), masks)
        run(aligner, states, torch.tensor([[O, B_TIME, B_CITY]]), masks)
    assert caplog.text.count("no inner layers") == 1


def test_the_projection_starts_at_its_share_of_training_and_runs_whenever_progress_is_unknown():
    import attrs

    english_tags = torch.tensor([[O, B_TIME, B_CITY]])
    words = orthogonal_states(3)
    states = torch.stack([words, words]).requires_grad_(True)
    masks = torch.ones(2, 3, dtype=torch.bool)
    batch = batch_of(english_tags, masks)
    torch.manual_seed(0)
    head = LinearSlotHead(HIDDEN)
    context = make_context(states, batch, torch.tensor([0]), torch.tensor([1]), head)
    aligner = SlotProjectionAligner(LABELS, start=0.5, ramp=0.0)
    early = aligner(None, None, context=attrs.evolve(context, progress=0.49))
    assert early.item() == 0.0
    early.backward()  # a zero that keeps the graph
    assert aligner(None, None, context=attrs.evolve(context, progress=0.5)).item() > 0
    assert aligner(None, None, context=context).item() > 0  # outside train(): no progress, always on
    assert SlotProjectionAligner(LABELS, start=0.0, ramp=0.0)(None, None, context=attrs.evolve(context, progress=0.0)).item() > 0


# --- words as units, and the ramp ---------------------------------------------------------

U = torch.eye(HIDDEN) * 3.0  # orthogonal directions


def words_case():
    """English "wake seven·ty am" (O, B-TIME on a two-piece word, I-TIME); its translation's middle word also has two pieces.

    Piece by piece, the translation word's first piece leans towards English "wake" (``O``);
    as a whole word it is English "seven·ty": only words as units project it right.
    """
    english = torch.stack([U[0], U[1], U[2], U[4]])
    translation = torch.stack([U[0], 0.9 * U[0] + U[2], 1.5 * U[1] + U[2], U[4]])
    states = torch.stack([english, translation]).requires_grad_(True)
    tags = torch.tensor([[O, B_TIME, IGNORE, I_TIME]])
    masks = torch.ones(2, 4, dtype=torch.bool)
    batch = batch_of(tags, masks)
    batch["word_starts"] = torch.tensor([[1, 1, 0, 1], [1, 1, 0, 1]])
    return states, tags, batch


def capture_projection(aligner, states, batch, head=None):
    captured = {}
    original = aligner.project_batch

    def project_batch(context):
        captured["projection"] = original(context)
        return captured["projection"]

    aligner.project_batch = project_batch
    loss = aligner(None, None, context=make_context(states, batch, torch.tensor([0]), torch.tensor([1]), head or LinearSlotHead(HIDDEN)))
    return loss, captured["projection"]


def test_words_are_aligned_as_wholes_labelled_at_their_first_piece_and_trained_there_only():
    states, _, batch = words_case()
    loss, projection = capture_projection(SlotProjectionAligner(LABELS, units="words"), states, batch)
    assert projection.translation_mask[0].tolist() == [True, True, False, True]
    at_words = projection.targets[0][projection.translation_mask[0]].argmax(dim=-1).tolist()
    assert at_words == [O, B_TIME, I_TIME]  # B/I rebuilt from the previous word, not the previous piece
    assert bool(projection.keep[0])
    loss.backward()
    gradient = states.grad[1].abs().sum(dim=-1)
    assert gradient[2] == 0 and bool((gradient[[0, 1, 3]] > 0).all())  # the second piece is not trained, as in English rows
    assert states.grad[0].abs().sum() == 0
    # Piece by piece, the first piece of the middle word takes "wake"'s O: the TIME span breaks.
    _, tokens = capture_projection(SlotProjectionAligner(LABELS), states.detach(), batch)
    assert tokens.targets[0].argmax(dim=-1).tolist()[1] == O


def test_without_word_starts_it_projects_onto_tokens_with_one_warning(caplog):
    states, _, batch = words_case()
    del batch["word_starts"]
    aligner = SlotProjectionAligner(LABELS, units="words")
    with caplog.at_level(logging.WARNING, logger="xalign_tokenalign.slot_projection"):
        _, projection = capture_projection(aligner, states.detach(), batch)
        capture_projection(aligner, states.detach(), batch)
    _, tokens = capture_projection(SlotProjectionAligner(LABELS), states.detach(), batch)
    assert caplog.text.count("no word_starts") == 1
    assert torch.equal(projection.targets, tokens.targets)


def test_a_run_of_pieces_longer_than_max_word_pieces_is_projected_piece_by_piece():
    states, _, batch = words_case()
    batch["word_starts"] = torch.tensor([[1, 1, 0, 1], [1, 0, 0, 0]])  # the translation as one run without spaces
    _, whole = capture_projection(SlotProjectionAligner(LABELS, units="words", max_word_pieces=4), states.detach(), batch)
    _, pieces = capture_projection(SlotProjectionAligner(LABELS, units="words", max_word_pieces=3), states.detach(), batch)
    assert whole.translation_mask[0].tolist() == [True, False, False, False]
    assert pieces.translation_mask[0].tolist() == [True, True, True, True]


def test_the_ramp_raises_the_weight_linearly_from_start():
    import attrs

    states, _, batch = words_case()
    torch.manual_seed(0)
    head = LinearSlotHead(HIDDEN)
    context = make_context(states.detach(), batch, torch.tensor([0]), torch.tensor([1]), head)
    aligner = SlotProjectionAligner(LABELS, start=0.4, ramp=0.4)
    assert [aligner.schedule(p) for p in (None, 0.0, 0.39, 0.4, 0.6, 0.8, 1.0)] == [1.0, 0.0, 0.0, 0.0, pytest.approx(0.5), 1.0, 1.0]
    full = aligner(None, None, context=attrs.evolve(context, progress=0.9)).item()
    assert aligner(None, None, context=attrs.evolve(context, progress=0.6)).item() == pytest.approx(full / 2)
    assert aligner(None, None, context=attrs.evolve(context, progress=0.3)).item() == 0.0


class SlotAndIntentHead(torch.nn.Module):
    """The joint head's two outputs: slot logits per token, intent logits from the sentence embedding."""

    def __init__(self):
        super().__init__()
        self.slots = torch.nn.Linear(HIDDEN, len(SLOT_LABELS))
        self.intent = torch.nn.Linear(HIDDEN, len(INTENTS))

    def forward(self, token_states, sentence_embedding):
        return {"slots": self.slots(token_states), "intent": self.intent(sentence_embedding)}


def test_the_intent_option_adds_the_english_intent_on_the_kept_translations_and_trains_the_intent_head():
    states, _, batch = words_case()
    batch["intent_labels"] = torch.tensor([2])
    torch.manual_seed(0)
    head = SlotAndIntentHead()
    context = make_context(states.detach(), batch, torch.tensor([0]), torch.tensor([1]), head)
    slots_only = SlotProjectionAligner(LABELS)(None, None, context=context)
    with_intent = SlotProjectionAligner(LABELS, intent=0.5)(None, None, context=context)
    translation_embedding = context.encoded.sentence_embedding[1:2]
    expected = torch.nn.functional.cross_entropy(head.intent(translation_embedding), torch.tensor([2]))
    assert with_intent.item() == pytest.approx(slots_only.item() + 0.5 * expected.item(), rel=1e-5)
    with_intent.backward()
    assert head.intent.weight.grad.abs().sum() > 0
    head.zero_grad()
    slots_only.backward()
    assert head.intent.weight.grad is None or head.intent.weight.grad.abs().sum() == 0


# --- agreement and the robust loss -------------------------------------------------------


def test_mutual_agreement_trains_only_the_translation_units_their_english_word_picks_back():
    english = orthogonal_states(2)  # two English words
    translation = torch.stack([english[0], 0.9 * english[0] + 0.1 * english[1], english[1]])  # the middle unit is a second, weaker match of word 0
    tags = torch.tensor([[B_TIME, B_CITY, IGNORE]])
    masks = torch.tensor([[True, True, False], [True, True, True]])
    gradients = {}
    for agreement in ("any", "mutual"):
        states = torch.stack([torch.cat([english, torch.zeros(1, HIDDEN)]), translation]).requires_grad_(True)
        run(SlotProjectionAligner(LABELS, consistency="none", agreement=agreement), states, tags, masks).backward()
        gradients[agreement] = states.grad[1].abs().sum(dim=-1)
    assert bool((gradients["any"] > 0).all())
    assert gradients["mutual"][0] > 0 and gradients["mutual"][2] > 0 and gradients["mutual"][1] == 0


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(2, 6), st.integers(0, 2**16))
def test_the_robust_loss_is_bounded_by_one_over_q_and_tends_to_cross_entropy_as_q_shrinks(pairs, length, seed):
    torch.manual_seed(seed)
    english = orthogonal_states(length) if length <= HIDDEN else torch.randn(length, HIDDEN)
    states = torch.cat([english.expand(pairs, -1, -1), english.expand(pairs, -1, -1)])  # identical translations: the tags carried over exactly
    tags = torch.randint(0, len(SLOT_LABELS), (pairs, length))
    masks = torch.ones(2 * pairs, length, dtype=torch.bool)
    torch.manual_seed(seed)
    head = LinearSlotHead(HIDDEN)
    head.eval()  # no dropout: the three losses see the same logits
    cross_entropy, nearly, robust = (float(run(SlotProjectionAligner(LABELS, consistency="none", bio="copy", robust=q), states, tags, masks, head).detach())
                                     for q in (0.0, 1e-4, 0.7))
    assert nearly == pytest.approx(cross_entropy, rel=1e-2, abs=1e-3)
    assert 0.0 <= robust <= 1 / 0.7 and robust <= cross_entropy + 1e-6
