"""MTOD (Schuster et al. 2019): multilingual task-oriented dialog, English, Spanish, Thai.

Owns reading the published files: ``<data_dir>/<lang>/{train,eval,test}-<lang>.tsv``
(PyText TSV; Thai files may be named ``-th_TH``) and the CoNLL version
``{train,eval,test}-<lang>.conllu`` of the same release, also inside the release's own
folder ``multilingual_task_oriented_dialog_slotfilling/``. ``eval`` is the dev split.

PyText TSV rows have 5 tab-separated columns: intent (``alarm/set_alarm``), slots
(``start:end:type``, character offsets, end exclusive), utterance, locale (``es_XX``) and
the tokeniser's output ``{"tokenizations": [{"tokens": [...], "tokenSpans": [...]}]}``.
Words are the utterance text at the token spans (the tokens themselves are lower-cased
and NFKC-normalised); slots become BIO by :mod:`benchmarks.datasets.spans`, which counts
the slots that start or end inside a word (common in Thai, which has no spaces).

CoNLL blocks are three comment lines (``# text:``, ``# intent:``, ``# slots:``), then
``index<TAB>token<TAB>intent<TAB>slot`` rows with BIO slots or ``NoLabel`` (read as ``O``),
and a blank line between utterances. Words are the tokens as given (lower-cased).

No ids are shared across languages: translations of the English training data must come
from a file (the user brings them; none are published). Example ids are
``<lang>-<split>-<n>``, n counting the utterances of the file from 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import attrs

from benchmarks.datasets.spans import JOINT_NOTES, bio_tag_problem, tag_utterance, token_spans_from_json
from benchmarks.datasets.translations import read_translation_file
from benchmarks.datasets.tsv import located, read_lines, split_columns
from xalign.data.examples import SlotFillingExample
from xalign.datasets import (
    LoadedSplit,
    PublishedFiles,
    Skip,
    TranslationSet,
    check_on_mismatch,
    check_split,
    normalize_language,
)
from xalign.errors import DataError

RELEASE_FOLDER = "multilingual_task_oriented_dialog_slotfilling"
FILE_STEMS = {"train": "train", "dev": "eval", "test": "test"}
EXTENSIONS = {"auto": ("tsv", "conllu", "conll"), "tsv": ("tsv",), "conll": ("conllu", "conll")}
CONLL_COMMENTS = ("# text:", "# intent:", "# slots:")


@attrs.frozen
class MtodLoader(PublishedFiles):
    """Loader for MTOD; ``format`` picks ``"tsv"``, ``"conll"`` or ``"auto"`` (TSV when both exist)."""

    format: str = attrs.field(default="auto", validator=attrs.validators.in_(tuple(EXTENSIONS)))

    name: ClassVar[str] = "mtod"
    task: ClassVar[str] = "joint"
    languages: ClassVar[tuple[str, ...]] = ("en", "es", "th")
    published_at: ClassVar[str] = "https://fb.me/multilingual_task_oriented_data"
    # What its folder may be called under a root holding several datasets (``--dataset all``).
    folder_names: ClassVar[tuple[str, ...]] = ("mtod", "MTOD", "multilingual_task_oriented_dialog")

    def candidates(self, data_dir: Path, language: str, split: str) -> list[Path]:
        """Every path the ``split`` file of ``language`` may have, in order of preference."""
        language = normalize_language(language, self.languages)
        names = [language] + (["th_TH"] if language == "th" else [])
        roots = [Path(data_dir) / language, Path(data_dir) / RELEASE_FOLDER / language]
        return [
            root / f"{FILE_STEMS[check_split(split)]}-{name}.{extension}"
            for extension in EXTENSIONS[self.format]
            for root in roots
            for name in names
        ]



    def load_split(self, data_dir: Path, language: str, split: str, on_mismatch: str = "fail") -> LoadedSplit:
        """One split. ``on_mismatch`` is accepted for the protocol; MTOD rows cannot have a
        tag/word count mismatch (tags are computed from spans, or given one per row)."""
        language = normalize_language(language, self.languages)
        check_on_mismatch(on_mismatch)
        path = self.locate(data_dir, language, split)
        if path.suffix == ".tsv":
            return read_pytext_tsv(path, language, split)
        return read_conll(path, language, split)

    def load_translations(
        self,
        data_dir: Path,
        language: str,
        english_train: list,
        translation_file: Path | None = None,
        format: str = "auto",
    ) -> TranslationSet:
        """Translations from ``translation_file`` (line-aligned or keyed); MTOD has no parallel ids."""
        language = normalize_language(language, self.languages)
        if translation_file is None:
            raise DataError(
                f"MTOD shares no ids across languages and publishes no translations of its English "
                f"training data, so translations into {language!r} must come from a file: pass "
                "translation_file= (one translation per line, line-aligned with the English training "
                "file, or id<TAB>text lines keyed by the English example ids)"
            )
        return read_translation_file(translation_file, language, english_train, format)


def _check_locale(locale: str, language: str) -> None:
    found = normalize_language(locale)
    if found != language:
        raise ValueError(f"locale {locale!r} is not the language of this file ({language})")


def read_pytext_tsv(path: Path, language: str, split: str) -> LoadedSplit:
    """Examples of one MTOD PyText TSV file (see the module docstring)."""
    examples: list[SlotFillingExample] = []
    skipped: list[Skip] = []
    notes = {key: 0 for key in JOINT_NOTES}
    for number, text in read_lines(path):
        if not text.strip():
            skipped.append(Skip(str(path), number, "blank line"))
            continue
        with located(path, number):
            intent, slot_field, utterance, locale, tokens_json = split_columns(text, 5, path, number)
            _check_locale(locale, language)
            try:
                tokenizations = json.loads(tokens_json)["tokenizations"]
            except (json.JSONDecodeError, RecursionError, TypeError, KeyError) as error:  # RecursionError: nested too deeply
                raise ValueError(f'bad tokenisation JSON ({error}); expected {{"tokenizations": [...]}}') from None
            if not isinstance(tokenizations, list) or not tokenizations:
                raise ValueError("bad tokenisation JSON: no tokenization")
            tokens, token_spans = token_spans_from_json(tokenizations[0])
            words, tags = tag_utterance(utterance, slot_field, tokens, token_spans, notes)
            if not intent.strip():
                raise ValueError("empty intent")
            example_id = f"{language}-{split}-{len(examples) + 1}"
            examples.append(SlotFillingExample(example_id, words, tags, intent.strip(), language))
    return LoadedSplit(examples, skipped, notes, [str(path)])


def read_conll(path: Path, language: str, split: str) -> LoadedSplit:
    """Examples of one MTOD CoNLL file (see the module docstring)."""
    lines = read_lines(path)
    examples: list[SlotFillingExample] = []
    block: list[tuple[int, str]] = []
    for number, text in [*lines, (len(lines) + 1, "")]:
        if text.strip():
            block.append((number, text))
        elif block:
            examples.append(_conll_example(path, block, f"{language}-{split}-{len(examples) + 1}", language))
            block = []
    slots = sum(tag.startswith("B-") for example in examples for tag in example.slot_tags)
    return LoadedSplit(examples, [], {"slots": slots}, [str(path)])


def _conll_example(path: Path, block: list[tuple[int, str]], example_id: str, language: str) -> SlotFillingExample:
    values = []
    for position, prefix in enumerate(CONLL_COMMENTS):
        number, text = block[min(position, len(block) - 1)]
        if position >= len(block) or not text.startswith(prefix):
            problem = f"expected the comment line {prefix!r} (3 comment lines start each utterance)"
            raise DataError(problem, path, number)
        values.append(text[len(prefix) :].strip())
    utterance, intent, _ = values
    if not utterance:
        raise DataError("empty utterance", path, block[0][0])
    if not intent:
        raise DataError("empty intent", path, block[1][0])
    if len(block) == 3:
        raise DataError("the utterance has no token rows", path, block[2][0])
    words, tags = [], []
    for index, (number, text) in enumerate(block[3:], start=1):
        position, token, row_intent, slot = (column.strip() for column in split_columns(text, 4, path, number))
        if position != str(index):
            raise DataError(f"token index {position!r}, expected {index}", path, number)
        if row_intent != intent:
            raise DataError(f"intent {row_intent!r} differs from the '# intent:' line ({intent!r})", path, number)
        if not token or any(character.isspace() for character in token):
            raise DataError(f"token {token!r} is empty or contains whitespace", path, number)
        tag = "O" if slot == "NoLabel" else slot
        problem = bio_tag_problem(tag)
        if problem:
            raise DataError(f"{problem} (nor NoLabel)", path, number)
        words.append(token)
        tags.append(tag)
    return SlotFillingExample(example_id, words, tags, intent, language)
