"""What a benchmark run is asked to do beyond the model and its training.

The model and training settings are the library's one schema, :class:`xalign.XalignConfig`;
this class holds only what is about benchmarks (dataset, data, modes, languages, output).
A runner config file is an ``XalignConfig`` file plus a ``benchmark:`` section, and
:func:`resolve` lays defaults < preset < file < flags over both, remembering where each
value came from (``--print-config`` shows it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import attrs

from benchmarks.paper import paper_dataset_values
from xalign.config import XalignConfig, as_tuple, one_of, optional, path_text, positive_int, text, validate_fields
from xalign.errors import ConfigError
from xalign.layers import XALIGN_SECTIONS, ConfigLayers, flatten, read_mapping
from xalign.presets import get_preset

MODES = ("target", "zero-shot", "translate-train", "en+target", "xeroalign")


def modes_check(value: Any) -> str | None:
    if not isinstance(value, tuple) or not value:
        return f"must list at least one mode of {', '.join(MODES)}, got {value!r}"
    unknown = [mode for mode in value if mode not in MODES]
    if unknown:
        return f"has unknown mode(s) {', '.join(map(str, unknown))}; modes are {', '.join(MODES)}"
    if len(set(value)) != len(value):
        return f"names a mode twice: {value!r}"
    return None


def language_list(value: Any) -> str | None:
    if not isinstance(value, tuple) or not all(isinstance(item, str) and item for item in value):
        return f"must be a list of language codes, got {value!r}"
    if len({item.lower() for item in value}) != len(value):
        return f"names a language twice: {value!r}"
    return None


def translations_check(value: Any) -> str | None:
    """One folder, or a mapping of dataset name to folder."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return path_text(value)
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        return next(filter(None, (path_text(folder) for folder in value.values())), None)
    return f"must be a folder, or a mapping of dataset name to folder, got {value!r}"


def _f(default: Any, check, converter=None) -> Any:
    kwargs: dict[str, Any] = {"metadata": {"check": check}}
    if converter is not None:
        kwargs["converter"] = converter
    return attrs.field(default=default, **kwargs)


@attrs.frozen(kw_only=True)
class BenchmarkSettings:
    """The ``benchmark`` section of a runner config."""

    dataset: str = _f("demo", text)
    data_dir: str | None = _f(None, optional(path_text))
    # None: ``paper`` for the paper's four datasets, ``cpu`` for the demo and plugin datasets.
    preset: str | None = _f(None, optional(one_of("paper", "fast", "cpu")))
    modes: tuple[str, ...] = _f(("zero-shot", "xeroalign"), modes_check, as_tuple)
    languages: tuple[str, ...] = _f((), language_list, as_tuple)  # empty: every target language found
    # None: "each" (one model per target language, as in the paper), except on the demo
    # dataset, whose 15-minute budget on 2 CPU cores fits one model aligned to all of them.
    align_languages: str | None = _f(None, optional(one_of("each", "all", "both")))
    # A folder (<dir>/<lang>/train.tsv line-aligned, or <dir>/<lang>.tsv keyed), or one per
    # dataset ({mtop: DIR, mtod: DIR}); with --dataset all a single folder holds one
    # sub-folder per dataset name. None: the parallel target training set joined on id.
    translations_dir: str | dict[str, str] | None = _f(None, translations_check)
    max_train_examples: int | None = _f(None, optional(positive_int))
    on_mismatch: str = _f("fail", one_of("fail", "skip"))
    output: str = _f("runs/benchmark", path_text)

    def __attrs_post_init__(self) -> None:
        validate_fields(self)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self, value_serializer=lambda _, __, value: list(value) if isinstance(value, tuple) else value)


SECTIONS: dict[str, type] = {**XALIGN_SECTIONS, "benchmark": BenchmarkSettings}
# Settings that may change between a run and its --resume without changing any result.
RESUMABLE_CHANGES = ("benchmark.output", "training.progress", "training.checkpoint_every", "training.device")
# Derived from the data by the runner, never taken from a file or a flag.
DERIVED = ("model.intent_labels", "model.slot_labels", "model.head")


