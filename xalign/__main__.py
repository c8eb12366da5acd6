"""Command line: ``python -m xalign list``, ``align-score``, ``predict`` and ``export-st``.

Thin: parse arguments, call the library, print. Input errors exit with code 2.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys

from xalign.errors import XalignError


def _list(arguments: argparse.Namespace) -> int:
    """Every component and its provider, then every plugin problem; works with broken plugins."""
    import warnings

    from xalign.registry import PluginWarning, get_registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)  # printed below, once, in this command's words
        registry = get_registry()
        components = registry.all_components()
        problems = registry.problems()
    if arguments.json:
        print(json.dumps(registry.providers(), indent=2))
    else:
        width = max((len(name) for by_name in components.values() for name in by_name), default=4)
        for kind, by_name in components.items():
            print(f"{kind}:")
            if not by_name:
                print("  (none)")
            for name, component in sorted(by_name.items()):
                refused = "" if component.usable else "  REFUSED (see the plugin problems below)"
                print(f"  {name:<{width}}  {component.provider}{refused}")
    if problems:
        print(f"plugin problems ({len(problems)}):", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    if problems and registry.strict:
        print("error: XALIGN_STRICT_PLUGINS=1 makes these plugin problems errors", file=sys.stderr)
        return 2
    return 0


def _align_score(arguments: argparse.Namespace) -> int:
    from xalign.alignment_score import align_score, read_parallel_lines

    sources, targets = read_parallel_lines(arguments.source, arguments.target)
    result = align_score(
        arguments.encoder, sources, targets, pooler=arguments.pooler, batch_size=arguments.batch_size, seed=arguments.seed,
        trust_remote_code=arguments.trust_remote_code,
    )
    if arguments.json:
        print(json.dumps(result))
    else:
        print(f"encoder {result['encoder']}  pooler {result['pooler']}  pairs {result['pairs']}")
        print(f"top-1 retrieval  source->target {result['top1_src2tgt']:.4f}  target->source {result['top1_tgt2src']:.4f}")
        print(f"mean cosine      true pairs {result['mean_cos_true']:.4f}  random pairs {result['mean_cos_random']:.4f}")
    return 0


def _read_utterances(source: str):
    """``(line number, text)`` for each line of a UTF-8 file or of stdin (``-``), read as it comes."""
    from xalign.errors import DataError

    name = "<stdin>" if source == "-" else source
    try:
        stream = sys.stdin.buffer if source == "-" else open(source, "rb")
    except OSError as error:
        raise DataError(f"cannot read: {error.strerror}", source) from None
    with stream:
        for number, raw in enumerate(stream, 1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\n").removesuffix("\r")
            except UnicodeDecodeError as error:
                raise DataError(f"invalid UTF-8 at byte {error.start} of the line", name, number) from None
            if not text.strip():
                raise DataError("empty line: every line must hold one utterance", name, number)
            yield number, text


def _format_prediction(prediction) -> str:
    parts = [f"{prediction.label} ({prediction.label_score:.3f})" if prediction.label is not None else "-"]
    parts += [f"{span.type}[{span.start}:{span.end}]={span.text!r} ({span.score:.3f})" for span in prediction.slots or ()]
    return "\t".join(parts)


def _predict(arguments: argparse.Namespace) -> int:
    from xalign.inference import predict
    from xalign.persistence import load_pretrained

    assembly = load_pretrained(arguments.model_dir, device=arguments.device, trust_remote_code=arguments.trust_remote_code)
    lines = _read_utterances(arguments.input)
    while batch := list(itertools.islice(lines, arguments.batch_size)):  # streamed: stdin may be a pipe
        for (number, _), prediction in zip(batch, predict(assembly, [text for _, text in batch], batch_size=arguments.batch_size)):
            _check_scores(prediction, arguments.model_dir, arguments.input, number)
            print(json.dumps(prediction.to_dict(), ensure_ascii=False) if arguments.json else _format_prediction(prediction))
        sys.stdout.flush()
    return 0


def _check_scores(prediction, model_dir: str, source: str, number: int) -> None:
    """A NaN score is no prediction (and no JSON): the model's weights are damaged."""
    from xalign.errors import ModelNotFoundError

    scores = [prediction.label_score, *(span.score for span in prediction.slots or ())]
    if not all(math.isfinite(score) for score in scores if score is not None):
        raise ModelNotFoundError(
            f"{model_dir}: the model gives scores that are not numbers (NaN) for line {number} of "
            f"{'<stdin>' if source == '-' else source}; its weights are damaged: restore the model, or train it again"
        )


def _export_st(arguments: argparse.Namespace) -> int:
    from xalign.export import export_sentence_transformers

    output = export_sentence_transformers(arguments.model_dir, arguments.output, trust_remote_code=arguments.trust_remote_code)
    print(f"wrote a sentence-transformers model to {output}")
    return 0


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m xalign", description="xalign: cross-lingual alignment toolkit")
    commands = root.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="list registered components and the plugins that provide them")
    listing.add_argument("--json", action="store_true", help="print {kind: {name: provider}} as JSON")
    listing.set_defaults(run=_list)
    score = commands.add_parser("align-score", help="parallel retrieval accuracy and cosine of two line-aligned files")
    score.add_argument("--encoder", required=True, help="registered encoder name, Hugging Face id/path, or a saved xalign model directory")
    score.add_argument("--pooler", default=None, help="pooler name (default: the encoder's own)")
    score.add_argument("--batch-size", type=int, default=64)
    score.add_argument("--seed", type=int, default=0, help="seed for the random (non-)pairs")
    score.add_argument("--json", action="store_true", help="print one JSON object")
    score.add_argument("source", help="text file, one sentence per line")
    score.add_argument("target", help="text file, line i translates line i of SOURCE")
    score.add_argument("--trust-remote-code", action="store_true", help="let a model run code shipped with it (off: such a model is refused)")
    score.set_defaults(run=_align_score)
    prediction = commands.add_parser("predict", help="intent and slot spans for each line of raw text")
    prediction.add_argument("model_dir", help="a model directory saved by xalign (a run's model/)")
    prediction.add_argument("input", nargs="?", default="-", help="UTF-8 text file, one utterance per line (default -: stdin)")
    prediction.add_argument("--json", action="store_true", help="one JSON object per line: text, label, score, slots [{type, start, end, text, score}]")
    prediction.add_argument("--batch-size", type=_positive_int, default=64)
    prediction.add_argument("--device", default="auto", help="cpu, cuda, cuda:N or auto (a GPU when there is one)")
    prediction.add_argument("--trust-remote-code", action="store_true", help="let a model run code shipped with it (off: such a model is refused)")
    prediction.set_defaults(run=_predict)
    export = commands.add_parser("export-st", help="write a model's aligned encoder and pooler as a sentence-transformers model")
    export.add_argument("model_dir", help="a model directory saved by xalign")
    export.add_argument("output", help="directory to write (replaced if it exists)")
    export.add_argument("--trust-remote-code", action="store_true", help="let a model run code shipped with it (off: such a model is refused)")
    export.set_defaults(run=_export_st)
    return root


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        return arguments.run(arguments)
    except XalignError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
