"""Tokenise, pad dynamically and label a batch of examples with their translations.

The collator turns example records into tensors; it knows the tokenizer and the label
names, nothing of models or losses. Rows are laid out English first, then translations,
so that one encoder call serves the task loss and the alignment loss::

    input_ids            [rows, seq]   rows = batch + translations, padded to the longest
    attention_mask       [rows, seq]   1 for real tokens, 0 for padding
    num_source           int           the first ``num_source`` rows are the English batch
    translation_source_index [translations]  the English row each translation row belongs to
    intent_labels        [batch]       class ids (when the head predicts sentence labels)
    slot_labels          [batch, seq]  tag ids at labelled subwords, -100 elsewhere
    word_index           [batch, seq]  word number at each word's first subword, -1 elsewhere
    text_mask            [rows, seq]   1 at the tokens of the text itself, 0 at padding, special tokens and the text prefix
    word_starts          [rows, seq]   1 at the first subword of every word, English and translation rows alike
                                       (fast tokenizers only: the words are the tokenizer's own pre-tokenisation)
"""

from __future__ import annotations

import logging
from typing import Sequence

import attrs
import torch

from xalign.data.examples import ClassificationExample, PairExample, SlotFillingExample, Translation
from xalign.data.labels import IGNORE_INDEX, align_word_labels
from xalign.errors import DataError
from xalign.heads import LabelSpace

logger = logging.getLogger(__name__)


def word_starts(word_ids: Sequence[int | None]) -> list[int]:
    """1 at the first subword of each word, 0 elsewhere (special tokens included), from a fast tokenizer's ``word_ids``.

    A word restarts wherever the word id changes; the second text of a pair numbers its
    words from 0 again, but a special token always separates the two.
    """
    starts, previous = [], None
    for word in word_ids:
        starts.append(int(word is not None and word != previous))
        previous = word
    return starts


@attrs.frozen
class ParallelItem:
    """An English example and its translations (any number, any languages)."""

    example: ClassificationExample | PairExample | SlotFillingExample
    translations: tuple[Translation, ...] = ()


@attrs.define
class TruncationCounter:
    """How many rows were cut to ``max_length`` (reported, never silent)."""

    rows: int = 0
    labelled_words_lost: int = 0


@attrs.define
class DeletedWordCounter:
    """Words the tokenizer turned into no token at all (a control character such as U+007F,
    a zero-width character), each read as the unknown token instead (reported, never silent)."""

    words: int = 0
    examples: list[str] = attrs.Factory(list)  # the first few example ids, for the warning


