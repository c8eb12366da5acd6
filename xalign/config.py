"""Configuration: frozen attrs classes, validated on construction, round-trip to dict/JSON/YAML.

Every field's check lives next to the field (``metadata["check"]``); construction runs all
of them and reports every problem at once, naming the fields, before any weights load.
Component names (encoder, pooler, ...) are checked against the registry by
:func:`xalign.builder.validate`, not here, so a config can be written before plugins load.
"""

from __future__ import annotations

import errno
import json
import math
import os
from pathlib import Path
from typing import Any, Callable

import attrs

from xalign.errors import ConfigError, excerpt

Check = Callable[[Any], "str | None"]


def _field(default: Any, check: Check | None = None, converter: Callable | None = None) -> Any:
    kwargs: dict[str, Any] = {"metadata": {"check": check}}
    if converter is not None:
        kwargs["converter"] = converter
    if isinstance(default, (list, dict)):
        raise TypeError("use tuples for config defaults")
    return attrs.field(default=default, **kwargs)


def positive_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"must be a positive integer, got {value!r}"
    return None


def non_negative_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"must be a non-negative integer, got {value!r}"
    return None


def seed_value(value: Any) -> str | None:
    """A seed every RNG we seed accepts: torch takes at most 64 bits."""
    problem = non_negative_int(value)
    if problem is None and value >= 2**64:
        return f"must be below 2**64 (torch's seed range), got {value!r}"
    return problem


def _finite_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def positive_float(value: Any) -> str | None:
    if not _finite_number(value) or not value > 0:
        return f"must be a finite positive number, got {value!r}"
    return None


def non_negative_float(value: Any) -> str | None:
    if not _finite_number(value) or not value >= 0:
        return f"must be a finite number >= 0, got {value!r}"
    return None