@attrs.frozen
class RunConfig:
    """A resolved runner configuration: the library config, the benchmark section, and sources."""

    config: XalignConfig
    benchmark: BenchmarkSettings
    sources: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The runner-file form: ``model``, ``training``, ``benchmark`` (labels left to the data)."""
        data = {**self.config.to_dict(), "benchmark": self.benchmark.to_dict()}
        for name in DERIVED:
            section, _, field = name.partition(".")
            data[section].pop(field, None)
        return data

    def printable(self) -> dict[str, Any]:
        """What ``--print-config`` prints."""
        data = self.to_dict()
        return {"config": {key: data[key] for key in XALIGN_SECTIONS}, "benchmark": data["benchmark"],
                "sources": {key: value for key, value in self.sources.items() if key not in DERIVED}}

    def comparable(self) -> dict[str, Any]:
        """The settings that decide results (what ``--resume`` must find unchanged)."""
        return {key: value for key, value in flatten(self.to_dict()).items() if key not in RESUMABLE_CHANGES}


def default_preset(dataset: str) -> str:
    return "paper" if paper_dataset_values(dataset) is not None else "cpu"


def resolve(file: str | Path | None = None, flags: Mapping[str, Any] | None = None, dataset: str | None = None) -> RunConfig:
    """Lay defaults < preset < file < flags (dotted keys) and build the run's configuration.

    ``dataset`` overrides the dataset of the file and flags (``--dataset all`` resolves once
    per dataset). The preset is the one named by the file or flags, else the dataset's
    default; a paper preset adds the dataset's own values from the paper.
    """
    try:
        file_values = flatten(read_mapping(file)) if file is not None else {}
    except ConfigError as error:
        raise ConfigError(f"{file}: {error}" if not str(error).startswith(str(file)) else str(error)) from None
    flag_values = dict(flags or {})
    given = {**file_values, **flag_values}
    for name in DERIVED:
        if name in given:
            raise ConfigError(f"{name} is derived from the dataset's training files and cannot be set")
    layers = ConfigLayers.from_defaults(SECTIONS)
    layers.check_names(list(file_values), f"file {file}")
    layers.check_names(list(flag_values), "flags")
    dataset = dataset or given.get("benchmark.dataset", "demo")
    preset_name = given.get("benchmark.preset") or default_preset(str(dataset))
    preset = get_preset(str(preset_name))
    layers.apply({**preset.values, "benchmark.preset": preset.name}, f"preset {preset.name}")
    if preset.name == "paper":
        layers.apply(paper_dataset_values(str(dataset)) or {}, "preset paper")
    layers.apply(file_values, f"file {file}")
    layers.apply(flag_values, "flag")
    if dataset != layers.values["benchmark.dataset"]:
        layers.apply({"benchmark.dataset": dataset}, "flag")
    problems = []
    built = {}
    for section in SECTIONS:
        try:
            built[section] = layers.build(section)
        except ConfigError as error:
            problems.append(str(error))
    if problems:
        raise ConfigError("\n".join(problems))
    config = XalignConfig(model=built["model"], training=built["training"])
    return RunConfig(config, built["benchmark"], dict(layers.sources))


def resolved_align_languages(settings: BenchmarkSettings) -> str:
    if settings.align_languages is not None:
        return settings.align_languages
    return "all" if settings.dataset == "demo" else "each"


def translations_dir_for(settings: BenchmarkSettings, dataset: str, all_datasets: bool) -> str | None:
    """The translation folder for ``dataset``: its own entry, or the one folder given."""
    value = settings.translations_dir
    if isinstance(value, dict):
        return value.get(dataset)
    if value is not None and all_datasets:
        return str(Path(value) / dataset)
    return value
