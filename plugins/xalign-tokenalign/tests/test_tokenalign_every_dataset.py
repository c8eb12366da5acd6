"""``python -m benchmarks.run --aligner mse+token-align+slot-projection`` on every dataset of the benchmarks.

Small files in each dataset's published format (MTOP, MTOD, MultiATIS++, PAWS-X), a tiny
random encoder over their words, one epoch of XeroAlign: each run must finish, score every
language, and record the aligner it trained with. On PAWS-X (sentence pairs, no slots)
``slot-projection`` adds nothing and says so.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from benchmarks.run import main

ENGLISH = {"wake me at seven": ("alarm/set", [("seven", "time")]), "play some jazz now": ("music/play", [("jazz", "genre")]),
           "set an alarm for nine": ("alarm/set", [("nine", "time")]), "play rock music": ("music/play", [("rock", "genre")])}
SPANISH = {"despiertame a las siete": ("alarm/set", [("siete", "time")]), "pon algo de jazz ahora": ("music/play", [("jazz", "genre")]),
           "pon una alarma a las nueve": ("alarm/set", [("nueve", "time")]), "pon musica rock": ("music/play", [("rock", "genre")])}
WORDS = sorted({word for utterance in [*ENGLISH, *SPANISH] for word in utterance.split()})


def bio(utterance: str, slots: list[tuple[str, str]]) -> list[str]:
    tags = {word: f"B-{kind}" for word, kind in slots}
    return [tags.get(word, "O") for word in utterance.split()]


def tokens(utterance: str) -> dict:
    words, spans, position = [], [], 0
    for word in utterance.split():
        start = utterance.index(word, position)
        words.append(word)
        spans.append({"start": start, "length": len(word)})
        position = start + len(word)
    return {"tokens": words, "tokenSpans": spans}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def rows(language: str, copies: int = 3) -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    """``(index, utterance, intent, slots)``, the same utterances in the same order in both languages."""
    source = ENGLISH if language == "en" else SPANISH
    return [(copy * len(source) + index, utterance, intent, slots)
            for copy in range(copies) for index, (utterance, (intent, slots)) in enumerate(source.items())]


def mtop(root: Path) -> list[str]:
    for language, locale in (("en", "en_XX"), ("es", "es_XX")):
        for split in ("train", "eval", "test"):
            lines = []
            for index, utterance, intent, slots in rows(language):
                spans = ",".join(f"{utterance.index(word)}:{utterance.index(word) + len(word)}:SL:{kind.upper()}" for word, kind in slots)
                lines.append("\t".join([str(index), f"IN:{intent.split('/')[1].upper()}", spans, utterance, "domain", locale,
                                        f"[IN:{intent.split('/')[1].upper()} ]", json.dumps(tokens(utterance))]))
            write(root / language / f"{split}.txt", "\n".join(lines) + "\n")
    return []


def mtod(root: Path) -> list[str]:
    for language, locale in (("en", "en_XX"), ("es", "es_XX")):
        for split in ("train", "eval", "test"):
            lines = []
            for _, utterance, intent, slots in rows(language):
                spans = ",".join(f"{utterance.index(word)}:{utterance.index(word) + len(word)}:{kind}" for word, kind in slots)
                lines.append("\t".join([intent, spans, utterance, locale, json.dumps({"tokenizations": [tokens(utterance)]})]))
            write(root / language / f"{split}-{language}.tsv", "\n".join(lines) + "\n")
    # MTOD publishes no translations: one line-aligned file of the English training set.
    write(root / "mt" / "es" / "train.tsv", "\n".join(utterance for _, utterance, _, _ in rows("es")) + "\n")
    return ["--translations-dir", str(root / "mt")]


def multiatis(root: Path) -> list[str]:
    for language in ("en", "es"):
        for split in ("train", "dev", "test"):
            lines = [f"{index}\t{utterance}\t{' '.join(bio(utterance, slots))}\t{intent.replace('/', '_')}" for index, utterance, intent, slots in rows(language)]
            write(root / f"{split}_{language.upper()}.tsv", "id\tutterance\tslot_labels\tintent\n" + "\n".join(lines) + "\n")
    return []


def paws_x(root: Path) -> list[str]:
    rng = random.Random(0)
    for language, train_name in (("en", "train.tsv"), ("es", "translated_train.tsv")):
        pool = list(ENGLISH if language == "en" else SPANISH)
        for name, count in ((train_name, 12), ("dev_2k.tsv", 4), ("test_2k.tsv", 4)):
            lines = [f"{index}\t{rng.choice(pool)}\t{rng.choice(pool)}\t{index % 2}" for index in range(count)]
            write(root / language / name, "id\tsentence1\tsentence2\tlabel\n" + "\n".join(lines) + "\n")
    return []


@pytest.fixture(scope="module")
def encoder(tmp_path_factory) -> Path:
    from xalign.testing import save_tiny_encoder

    return save_tiny_encoder(tmp_path_factory.mktemp("encoder"), WORDS)


@pytest.fixture(autouse=True)
def restore_logging():
    from xalign.testing import restored_logging

    with restored_logging():
        yield


@pytest.mark.parametrize("dataset, write_files", [("mtop", mtop), ("mtod", mtod), ("multiatis", multiatis), ("paws-x", paws_x)])
def test_the_token_aligners_run_on_every_dataset_of_the_benchmarks(dataset, write_files, encoder, tmp_path, capsys):
    data = tmp_path / "data"
    extra = write_files(data)
    output = tmp_path / "out"
    code = main(["--dataset", dataset, "--data-dir", str(data), "--encoder", str(encoder), "--modes", "xeroalign", "--languages", "es",
                 "--aligner", "mse+token-align+slot-projection", "--epochs", "1", "--batch-size", "4", "--max-length", "24",
                 "--device", "cpu", "--no-progress", "--output", str(output), *extra])
    logged = capsys.readouterr().err
    assert code == 0, logged
    results = json.loads((output / "results.json").read_text(encoding="utf-8"))
    assert results["aligner"] == "mse+token-align+slot-projection"
    scored = {(run["mode"], run["language"]) for run in results["runs"]}
    assert ("xeroalign", "es") in scored
    history = json.loads((output / "models" / "xeroalign-es" / "metrics.json").read_text(encoding="utf-8"))["history"]
    losses = history[-1]["train_loss"]
    assert {"align:mse", "align:token-align", "align:slot-projection"} <= set(losses)
    if dataset == "paws-x":
        assert losses["align:slot-projection"] == 0.0
        assert "slot-projection: the model has no slot labels" in logged
    else:
        assert losses["align:slot-projection"] > 0.0