def fraction(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        return f"must be a number in [0, 1), got {value!r}"
    return None


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        if value not in choices:
            return f"must be one of {', '.join(map(repr, choices))}, got {value!r}"
        return None

    return check


def text(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"must be a non-empty string, got {value!r}"
    return None


def path_text(value: Any) -> str | None:
    """A non-empty string the operating system can take as a path (a registered name or a hub
    id is one too). Checked here because ``Path.exists()`` raises on a file name longer than the
    system allows, wherever the path is first looked at."""
    problem = text(value)
    if problem is not None:
        return problem
    try:
        os.stat(os.path.expanduser(value))
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            return f"is longer than this system allows for a path or file name ({len(value)} characters: {excerpt(value, 60)!r})"
    except ValueError:  # a NUL character
        return f"holds a NUL character: {excerpt(value, 60)!r}"
    return None


def optional(check: Check) -> Check:
    def optional_check(value: Any) -> str | None:
        return None if value is None else check(value)

    return optional_check


def string_tuple(value: Any) -> str | None:
    if not isinstance(value, tuple) or not all(isinstance(item, str) and item for item in value):
        return f"must be a list of non-empty strings, got {value!r}"
    if len(set(value)) != len(value):
        return f"must not repeat entries, got {value!r}"
    return None


def aligner_spec(value: Any) -> str | None:
    """A name, or several joined by ``+``/``,`` with optional finite weights (``mse:1,contrastive:0.5``)."""
    problem = text(value)
    if problem:
        return problem
    from xalign.aligners.combined import parse_aligner_spec

    try:
        parse_aligner_spec(value)
    except ConfigError as error:
        return f"is not a valid aligner spec: {error}"
    return None


def metric_path(value: Any) -> str | None:
    """``"<eval set>/<metric>"``: an evaluation set's name and one of its score names."""
    if not isinstance(value, str) or "/" not in value or not all(part.strip() for part in value.rsplit("/", 1)):
        return f"must be '<eval set>/<metric>' (e.g. 'en-dev/joint_acc'), got {value!r}"
    return None


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, got {value!r}"


def as_tuple(value: Any) -> Any:
    """Converter for list fields: a list, or a comma-separated string, becomes a tuple."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, str):  # "de" as well as "de,fr": one name is a list of one
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def validate_fields(instance: Any) -> None:
    """Run every field's ``metadata["check"]`` and raise one ConfigError listing all problems."""
    problems = []
    for field in attrs.fields(type(instance)):
        check = field.metadata.get("check")
        if check is None:
            continue
        problem = check(getattr(instance, field.name))
        if problem:
            problems.append(f"{type(instance).__name__}.{field.name} {problem}")
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


@attrs.frozen(kw_only=True)
class ModelConfig:
    """What to assemble: encoder -> pooler -> heads, plus the alignment loss."""

    encoder: str = _field("e5-small", path_text)
    pooler: str | None = _field(None, optional(text))  # None: the encoder's own default
    aligner: str = _field("mse", aligner_spec)
    head: str = _field("joint-intent-slot", text)
    intent_labels: tuple[str, ...] = _field((), string_tuple, as_tuple)
    slot_labels: tuple[str, ...] = _field((), string_tuple, as_tuple)
    init: str = _field("pretrained", one_of("pretrained", "random"))
    tokenizer: str | None = _field(None, optional(path_text))  # None: the encoder's own tokenizer
    text_prefix: str | None = _field(None)  # None: the encoder's default (e5: "query: ")
    dropout: float = _field(0.1, fraction)
    max_length: int = _field(128, positive_int)
    overlong: str = _field("truncate", one_of("truncate", "error"))
    slot_subwords: str = _field("first", one_of("first", "all"))
    freeze_word_embeddings: bool = _field(False, boolean)
    trust_remote_code: bool = _field(False, boolean)

    def __attrs_post_init__(self) -> None:
        validate_fields(self)


@attrs.frozen(kw_only=True)
class TrainingConfig:
    """How to train: the XeroAlign multi-task loop and its optimisation.

    Defaults follow the reference recipe where it is sound (OneCycleLR with PyTorch's
    defaults, grad-norm clip 1.0, seed 123456789) and our measurements where it is not
    (AdamW, a larger batch with dynamic padding, lr 5e-5).
    """

    epochs: int = _field(3, positive_int)
    learning_rate: float = _field(5e-5, positive_float)
    # The peak rate of the parameters that start from scratch (task head, aligner layers);
    # None: ``learning_rate``. A freshly initialised head can take a rate far above what
    # the pretrained encoder tolerates, and the slot head converges slowly without one.
    head_learning_rate: float | None = _field(None, optional(positive_float))
    batch_size: int = _field(32, positive_int)
    eval_batch_size: int = _field(128, positive_int)
    gradient_accumulation: int = _field(1, positive_int)
    optimizer: str = _field("adamw", one_of("adamw", "adam"))
    weight_decay: float = _field(0.01, non_negative_float)
    max_grad_norm: float = _field(1.0, non_negative_float)
    warmup_fraction: float = _field(0.3, fraction)
    seed: int = _field(123456789, seed_value)
    alignment_weight: float = _field(1.0, non_negative_float)
    alignment_batch: str = _field("paired", one_of("paired", "random"))
    weighting: str = _field("fixed", text)
    align_languages: tuple[str, ...] = _field((), string_tuple, as_tuple)  # empty: every language given
    # With several target languages, pair each English example with this many of its
    # translations per epoch (drawn reproducibly); None pairs it with all of them.
    translations_per_example: int | None = _field(None, optional(positive_int))
    device: str = _field("auto", one_of("auto", "cpu", "cuda"))
    # "auto": bf16 on a CUDA device that supports it, else fp16 with loss scaling on CUDA
    # (T4, V100), fp32 on the CPU. "fp16" always scales the loss (torch.amp.GradScaler).
    precision: str = _field("auto", one_of("auto", "fp32", "bf16", "fp16"))
    group_by_length: bool = _field(True, boolean)
    max_steps: int | None = _field(None, optional(positive_int))
    checkpoint_every: int | None = _field(None, optional(positive_int))
    keep_checkpoints: int = _field(2, positive_int)
    # Checkpoints hold the optimiser state too (about 3x the model; 13 GB per xlmr-large
    # model): False removes them once the final model is saved (the presets do).
    keep_checkpoints_after_training: bool = _field(True, boolean)
    # The precision the final model's encoder weights are stored in: "fp16" or "bf16" halve
    # its size on disk (e5-small: 470 -> 235 MB; xlmr-large: 2.2 -> 1.1 GB). The weights in
    # memory are rounded the same way when it is saved, so the scores a run reports are the
    # saved model's. Checkpoints stay in full precision (an exact resume needs it).
    save_precision: str = _field("fp32", one_of("fp32", "fp16", "bf16"))
    on_nonfinite: str = _field("stop", one_of("stop", "skip"))
    progress: bool = _field(True, boolean)
    # Evaluation and model selection (xalign.training.selection). Evaluate the eval sets
    # given to train() every ``eval_every`` optimizer steps (and at the last step), or at
    # every epoch end when None. "best" keeps the weights of the evaluation that scored
    # highest on ``selection_metric``; "last" keeps the final weights (the paper's choice).
    # The metric is "<eval set>/<metric>" (e.g. "en-dev/joint_acc"), higher is better, ties
    # told apart by the mean of the set's scores; None: the first eval set's joint_acc, else
    # accuracy, intent_acc or slot_f1. For zero-shot transfer name an English dev set:
    # target-language labels are then unused. Without eval sets there is nothing to select
    # by and the last weights are kept.
    eval_every: int | None = _field(None, optional(positive_int))
    selection: str = _field("best", one_of("best", "last"))
    selection_metric: str | None = _field(None, optional(metric_path))
    # Stop after this many evaluations in a row without a new best score (needs eval sets).
    early_stopping_patience: int | None = _field(None, optional(positive_int))
    # Registered logger names (xalign_register_loggers), each fed every optimizer step and
    # evaluation: built in "csv" (steps.csv) and "tensorboard" (the [tensorboard] extra).
    loggers: tuple[str, ...] = _field((), string_tuple, as_tuple)

    def __attrs_post_init__(self) -> None:
        validate_fields(self)


@attrs.frozen(kw_only=True)
class XalignConfig:
    """The whole run: the model to assemble and how to train it."""

    model: ModelConfig = attrs.field(factory=ModelConfig)
    training: TrainingConfig = attrs.field(factory=TrainingConfig)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> XalignConfig:
        return from_dict(cls, data)

    def to_json(self, path: str | Path | None = None) -> str:
        text_form = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text_form + "\n", encoding="utf-8")
        return text_form

    def to_yaml(self, path: str | Path | None = None) -> str:
        import yaml

        text_form = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text_form, encoding="utf-8")
        return text_form

    @classmethod
    def load(cls, path: str | Path) -> XalignConfig:
        """Read a ``.json``, ``.yaml`` or ``.yml`` file with ``model`` and ``training`` sections.

        A benchmark runner's file is this plus a ``benchmark`` section, which is the
        runner's to read; the library reads its own two sections of it.
        """
        from xalign.layers import read_mapping

        data = read_mapping(path)
        data.pop("benchmark", None)
        try:
            return cls.from_dict(data)
        except ConfigError as error:
            raise ConfigError(f"{path}: {error}") from None


