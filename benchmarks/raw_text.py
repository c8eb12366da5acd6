"""``python -m benchmarks.raw_text MODEL_DIR``: a saved model on raw text against pre-split words.

A benchmark's test files give each utterance as words; a user's application gives raw
strings, in Thai or Chinese without a space between words. For each test language this
scores the same saved model both ways, side by side:

- ``pre_split``: :func:`xalign.evaluate` on the dataset's words (slot F1 over BIO tags);
- ``raw_text``: :func:`xalign.evaluate_raw_text`, the words joined as the language is
  written (:func:`xalign.spans.join_words`) and predicted from that string alone, slots
  scored as exact character spans (``span_f1``). ``spans_off_text`` counts predicted spans
  whose ``text`` is not the input at their offsets (always 0 unless inference is broken).

Results on stdout (a table, or one JSON object with ``--json``); ``--output FILE`` also
writes the JSON there.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import xalign
from benchmarks.cli import run_main, say
from xalign.datasets import normalize_language
from xalign.errors import ConfigError
from xalign.registry import get_registry
from xalign.spans import join_words


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.raw_text", description=__doc__.splitlines()[0])
    p.add_argument("model_dir", help="a model directory saved by the trainer (runs/benchmark/models/<run>/model)")
    p.add_argument("--dataset", default="demo", help="registered dataset name (default demo)")
    p.add_argument("--data-dir", help="the dataset's files (not needed for the demo)")
    p.add_argument("--languages", default="th,hi", help="comma list of test languages (default th,hi)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--output", help="also write the JSON object to this file")
    return p


def main(argv: list[str] | None = None) -> int:
    return run_main(parser(), _main, argv)


def score_language(assembly: xalign.Assembly, examples: list, batch_size: int) -> dict:
    """Both scores of one language's test examples, and the span check."""
    started = time.perf_counter()
    pre_split = xalign.evaluate(assembly, examples, batch_size=batch_size, max_length="full")
    raw_text = xalign.evaluate_raw_text(assembly, examples, batch_size=batch_size, max_length="full")
    texts = [join_words(example.words)[0] for example in examples]
    predictions = xalign.predict(assembly, texts, batch_size=batch_size, max_length="full")
    off_text = sum(1 for text, prediction in zip(texts, predictions) for span in prediction.slots or () if text[span.start:span.end] != span.text)
    return {"examples": len(examples), "pre_split": pre_split, "raw_text": raw_text,
            "spans": sum(len(prediction.slots or ()) for prediction in predictions), "spans_off_text": off_text,
            "seconds": round(time.perf_counter() - started, 1)}


def _main(arguments: argparse.Namespace) -> int:
    if arguments.batch_size < 1:
        raise ConfigError(f"--batch-size {arguments.batch_size}: must be at least 1")
    assembly = xalign.load_pretrained(arguments.model_dir)
    if not assembly.config.model.slot_labels:
        raise ConfigError(f"{arguments.model_dir}: the model has no slot head; raw-text span scores need slot labels")
    loader = get_registry().get("datasets", arguments.dataset).factory()
    data_dir = Path(arguments.data_dir).expanduser() if arguments.data_dir else None
    report = {"model": str(arguments.model_dir), "dataset": arguments.dataset, "languages": {}}
    for language in [normalize_language(code) for code in arguments.languages.split(",") if code.strip()]:
        examples = list(loader.load_split(data_dir, language, "test").examples)
        say(f"{language}: {len(examples)} test utterances")
        report["languages"][language] = score_language(assembly, examples, arguments.batch_size)
    text = json.dumps(report, ensure_ascii=False, allow_nan=False)
    if arguments.output:
        Path(arguments.output).write_text(text + "\n", encoding="utf-8")
    print(text if arguments.json else table(report))
    return 0


def table(report: dict) -> str:
    lines = ["| language | pre-split slot F1 | raw-text span F1 | raw-text precision / recall | spans off their text |", "|---|---|---|---|---|"]
    for language, scores in report["languages"].items():
        raw = scores["raw_text"]
        lines.append(f"| {language} | {100 * scores['pre_split']['slot_f1']:.1f} | {100 * raw['span_f1']:.1f} | "
                     f"{100 * raw['span_precision']:.1f} / {100 * raw['span_recall']:.1f} | {scores['spans_off_text']} of {scores['spans']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
