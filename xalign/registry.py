"""Plugin manager, entry-point loading and name resolution for every component kind.

Plugins (the core's own :mod:`xalign.builtin` included) are found through the
``xalign`` setuptools entry-point group, loaded once and lazily on first use. A plugin
that fails to import is reported by name and skipped, unless ``XALIGN_STRICT_PLUGINS=1``
(for CI), in which case the import error is raised.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import os
import threading
import warnings
from typing import Any, Callable

import attrs
import pluggy

from xalign import hookspecs
from xalign.errors import DuplicateComponentError, UnknownComponentError

KINDS = ("encoders", "poolers", "aligners", "heads", "datasets", "weightings")
ENTRY_POINT_GROUP = "xalign"


@attrs.frozen
class Component:
    """One registered component: its factory and who provided it."""

    kind: str
    name: str
    factory: Callable[..., Any]
    provider: str


@attrs.frozen
class PluginFailure:
    """A plugin entry point that could not be loaded."""

    entry_point: str
    distribution: str
    error: str


class Registry:
    """All components of all kinds, collected from the registered plugins."""

    def __init__(self, plugin_manager: pluggy.PluginManager, failures: list[PluginFailure] | None = None):
        self.plugin_manager = plugin_manager
        self.failures: list[PluginFailure] = list(failures or [])
        self._components: dict[str, dict[str, Component]] | None = None
        self._lock = threading.Lock()

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register an in-process plugin (a module or object with ``@hookimpl`` functions)."""
        self.plugin_manager.register(plugin, name=name)
        self._components = None

    def unregister_plugin(self, name: str) -> None:
        self.plugin_manager.unregister(name=name)
        self._components = None

    def components(self) -> dict[str, dict[str, Component]]:
        """``{kind: {name: Component}}``, collected once per set of plugins."""
        with self._lock:
            if self._components is None:
                self._components = self._collect()
            return self._components

    def _collect(self) -> dict[str, dict[str, Component]]:
        collected: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
        providers = _provider_names(self.plugin_manager)
        for kind in KINDS:
            hook = getattr(self.plugin_manager.hook, f"xalign_register_{kind}")
            for implementation in reversed(hook.get_hookimpls()):
                provider = providers.get(implementation.plugin_name, implementation.plugin_name)

                def register(name: str, factory: Callable[..., Any], _kind=kind, _provider=provider) -> None:
                    existing = collected[_kind].get(name)
                    if existing is not None:
                        raise DuplicateComponentError(
                            f"{_kind[:-1]} {name!r} is registered twice: by {existing.provider!r} "
                            f"and by {_provider!r}. Uninstall one of the two plugins or rename "
                            "the component in one of them."
                        )
                    collected[_kind][name] = Component(_kind, name, factory, _provider)

                implementation.function(register=register)
        return collected

    def get(self, kind: str, name: str) -> Component:
        """The component ``name`` of ``kind``; unknown names fail with a suggestion."""
        if kind not in KINDS:
            raise UnknownComponentError(f"unknown component kind {kind!r}; kinds are {', '.join(KINDS)}")
        known = self.components()[kind]
        if name in known:
            return known[name]
        raise UnknownComponentError(unknown_name_message(kind, name, sorted(known)))

    def names(self, kind: str) -> list[str]:
        return sorted(self.components()[kind])

    def providers(self) -> dict[str, dict[str, str]]:
        """``{kind: {name: provider}}`` (the shape of ``python -m xalign list --json``)."""
        return {
            kind: {name: component.provider for name, component in sorted(by_name.items())}
            for kind, by_name in self.components().items()
        }


def unknown_name_message(kind: str, name: str, known: list[str]) -> str:
    singular = kind[:-1]
    message = f"unknown {singular} {name!r}. Known {kind}: {', '.join(known) or '(none)'}."
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        message += f" Did you mean {close[0]!r}?"
    if kind == "encoders":
        message += " Any Hugging Face model id or local model directory also works as an encoder."
    return message


def new_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    return manager


def _provider_names(manager: pluggy.PluginManager) -> dict[str, str]:
    """Plugin name -> providing distribution name (the name a user installed)."""
    names: dict[str, str] = {}
    for plugin, distribution in manager.list_plugin_distinfo():
        plugin_name = manager.get_name(plugin)
        if plugin_name is not None:
            names[plugin_name] = distribution.metadata["name"]
    return names


def load_entry_point_plugins(manager: pluggy.PluginManager) -> list[PluginFailure]:
    """Load every ``xalign`` entry point; a broken plugin is reported, not fatal."""
    strict = os.environ.get("XALIGN_STRICT_PLUGINS", "") not in ("", "0")
    failures = []
    for distribution in importlib.metadata.distributions():
        for entry_point in distribution.entry_points:
            if entry_point.group != ENTRY_POINT_GROUP:
                continue
            if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
                continue
            try:
                # Public pluggy API, one entry point at a time, so one broken plugin
                # cannot stop the others from loading.
                manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=entry_point.name)
            except Exception as error:  # a broken plugin must not take the others down
                if strict:
                    raise
                failure = PluginFailure(entry_point.name, distribution.metadata["name"], f"{type(error).__name__}: {error}")
                failures.append(failure)
                warnings.warn(
                    f"xalign plugin {entry_point.name!r} from {failure.distribution!r} failed to load and is "
                    f"skipped ({failure.error}). Set XALIGN_STRICT_PLUGINS=1 to make this an error.",
                    stacklevel=2,
                )
    return failures


_default_registry: Registry | None = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide registry; entry points are loaded on first call only."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            manager = new_plugin_manager()
            failures = load_entry_point_plugins(manager)
            _default_registry = Registry(manager, failures)
        return _default_registry


def reset_registry() -> None:
    """Forget the process-wide registry (the next call reloads entry points)."""
    global _default_registry
    with _default_lock:
        _default_registry = None