def to_dict(instance: Any) -> dict[str, Any]:
    """A JSON-ready dict (tuples become lists)."""
    return attrs.asdict(instance, value_serializer=lambda _, __, value: list(value) if isinstance(value, tuple) else value)


def from_dict(cls: type, data: dict[str, Any]) -> Any:
    """Build ``cls`` from a dict; unknown keys and wrong types are reported by field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} expects a mapping, got {type(data).__name__}")
    fields = {field.name: field for field in attrs.fields(cls)}
    not_names = [key for key in data if not isinstance(key, str)]
    if not_names:
        raise ConfigError(f"{cls.__name__}: key(s) {', '.join(map(repr, not_names))} are not field names; known: {', '.join(fields)}")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}; known: {', '.join(fields)}")
    values = {}
    for name, value in data.items():
        field_type = fields[name].type
        nested = field_type if isinstance(field_type, type) and attrs.has(field_type) else None
        if nested is None and isinstance(field_type, str) and field_type in ("ModelConfig", "TrainingConfig"):
            nested = {"ModelConfig": ModelConfig, "TrainingConfig": TrainingConfig}[field_type]
        values[name] = from_dict(nested, value) if nested is not None else value
    try:
        return cls(**values)
    except TypeError as error:
        raise ConfigError(f"{cls.__name__}: {error}") from None
