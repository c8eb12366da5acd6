"""The training case shared by the distributed test and its ``torchrun`` worker.

Sequence classification (a mean over rows, so a rank's loss over an equal shard averages
to the global loss), equal-length texts (so no rank pads differently from the whole
batch), dropout 0 and the MSE aligner (a mean over equal numbers of pairs).
"""

from __future__ import annotations

from pathlib import Path

import xalign
from xalign.data.examples import ClassificationExample, Translation

WORDS = ("the red cat sat on a mat near big blue dog ran to house die rote katze sass auf einer matte bei einem hund lief haus").split()
ENGLISH = WORDS[:13]
GERMAN = WORDS[13:]
EVEN_COUNT = 16  # 4 global batches of 4
UNEVEN_COUNT = 14  # 3 global batches of 4 and a last one of 2, which data-parallel runs drop


def examples(count: int) -> list[ClassificationExample]:
    rows = []
    for index in range(count):
        words = [ENGLISH[(index * 3 + offset) % len(ENGLISH)] for offset in range(5)]
        rows.append(ClassificationExample(f"e{index}", " ".join(words), "yes" if index % 3 else "no"))
    return rows


def translations(count: int) -> dict[str, dict[str, Translation]]:
    found = {}
    for index in range(count):
        words = [GERMAN[(index * 5 + offset) % len(GERMAN)] for offset in range(5)]
        found[f"e{index}"] = Translation(f"e{index}", "de", " ".join(words))
    return {"de": found}


def config(encoder_dir: Path, batch_size: int, accumulation: int, epochs: int, **training) -> xalign.XalignConfig:
    return xalign.XalignConfig(
        model=xalign.ModelConfig(
            encoder=str(encoder_dir), head="sequence-classification", pooler="mean", aligner="mse",
            intent_labels=("no", "yes"), dropout=0.0,
        ),
        training=xalign.TrainingConfig(**{
            "batch_size": batch_size, "gradient_accumulation": accumulation, "epochs": epochs, "learning_rate": 1e-3,
            "group_by_length": False, "device": "cpu", "progress": False, "seed": 7, **training,
        }),
    )


def build(encoder_dir: Path, batch_size: int = 2, accumulation: int = 1, epochs: int = 1, **training):
    import torch

    chosen = config(encoder_dir, batch_size, accumulation, epochs, **training)
    torch.manual_seed(0)  # the head's random init must match across processes
    assembly, _ = xalign.build(chosen)
    return assembly, chosen


def train(
    encoder_dir: Path, batch_size: int, accumulation: int, epochs: int, count: int, output_dir: Path | None = None,
    training: dict | None = None, evaluated: bool = False, **options,
):
    """Build the assembly from ``encoder_dir``, train it on ``count`` examples; (assembly, result).

    ``training`` overrides config fields; ``evaluated`` scores :func:`dev_examples` as
    ``en-dev``; ``options`` go to ``xalign.train``."""
    assembly, chosen = build(encoder_dir, batch_size, accumulation, epochs, **(training or {}))
    eval_sets = {"en-dev": dev_examples()} if evaluated else None
    result = xalign.train(assembly, examples(count), translations(count), chosen.training, output_dir=output_dir, eval_sets=eval_sets, **options)
    return assembly, result


def dev_examples() -> list[ClassificationExample]:
    """8 rows unlike the training rows (another stride through the words), scored every 2 steps."""
    rows = []
    for index in range(8):
        words = [ENGLISH[(index * 7 + offset * 2) % len(ENGLISH)] for offset in range(5)]
        rows.append(ClassificationExample(f"d{index}", " ".join(words), "yes" if index % 2 else "no"))
    return rows


# (name, gradient accumulation, epochs, examples): what the worker runs and the test repeats.
CASES = (("plain", 1, 1, EVEN_COUNT), ("accumulation", 2, 2, EVEN_COUNT), ("uneven", 1, 1, UNEVEN_COUNT))
# Evaluation every 2 steps with best-model selection, over 3 epochs of 4 global batches.
SELECTION = {"eval_every": 2, "selection": "best", "learning_rate": 3e-3}
SELECTION_EPOCHS = 3
# The kill-and-resume case: a checkpoint after every step, rank 0 killed (SIGKILL) at step 6.
RESUME = {"checkpoint_every": 1, "eval_every": 2}
RESUME_EPOCHS = 2
KILL_AT_STEP = 6
