"""Configuration layers: defaults < preset < file < flags, remembering where each value came from.

Every setting has one dotted name in one schema (``training.learning_rate``,
``model.max_length``); a layer is a mapping of dotted names to values with a source
(``default``, ``preset <name>``, ``file <path>``, ``flag``). Later layers win. The result
is built into the attrs classes, whose validators report every bad value at once.

Owns the dotted-name grammar and the ``KEY=VALUE`` parsing of command-line overrides;
knows nothing of argparse, datasets or training.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Mapping

import attrs

from xalign.config import ModelConfig, TrainingConfig, XalignConfig, from_dict, to_dict
from xalign.errors import ConfigError

XALIGN_SECTIONS: dict[str, type] = {"model": ModelConfig, "training": TrainingConfig}


def flatten(nested: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"training": {"epochs": 2}}`` -> ``{"training.epochs": 2}`` (one level of sections)."""
    flat = {}
    for key, value in nested.items():
        if not isinstance(key, str):
            raise ConfigError(f"config key {prefix}{key!r} ({type(key).__name__}) is not a name; keys are names such as 'training' or 'training.epochs'")
        name = f"{prefix}{key}"
        if not prefix and isinstance(value, Mapping):
            flat.update(flatten(value, prefix=f"{name}."))
        else:
            flat[name] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    nested: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        section, _, field = name.partition(".")
        nested.setdefault(section, {})[field] = value
    return nested


def parse_value(text: str) -> Any:
    """A command-line value: JSON when it parses (``0``, ``1e-4``, ``true``, ``null``, ``["de"]``),
    otherwise the string itself (``adam``, ``de,fr``)."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_assignment(text: str) -> tuple[str, Any]:
    """``"training.weight_decay=0"`` -> ``("training.weight_decay", 0)``."""
    name, equals, value = text.partition("=")
    if not equals or not name.strip():
        raise ConfigError(f"--set {text!r}: write KEY=VALUE with a dotted key, e.g. --set training.weight_decay=0")
    return name.strip().replace("-", "_"), parse_value(value.strip())


class _RepeatedKey(ValueError):
    """A mapping in a config file names one key twice."""


def _unique_keys(pairs: list[tuple[Any, Any]]) -> dict:
    """A JSON object's pairs as a dict, refusing a repeated key (``json`` would keep the last)."""
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(f"key {key!r} appears twice in one object")
        found[key] = value
    return found


def _unique_key_loader():
    """PyYAML's safe loader, refusing a repeated key in a mapping (it would keep the last)."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:  # the keys written in this mapping (a merge, <<, may be overridden)
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    key = self.construct_object(key_node)
                    if key in seen:
                        raise _RepeatedKey(f"key {key!r} appears twice in one mapping (line {key_node.start_mark.line + 1})")
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return UniqueKeyLoader


def read_mapping(path: str | Path) -> dict[str, Any]:
    """A JSON or YAML file holding a mapping (safe YAML: no Python tags)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        if path.suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.load(raw, Loader=_unique_key_loader())
        else:
            data = json.loads(raw, object_pairs_hook=_unique_keys)
    except _RepeatedKey as error:
        raise ConfigError(f"{path}: {error}; a setting may appear once (a reader would see one value, the run another)") from None
    except Exception as error:
        kind = "YAML" if path.suffix in (".yaml", ".yml") else "JSON"
        raise ConfigError(f"{path}: not valid {kind}: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections ('model', 'training', ...), got {type(data).__name__}")
    return data


@attrs.define
class ConfigLayers:
    """The values of every dotted key and the layer each came from.

    ``sections`` maps a section name to its attrs class; the default layer is read from the
    classes themselves, so a default is declared once, on its field.
    """

    sections: dict[str, type]
    values: dict[str, Any] = attrs.Factory(dict)
    sources: dict[str, str] = attrs.Factory(dict)

    @classmethod
    def from_defaults(cls, sections: Mapping[str, type] | None = None) -> ConfigLayers:
        layers = cls(dict(sections or XALIGN_SECTIONS))
        for section, section_class in layers.sections.items():
            for field in attrs.fields(section_class):
                default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default
                layers.values[f"{section}.{field.name}"] = default
                layers.sources[f"{section}.{field.name}"] = "default"
        return layers

    def check_names(self, names: list[str], source: str) -> None:
        """Every name must be a known dotted key; all unknown ones are reported at once."""
        problems = []
        for name in names:
            if name in self.values:
                continue
            close = difflib.get_close_matches(name, list(self.values), n=1, cutoff=0.6)
            section = name.partition(".")[0]
            if section not in self.sections:
                problems.append(f"{name!r}: unknown section {section!r}; sections are {', '.join(self.sections)}")
            else:
                problems.append(f"{name!r}: unknown key" + (f"; did you mean {close[0]!r}?" if close else ""))
        if problems:
            raise ConfigError(f"{source}: " + "; ".join(problems))

    def apply(self, values: Mapping[str, Any], source: str, only_from: tuple[str, ...] = ()) -> None:
        """Lay ``values`` (dotted keys) over the current ones, recording ``source``.

        With ``only_from``, a key is replaced only where its current source is one of those
        (a dataset's preset refinement must not undo a value the user set).
        """
        self.check_names(list(values), source)
        for name, value in values.items():
            if only_from and self.sources[name] not in only_from:
                continue
            self.values[name] = value
            self.sources[name] = source

    def apply_nested(self, data: Mapping[str, Any], source: str) -> None:
        self.apply(flatten(data), source)

    def section(self, name: str) -> dict[str, Any]:
        return unflatten({key: value for key, value in self.values.items() if key.startswith(name + ".")}).get(name, {})

    def build(self, section: str) -> Any:
        return from_dict(self.sections[section], self.section(section))

    def xalign_config(self) -> XalignConfig:
        """The :class:`XalignConfig` of these layers; every invalid field is reported at once."""
        problems = []
        built = {}
        for section in XALIGN_SECTIONS:
            try:
                built[section] = self.build(section)
            except ConfigError as error:
                problems.append(str(error))
        if problems:
            raise ConfigError("\n".join(problems))
        return XalignConfig(**built)


def config_with_overrides(config: XalignConfig, overrides: Mapping[str, Any]) -> XalignConfig:
    """``config`` with dotted ``overrides`` applied (a Python spelling of ``--set``)."""
    layers = ConfigLayers.from_defaults()
    layers.apply(flatten(to_dict(config)), "config")
    layers.apply(overrides, "override")
    return layers.xalign_config()
