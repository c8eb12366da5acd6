"""A word the tokenizer deletes entirely keeps its tag: it is read as the unknown token.

BERT-style normalisation (``clean_text``) removes control characters, and XLM-R's
SentencePiece drops some too (U+007F): a word made only of them produced no token, so
before the fix its slot tag was dropped from training without a word, and at test time the
word got no prediction (scored as "O"). Now it gets the unknown token at its place, with a
warning that counts such words.
"""

from __future__ import annotations

import logging

import pytest
from tokenizers import normalizers

from xalign.data.collate import Collator
from xalign.data.examples import SlotFillingExample
from xalign.data.labels import IGNORE_INDEX
from xalign.heads import LabelSpace
from xalign.testing import tiny_tokenizer

LABELS = LabelSpace(("music",), ("O", "B-GENRE", "B-SONG"))
DELETED = "\x7f"


@pytest.fixture
def bert_like_tokenizer():
    """The tiny word-level tokenizer with BERT's normaliser, which deletes control characters."""
    tokenizer = tiny_tokenizer(["play", "some", "jazz", "query:"])
    tokenizer.backend_tokenizer.normalizer = normalizers.BertNormalizer(clean_text=True, lowercase=True)
    assert tokenizer([["play", DELETED]], is_split_into_words=True).word_ids(0) == [None, 0, None]  # the word is gone
    return tokenizer


@pytest.mark.parametrize("words, tags, prefix", [
    (("play", DELETED, "jazz"), ("O", "B-SONG", "B-GENRE"), ""),
    ((DELETED, "jazz"), ("B-SONG", "B-GENRE"), ""),
    (("play", DELETED), ("O", "B-SONG"), ""),
    ((DELETED,), ("B-SONG",), ""),
    ((DELETED, DELETED, "jazz"), ("B-SONG", "O", "B-GENRE"), "query: "),
])
def test_a_deleted_word_keeps_its_tag_at_an_unknown_token_in_its_place(bert_like_tokenizer, caplog, words, tags, prefix):
    collator = Collator(bert_like_tokenizer, LABELS, text_prefix=prefix, max_length=32)
    example = SlotFillingExample("ex-7", words, tags, "music")
    with caplog.at_level(logging.WARNING, logger="xalign.data.collate"):
        batch = collator.collate_examples([example])
    word_index = batch["word_index"][0].tolist()
    labels = batch["slot_labels"][0].tolist()
    ids = batch["input_ids"][0].tolist()
    starts = [position for position, word in enumerate(word_index) if word >= 0]
    assert [word_index[position] for position in starts] == list(range(len(words)))  # every word, in order
    assert [labels[position] for position in starts] == [LABELS.slot_labels.index(tag) for tag in tags]  # every tag kept
    for position, word in zip(starts, range(len(words))):
        if words[word] == DELETED:
            assert ids[position] == bert_like_tokenizer.unk_token_id
    assert sum(label != IGNORE_INDEX for label in labels) == len(words)
    deleted = sum(word == DELETED for word in words)
    assert collator.deleted.words == deleted
    assert f"{deleted} word(s) so far have no token of their own" in caplog.text and "'ex-7'" in caplog.text


def test_words_that_keep_tokens_are_encoded_as_before(bert_like_tokenizer):
    collator = Collator(bert_like_tokenizer, LABELS, max_length=32)
    example = SlotFillingExample("ex-1", ("play", "some", "jazz"), ("O", "O", "B-GENRE"), "music")
    batch = collator.collate_examples([example])
    assert batch["input_ids"][0].tolist() == bert_like_tokenizer([list(example.words)], is_split_into_words=True)["input_ids"][0]
    assert collator.deleted.words == 0