class Collator:
    """Callable collate function for ``torch.utils.data.DataLoader``."""

    def __init__(
        self,
        tokenizer,
        labels: LabelSpace,
        text_prefix: str = "",
        max_length: int = 128,
        overlong: str = "truncate",
        slot_subwords: str = "first",
        label_intents: bool = True,
        label_slots: bool = True,
    ):
        self.tokenizer = tokenizer
        self.labels = labels
        self.text_prefix = text_prefix
        self.prefix_words = text_prefix.split()
        self.max_length = max_length
        self.overlong = overlong
        self.slot_subwords = slot_subwords
        self.intent_ids = {name: index for index, name in enumerate(labels.intent_labels)} if label_intents else {}
        self.slot_ids = {name: index for index, name in enumerate(labels.slot_labels)} if label_slots else {}
        self.truncated = TruncationCounter()
        self.deleted = DeletedWordCounter()
        pad = tokenizer.pad_token_id
        self.pad_id = 0 if pad is None else pad
        # Token ids of the prefix as it starts a row ("query: " -> ▁que ry :), for ``text_mask``.
        self.prefix_ids = tokenizer(" ".join(self.prefix_words), add_special_tokens=False)["input_ids"] if self.prefix_words else []
        unknown = tokenizer.unk_token_id
        self.special_ids = sorted(set(getattr(tokenizer, "all_special_ids", [])) - {unknown})

    # -- tokenisation ----------------------------------------------------------------
    def _encode_text(self, texts: Sequence[str], pairs: Sequence[str | None] | None, ids: Sequence[str]) -> list[dict]:
        first = [self.text_prefix + text for text in texts]
        second = list(pairs) if pairs is not None and any(pair is not None for pair in pairs) else None
        encodings = self.tokenizer(first, second, add_special_tokens=True, truncation=False)
        rows = []
        for index in range(len(first)):
            row = {key: encodings[key][index] for key in ("input_ids", "token_type_ids") if key in encodings}
            if getattr(encodings, "is_fast", False):
                row["word_starts"] = word_starts(encodings.word_ids(index))
            rows.append(self._fit(row, ids[index], None))
        return rows

    def _encode_words(self, examples: Sequence[SlotFillingExample]) -> list[dict]:
        words = [self.prefix_words + list(example.words) for example in examples]
        encodings = self.tokenizer(words, is_split_into_words=True, add_special_tokens=True, truncation=False)
        rows = []
        offset = len(self.prefix_words)
        for index, example in enumerate(examples):
            row = {key: list(encodings[key][index]) for key in ("input_ids", "token_type_ids") if key in encodings}
            raw = list(encodings.word_ids(index))
            missing = sorted(set(range(offset, offset + len(example.words))) - set(raw))
            if missing:
                self._keep_deleted_words(row, raw, missing, example, offset)
            row["word_ids"] = [None if word is None or word < offset else word - offset for word in raw]
            row["word_starts"] = word_starts(row["word_ids"])
            rows.append(self._fit(row, example.id, example))
        return rows

    def _keep_deleted_words(self, row: dict, raw: list[int | None], missing: list[int], example: SlotFillingExample, offset: int) -> None:
        """Give each word the tokenizer deleted entirely the unknown token, in its place, so it
        keeps a position and with it its slot tag (for training) and a prediction (for scoring).

        ``raw`` holds the tokenizer's word ids (the prefix words first); both it and ``row`` are
        changed in place. Without an unknown token the words are counted as lost instead.
        """
        unknown = self.tokenizer.unk_token_id
        for word in missing:
            if unknown is None:
                break
            before = [position for position, found in enumerate(raw) if found is not None and found < word]
            after = [position for position, found in enumerate(raw) if found is not None and found > word]
            # After the word before it; else before the word after it; else before the closing special token.
            at = before[-1] + 1 if before else after[0] if after else (len(raw) - 1 if len(raw) >= 2 else len(raw))
            row["input_ids"].insert(at, unknown)
            if "token_type_ids" in row:
                row["token_type_ids"].insert(at, row["token_type_ids"][at - 1] if at > 0 else 0)
            raw.insert(at, word)
        counted_before = self.deleted.words
        self.deleted.words += len(missing)
        if len(self.deleted.examples) < 5:
            self.deleted.examples.append(example.id)
        if any(counted_before < mark <= self.deleted.words for mark in (1, 10, 100, 1000, 10000)):
            kept = f"read as the unknown token {self.tokenizer.unk_token!r}, so their slot tags are kept" if unknown is not None else "lost: the tokenizer has no unknown token"
            logger.warning(
                "%d word(s) so far have no token of their own after the tokenizer's normalisation (e.g. %r in example %r; "
                "control or zero-width characters); they are %s. Examples: %s",
                self.deleted.words, example.words[missing[0] - offset], example.id, kept, ", ".join(map(repr, self.deleted.examples)),
            )

    def _fit(self, row: dict, example_id: str, example: SlotFillingExample | None) -> dict:
        length = len(row["input_ids"])
        if length <= self.max_length:
            return row
        if self.overlong == "error":
            raise DataError(
                f"example {example_id!r} is {length} subword tokens long, more than max_length={self.max_length}; "
                "raise max_length or choose overlong='truncate'"
            )
        # Keep the final special token (</s>, [SEP]) so the sequence stays well formed.
        keep = self.max_length - 1
        for key in ("input_ids", "token_type_ids"):
            if key in row:
                row[key] = row[key][:keep] + row[key][-1:]
        if "word_starts" in row:
            row["word_starts"] = row["word_starts"][:keep] + [0]
        if "word_ids" in row:
            kept_words = {word for word in row["word_ids"][:keep] if word is not None}
            lost = len({word for word in row["word_ids"] if word is not None} - kept_words)
            self.truncated.labelled_words_lost += lost
            row["word_ids"] = row["word_ids"][:keep] + [None]
        self.truncated.rows += 1
        if self.truncated.rows in (1, 10, 100, 1000) or self.truncated.rows % 10000 == 0:
            logger.warning(
                "%d row(s) truncated to max_length=%d so far (%d labelled words lost); raise max_length to keep them",
                self.truncated.rows, self.max_length, self.truncated.labelled_words_lost,
            )
        return row

    def encode_examples(self, examples: Sequence) -> list[dict]:
        """Token rows (with ``word_ids`` for slot examples) for labelled examples."""
        if all(isinstance(example, SlotFillingExample) for example in examples):
            return self._encode_words(examples)
        if all(isinstance(example, PairExample) for example in examples):
            return self._encode_text([e.text for e in examples], [e.text_pair for e in examples], [e.id for e in examples])
        if all(isinstance(example, ClassificationExample) for example in examples):
            return self._encode_text([e.text for e in examples], None, [e.id for e in examples])
        raise DataError(f"a batch mixes example kinds: {sorted({type(e).__name__ for e in examples})}")

    def encode_translations(self, translations: Sequence[Translation]) -> list[dict]:
        return self._encode_text([t.text for t in translations], [t.text_pair for t in translations], [f"{t.language}:{t.id}" for t in translations])

    def lengths(self, items: Sequence[ParallelItem], chunk: int = 4096) -> list[int]:
        """Per item, the subword count of its longest row (English or a translation), specials included.

        Used to group rows of similar length into a batch. Counted on the joined text (one
        fast-tokenizer call per chunk), which matches the word-split count for slot examples.
        """
        texts, pairs, owner = [], [], []
        for index, item in enumerate(items):
            example = item.example
            texts.append(self.text_prefix + example.text)
            pairs.append(getattr(example, "text_pair", None))
            owner.append(index)
            for translation in item.translations:
                texts.append(self.text_prefix + translation.text)
                pairs.append(translation.text_pair)
                owner.append(index)
        longest = [0] * len(items)
        for start in range(0, len(texts), chunk):
            first, second = texts[start : start + chunk], pairs[start : start + chunk]
            has_pairs = any(pair is not None for pair in second)
            if has_pairs and not all(pair is not None for pair in second):
                counts = [len(self.tokenizer(text, pair)["input_ids"]) for text, pair in zip(first, second)]
            else:
                counts = [len(ids) for ids in self.tokenizer(first, second if has_pairs else None, add_special_tokens=True)["input_ids"]]
            for position, count in enumerate(counts, start):
                longest[owner[position]] = max(longest[owner[position]], min(count, self.max_length))
        return longest

    # -- batching --------------------------------------------------------------------
    def _label_ids(self, example) -> tuple[int | None, list[int] | None]:
        intent = None
        if self.intent_ids:
            name = example.label
            if name not in self.intent_ids:
                raise DataError(f"example {example.id!r}: label {name!r} is not one of the model's {len(self.intent_ids)} labels")
            intent = self.intent_ids[name]
        slots = None
        if self.slot_ids and isinstance(example, SlotFillingExample) and example.slot_tags is not None:
            unknown = [tag for tag in example.slot_tags if tag not in self.slot_ids]
            if unknown:
                raise DataError(f"example {example.id!r}: slot tag(s) {sorted(set(unknown))} are not among the model's slot labels")
            slots = [self.slot_ids[tag] for tag in example.slot_tags]
        return intent, slots

    def pad(self, rows: Sequence[dict]) -> dict[str, torch.Tensor]:
        # One tensor built from padded lists: about 3x faster than filling row by row.
        lengths = [len(row["input_ids"]) for row in rows]
        width = max(lengths)
        input_ids = torch.tensor([row["input_ids"] + [self.pad_id] * (width - length) for row, length in zip(rows, lengths)], dtype=torch.long)
        attention_mask = torch.tensor([[1] * length + [0] * (width - length) for length in lengths], dtype=torch.long)
        batch = {"input_ids": input_ids, "attention_mask": attention_mask}
        if all("token_type_ids" in row for row in rows):
            batch["token_type_ids"] = torch.tensor([row["token_type_ids"] + [0] * (width - length) for row, length in zip(rows, lengths)], dtype=torch.long)
        if all("word_starts" in row for row in rows):
            batch["word_starts"] = torch.tensor([row["word_starts"] + [0] * (width - length) for row, length in zip(rows, lengths)], dtype=torch.long)
        return batch

    def text_mask(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """``[rows, seq]``: 1 at the tokens of the text itself, 0 at padding, special tokens and the prefix.

        For token-level losses, which compare the words of a sentence with those of its
        translation: the markers the tokenizer adds (``<s>``, ``[SEP]``) and the prefix that
        both sides share carry no word. Unknown-word tokens count as text. The prefix is
        recognised as its own token ids right after the leading special tokens; a prefix that
        tokenises differently inside a row stays marked as text.
        """
        text = attention_mask.bool() & ~torch.isin(input_ids, torch.tensor(self.special_ids, dtype=input_ids.dtype))
        if self.prefix_ids and input_ids.shape[1] >= len(self.prefix_ids):
            start = text.long().argmax(dim=1)  # the first text position of each row
            positions = (start[:, None] + torch.arange(len(self.prefix_ids))).clamp(max=input_ids.shape[1] - 1)
            prefixed = (input_ids.gather(1, positions) == torch.tensor(self.prefix_ids, dtype=input_ids.dtype)).all(dim=1)
            prefixed &= text.gather(1, positions).all(dim=1) & (start + len(self.prefix_ids) <= input_ids.shape[1])
            rows = prefixed.nonzero().squeeze(1)
            text[rows[:, None], positions[rows]] = False
        return text.long()

    def collate_examples(self, examples: Sequence, with_labels: bool = True) -> dict:
        """A batch of English (or any-language) labelled examples, no translations."""
        return self(tuple(ParallelItem(example) for example in examples), with_labels=with_labels)

    def __call__(self, items: Sequence[ParallelItem], with_labels: bool = True, num_labelled: int | None = None) -> dict:
        """Collate ``items``; only the first ``num_labelled`` (default: all) carry task labels.

        Unlabelled English rows after them serve only as alignment sources (the
        reference code's independent random alignment batch).
        """
        examples = [item.example for item in items]
        num_labelled = len(examples) if num_labelled is None else num_labelled
        source_rows = self.encode_examples(examples)
        translations, source_index = [], []
        for row_index, item in enumerate(items):
            for translation in item.translations:
                translations.append(translation)
                source_index.append(row_index)
        rows = list(source_rows)
        if translations:
            rows += self.encode_translations(translations)
        batch = self.pad(rows)
        width = batch["input_ids"].shape[1]
        batch["num_source"] = len(source_rows)
        batch["num_labelled"] = num_labelled
        batch["translation_source_index"] = torch.tensor(source_index, dtype=torch.long)
        word_index = [[-1] * width for _ in range(num_labelled)]
        slot_labels = [[IGNORE_INDEX] * width for _ in range(num_labelled)]
        intents = []
        for index, (example, row) in enumerate(zip(examples[:num_labelled], source_rows)):
            intent, slots = self._label_ids(example) if with_labels else (None, None)
            intents.append(intent)
            if "word_ids" in row:
                word_labels = slots if slots is not None else [IGNORE_INDEX] * len(example.words)
                labels, first = align_word_labels(row["word_ids"], word_labels, self.slot_subwords)
                slot_labels[index][: len(labels)] = labels
                word_index[index][: len(first)] = first
        if with_labels and self.intent_ids:
            batch["intent_labels"] = torch.tensor(intents, dtype=torch.long)
        if with_labels and self.slot_ids:
            batch["slot_labels"] = torch.tensor(slot_labels, dtype=torch.long).reshape(num_labelled, width)
        batch["word_index"] = torch.tensor(word_index, dtype=torch.long).reshape(num_labelled, width)
        batch["text_mask"] = self.text_mask(batch["input_ids"], batch["attention_mask"])
        return batch
