"""How right are the slot labels that ``slot-projection`` carries onto translations?

Training never sees a translation's gold labels, so the projection cannot be checked while
it trains. Datasets that publish each English example in other languages with labels (MTOP,
MultiATIS++, the demo) can check it offline: project the English gold labels onto the
labelled target-language version of the same example exactly as the aligner does in
training, and score the projection against that version's own gold labels (span F1, as
the benchmarks score slot filling). The model's own predictions on the same sentences are
scored alongside: a projection helps only where it is better than what the model already
predicts.

Per setting (normalisation, aligned layer, units: words or tokens) it reports the span F1 over every pair, the share
of pairs that pass the consistency check (the guard), and the span F1 over those pairs::

    python -m xalign_tokenalign.projection_quality MODEL --dataset mtop --data-dir data/mtop --languages de,th
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

import torch
from xalign.data.collate import ParallelItem
from xalign.errors import ConfigError, XalignError
from xalign.metrics import slot_f1
from xalign.training.objective import AlignmentContext
from xalign_tokenalign.slot_projection import IGNORE_INDEX, SlotProjectionAligner

DEFAULT_SETTINGS = ("argmax@auto", "argmax@auto/words", "argmax@-1", "softmax@-1", "sinkhorn@-1")
SETTING_FORM = "NORMALISATION@LAYER[/UNITS]"


def parse_setting(text: str) -> dict:
    """``argmax@auto`` -> ``{"normalisation": "argmax", "layer": "auto", "units": "tokens"}``; ``sinkhorn@-1/words`` likewise.

    The keywords of a ``SlotProjectionAligner``; units default to tokens, as the aligner's do.
    """
    setting, _, units = text.partition("/")
    normalisation, separator, layer = setting.partition("@")
    if not separator or not (layer == "auto" or layer.lstrip("-").isdigit()) or units not in ("", "words", "tokens"):
        raise ConfigError(f"setting {text!r}: write {SETTING_FORM} with an integer layer or auto and units words or tokens, e.g. argmax@auto or argmax@auto/words")
    return {"normalisation": normalisation, "layer": layer if layer == "auto" else int(layer), "units": units or "tokens"}


def parallel_pairs(english: Sequence, target: Sequence, limit: int) -> list[tuple]:
    """``(English example, target example)`` joined on id, in the target file's order, at most ``limit``."""
    by_id = {example.id: example for example in english}
    pairs = [(by_id[example.id], example) for example in target if example.id in by_id and example.slot_tags and by_id[example.id].slot_tags]
    if not pairs:
        raise ConfigError("no example id occurs in both the English and the target-language file with slot labels; the projection needs labelled parallel data")
    return pairs[:limit]


