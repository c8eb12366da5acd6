"""What a benchmark run is asked to do: dataset, assembly, modes and training knobs.

Built from command-line flags or a JSON/YAML file with the same names (``--config``);
saved whole in ``results.json`` so every result carries the settings that made it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from xalign.config import _to_tuple, boolean, fraction, non_negative_int, one_of, optional, positive_float, positive_int, text, _validate
from xalign.errors import ConfigError

MODES = ("target", "zero-shot", "translate-train", "xeroalign")


def modes_check(value: Any) -> str | None:
    if not isinstance(value, tuple) or not value:
        return f"must list at least one mode of {', '.join(MODES)}, got {value!r}"
    unknown = [mode for mode in value if mode not in MODES]
    if unknown:
        return f"has unknown mode(s) {', '.join(unknown)}; modes are {', '.join(MODES)}"
    return None


def string_list(value: Any) -> str | None:
    if not isinstance(value, tuple) or not all(isinstance(item, str) and item for item in value):
        return f"must be a list of names, got {value!r}"
    return None


def _f(default, check, converter=None):
    kwargs = {"metadata": {"check": check}}
    if converter is not None:
        kwargs["converter"] = converter
    return attrs.field(default=default, **kwargs)


@attrs.frozen(kw_only=True)
class BenchmarkSettings:
    dataset: str = _f("demo", text)
    data_dir: str | None = _f(None, optional(text))
    encoder: str = _f("e5-small", text)
    pooler: str | None = _f(None, optional(text))
    aligner: str = _f("mse", text)
    weighting: str = _f("fixed", text)
    init: str = _f("pretrained", one_of("pretrained", "random"))
    modes: tuple[str, ...] = _f(("zero-shot", "xeroalign"), modes_check, _to_tuple)
    languages: tuple[str, ...] = _f((), string_list, _to_tuple)  # empty: every target language found
    # None: "each" (one model per target language, as in the paper), except on the demo
    # dataset, whose 15-minute budget on 2 CPU cores fits one model aligned to all of them.
    align_languages: str | None = _f(None, optional(one_of("each", "all", "both")))
    translations_dir: str | None = _f(None, optional(text))  # <dir>/<lang>/train.tsv line-aligned, or keyed files
    epochs: int = _f(2, positive_int)
    learning_rate: float = _f(1e-4, positive_float)
    batch_size: int = _f(32, positive_int)
    gradient_accumulation: int = _f(1, positive_int)
    max_train_examples: int | None = _f(None, optional(positive_int))
    max_length: int = _f(64, positive_int)
    seed: int = _f(123456789, non_negative_int)
    device: str = _f("auto", one_of("auto", "cpu", "cuda"))
    optimizer: str = _f("adamw", one_of("adamw", "adam"))
    warmup_fraction: float = _f(0.1, fraction)
    alignment_weight: float = _f(1.0, positive_float)
    freeze_word_embeddings: bool = _f(True, boolean)
    trust_remote_code: bool = _f(False, boolean)  # run code shipped with a Hugging Face encoder (--trust-remote-code)
    on_mismatch: str = _f("fail", one_of("fail", "skip"))
    output: str = _f("runs/benchmark", text)
    resume: bool = _f(False, boolean)
    overwrite: bool = _f(False, boolean)
    checkpoint_every: int | None = _f(None, optional(positive_int))
    progress: bool = _f(True, boolean)

    def __attrs_post_init__(self) -> None:
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self, value_serializer=lambda _, __, value: list(value) if isinstance(value, tuple) else value)

    @classmethod
    def from_file(cls, path: str | Path, overrides: dict[str, Any] | None = None) -> "BenchmarkSettings":
        """Settings from a JSON or YAML file; ``overrides`` (explicit flags) win."""
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8")
            data = __import__("yaml").safe_load(raw) if path.suffix in (".yaml", ".yml") else json.loads(raw)
        except OSError as error:
            raise ConfigError(f"cannot read settings file {path}: {error.strerror}") from None
        except Exception as error:
            raise ConfigError(f"{path}: not valid {'YAML' if path.suffix in ('.yaml', '.yml') else 'JSON'}: {error}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping of setting names to values")
        data = {key.replace("-", "_"): value for key, value in data.items()}
        return cls.from_dict({**data, **(overrides or {})}, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "settings") -> "BenchmarkSettings":
        known = {field.name for field in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return cls(**data)


def resolved_align_languages(settings: BenchmarkSettings) -> str:
    if settings.align_languages is not None:
        return settings.align_languages
    return "all" if settings.dataset == "demo" else "each"
