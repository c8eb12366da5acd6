"""Word-level labels <-> subword positions.

Choice (documented, as in the paper's reference code): the *first* subword of a word
carries the word's slot tag; later subwords, special tokens and padding get -100 (ignored
by the loss). ``slot_subwords="all"`` gives every subword its word's tag instead.
Predictions are always read back from each word's first subword, so scoring is on words.
"""

from __future__ import annotations

from typing import Sequence

IGNORE_INDEX = -100


def align_word_labels(word_ids: Sequence[int | None], word_label_ids: Sequence[int], mode: str = "first") -> tuple[list[int], list[int]]:
    """Subword labels and the word index at each word's first subword.

    ``word_ids[position]`` is the index of the word that produced that subword (``None``
    for special tokens and prefixes). Returns ``(labels, first_subword_word_index)``, both
    of length ``len(word_ids)``, with -100 / -1 where no label / no word starts.
    """
    labels = [IGNORE_INDEX] * len(word_ids)
    word_index = [-1] * len(word_ids)
    previous = None
    for position, word in enumerate(word_ids):
        if word is None:
            previous = None
            continue
        if word != previous:
            labels[position] = word_label_ids[word]
            word_index[position] = word
        elif mode == "all":
            labels[position] = word_label_ids[word]
        previous = word
    return labels, word_index


def word_predictions(word_index: Sequence[int], predicted_ids: Sequence[int], number_of_words: int, id_to_tag: Sequence[str], missing: str = "O") -> list[str]:
    """Word-level tags from the predictions at each word's first subword.

    Words with no subword (e.g. removed by truncation) get ``missing``.
    """
    tags = [missing] * number_of_words
    for position, word in enumerate(word_index):
        if word >= 0:
            tags[word] = id_to_tag[predicted_ids[position]]
    return tags