@torch.no_grad()
def projection_quality(assembly, pairs: list[tuple], settings: Sequence[str] = DEFAULT_SETTINGS, batch_size: int = 32) -> dict:
    """Span F1 of the projected labels (all pairs, and the pairs the guard keeps) and of the model's predictions."""
    from xalign import LabelSpace
    from xalign.inference import collator_for

    model = assembly.config.model
    labels = LabelSpace(model.intent_labels, model.slot_labels)
    if not labels.slot_labels:
        raise ConfigError("this model has no slot labels: there is nothing to project")
    aligners = {setting: SlotProjectionAligner(labels, **parse_setting(setting)).to(assembly.device) for setting in settings}
    collator = collator_for(assembly)
    assembly.eval()
    tags = model.slot_labels
    gold, predicted = [], []
    projected = {setting: [] for setting in settings}
    kept = {setting: [] for setting in settings}
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        # One labelled batch, padded alike: the English rows, then their target-language versions.
        items = [ParallelItem(source, ()) for source, _ in chunk] + [ParallelItem(other, ()) for _, other in chunk]
        batch = {key: value.to(assembly.device) if isinstance(value, torch.Tensor) else value for key, value in collator(items).items()}
        count = len(chunk)
        encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"), hidden_states=True)
        source_rows, target_rows = torch.arange(count, device=assembly.device), torch.arange(count, 2 * count, device=assembly.device)
        context = AlignmentContext(encoded, batch, source_rows, target_rows, assembly.head)
        target_labels = batch["slot_labels"][count:]
        words = [(target_labels[p] != IGNORE_INDEX).nonzero().flatten() for p in range(count)]
        gold += [[tags[int(target_labels[p, q])] for q in words[p]] for p in range(count)]
        logits = assembly.head(encoded.token_states[target_rows], encoded.sentence_embedding[target_rows])["slots"]
        predicted += [[tags[int(logits[p, q].argmax())] for q in words[p]] for p in range(count)]
        for setting, aligner in aligners.items():
            projection = aligner.project_batch(context)
            per_pair = [["O"] * len(words[p]) for p in range(count)]
            keep = [False] * count
            if projection is not None:
                for index, pair in enumerate(projection.pairs.tolist()):
                    per_pair[pair] = [tags[int(projection.targets[index, q].argmax())] for q in words[pair]]
                    keep[pair] = bool(projection.keep[index])
            projected[setting] += per_pair
            kept[setting] += keep
    rows = {"model's predictions": {"span_f1": 100 * slot_f1(gold, predicted), "kept_share": None, "kept_span_f1": None}}
    for setting in settings:
        chosen = [index for index, flag in enumerate(kept[setting]) if flag]
        rows[setting] = {
            "span_f1": 100 * slot_f1(gold, projected[setting]),
            "kept_share": len(chosen) / len(gold),
            "kept_span_f1": 100 * slot_f1([gold[i] for i in chosen], [projected[setting][i] for i in chosen]) if chosen else float("nan"),
        }
    return {"pairs": len(gold), "settings": rows}


def format_table(results: dict[str, dict]) -> str:
    languages = list(results)
    lines = ["| setting | " + " | ".join(f"{language}: F1 all / kept / F1 kept" for language in languages) + " |",
             "|---|" + "---|" * len(languages)]
    for setting in results[languages[0]]["settings"]:
        cells = []
        for language in languages:
            row = results[language]["settings"][setting]
            if row["kept_share"] is None:
                cells.append(f"{row['span_f1']:.1f}")
            else:
                cells.append(f"{row['span_f1']:.1f} / {100 * row['kept_share']:.0f}% / {row['kept_span_f1']:.1f}")
        lines.append(f"| {setting} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m xalign_tokenalign.projection_quality", description=__doc__.splitlines()[0])
    p.add_argument("model", help="a model directory saved by the trainer")
    p.add_argument("--dataset", default="demo", help="a registered dataset with labelled parallel training data (demo, mtop, multiatis)")
    p.add_argument("--data-dir", default=None, help="the dataset's directory (not needed for the demo)")
    p.add_argument("--languages", required=True, help="comma-separated target languages, e.g. de,th")
    p.add_argument("--split", default="train", help="the split whose English and target versions are compared (default: train)")
    p.add_argument("--pairs", type=int, default=200, help="at most this many pairs per language (default: 200)")
    p.add_argument("--settings", default=",".join(DEFAULT_SETTINGS), help=f"{SETTING_FORM}, comma-separated (default: {','.join(DEFAULT_SETTINGS)})")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return p


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        from pathlib import Path

        import xalign
        from xalign.registry import get_registry

        if arguments.pairs < 1:
            raise ConfigError(f"--pairs must be a positive integer, got {arguments.pairs}")
        settings = [setting.strip() for setting in arguments.settings.split(",") if setting.strip()]
        for setting in settings:
            parse_setting(setting)
        loader = get_registry().get("datasets", arguments.dataset).factory()
        data_dir = Path(arguments.data_dir) if arguments.data_dir else None
        english = loader.load_split(data_dir, "en", arguments.split).examples
        assembly = xalign.load(arguments.model)
        results = {}
        for language in [language.strip() for language in arguments.languages.split(",") if language.strip()]:
            pairs = parallel_pairs(english, loader.load_split(data_dir, language, arguments.split).examples, arguments.pairs)
            results[language] = projection_quality(assembly, pairs, settings)
    except (XalignError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(results, indent=2) if arguments.json else format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
