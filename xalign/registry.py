"""Plugin manager, entry-point loading and name resolution for every component kind.

Plugins (the core's own :mod:`xalign.builtin` included) are found through the
``xalign`` setuptools entry-point group, loaded once and lazily on first use.

A plugin is code the user installed: nothing here stops one that means harm. What the
registry guarantees is that a *faulty* plugin never takes the others down, never vanishes
without a word, and is named whenever a run needs what it would have provided:

- an import that raises (any exception, ``SystemExit`` included; ``KeyboardInterrupt``
  still stops the program), or a plugin that pluggy refuses (a hook implementation with
  the wrong arguments): the plugin is skipped;
- a hook that raises, or calls ``register`` with a bad name or factory: every component
  the plugin registered is refused, naming the plugin and its error;
- a hook implementation that matches no hook (a misspelled ``@hookimpl``): reported, the
  plugin's other hooks still count;
- two distributions declaring the same entry-point name: both are loaded (the second as
  ``name@distribution``) and the clash is reported, so neither replaces the other;
- two plugins registering the same component name: that name is refused, naming both;
  every other name works.

Each problem is a :class:`PluginFailure` (or, for a name clash, a refused
:class:`Component`), warned about once and shown by ``python -m xalign list``, which always
works. A run fails only when it needs a refused name, or a name nobody registered while a
plugin is broken (the error then names the broken plugins as possible providers). With
``XALIGN_STRICT_PLUGINS=1`` (for CI) any problem is an error on the first use of the
registry.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import os
import re
import threading
import warnings
from typing import Any, Callable, Iterator

import attrs
import pluggy

from xalign import hookspecs
from xalign.errors import DuplicateComponentError, PluginError, UnknownComponentError, XalignError, excerpt

KINDS = ("encoders", "poolers", "aligners", "heads", "datasets", "weightings", "loggers")
ENTRY_POINT_GROUP = "xalign"
HOOK_NAMES = tuple(f"xalign_register_{kind}" for kind in KINDS)
STRICT_VARIABLE = "XALIGN_STRICT_PLUGINS"
NAME_PATTERN = re.compile(r"[^\s\x00-\x1f\x7f]{1,100}")

STAGES = {
    "import": "failed to load",
    "register": "was refused by the plugin manager",
    "hook": "failed while registering its components",
    "unknown hook": "defines a hook that does not exist",
    "entry point": "shares its entry-point name with another distribution",
}
BROKEN_STAGES = ("import", "register", "hook", "unknown hook")
"""Stages after which a plugin may be missing components it meant to provide."""


class PluginWarning(UserWarning):
    """A plugin problem that was reported and skipped (``XALIGN_STRICT_PLUGINS=1`` raises instead)."""


@attrs.frozen
class Component:
    """One registered component: its factory and who provided it.

    ``problem`` is set when the component must not be used (two plugins registered its
    name, or its plugin failed); ``factory`` then raises that error, as does
    :meth:`Registry.get`.
    """

    kind: str
    name: str
    factory: Callable[..., Any]
    provider: str
    problem: XalignError | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def usable(self) -> bool:
        return self.problem is None

    def check(self) -> Component:
        """``self``, or the typed error that says why it cannot be used."""
        if self.problem is not None:
            raise type(self.problem)(*self.problem.args)
        return self


@attrs.frozen
class PluginFailure:
    """A plugin that failed, or that clashes with another one.

    ``entry_point`` is the name the plugin is (or was to be) registered under,
    ``distribution`` the package that installed it, ``stage`` one of :data:`STAGES`.
    """

    entry_point: str
    distribution: str
    error: str
    stage: str = "import"
    cause: BaseException | None = attrs.field(default=None, eq=False, repr=False)

    def __str__(self) -> str:
        origin = f" from {self.distribution!r}" if self.distribution != self.entry_point else ""
        return f"plugin {self.entry_point!r}{origin} {STAGES[self.stage]}: {self.error}"

    @property
    def broken(self) -> bool:
        return self.stage in BROKEN_STAGES


@attrs.frozen
class _Collected:
    components: dict[str, dict[str, Component]]
    failures: list[PluginFailure]
    conflicts: list[str]


def strict_from_environment() -> bool:
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


class Registry:
    """All components of all kinds, collected from the registered plugins."""

    def __init__(self, plugin_manager: pluggy.PluginManager, failures: list[PluginFailure] | None = None, strict: bool | None = None):
        self.plugin_manager = plugin_manager
        self.strict = strict_from_environment() if strict is None else strict
        self._load_failures: list[PluginFailure] = list(failures or [])
        self._distributions: dict[str, str] = {}  # plugin name -> distribution that installed it
        self._collected: _Collected | None = None
        self._collecting = False
        self._lock = threading.RLock()

    # -- plugins ---------------------------------------------------------------------------

    def register_plugin(self, plugin: object, name: str | None = None) -> None:
        """Register an in-process plugin (a module or object with ``@hookimpl`` functions)."""
        with self._lock:
            self.plugin_manager.register(plugin, name=name)
            self._collected = None

    def unregister_plugin(self, name: str) -> None:
        with self._lock:
            self.plugin_manager.unregister(name=name)
            self._collected = None

    def load_entry_points(self) -> list[PluginFailure]:
        """Load every ``xalign`` entry point not loaded yet; returns the new failures."""
        with self._lock:
            failures = _load_entry_points(self.plugin_manager, self._distributions)
            self._load_failures.extend(failures)
            self._collected = None
        if not self.strict:
            for failure in failures:
                _warn(failure)
        return failures

    # -- what the plugins provide ------------------------------------------------------------

    def components(self) -> dict[str, dict[str, Component]]:
        """``{kind: {name: Component}}``, refused components included (their factory raises).

        With ``XALIGN_STRICT_PLUGINS=1``, any plugin problem raises :class:`PluginError`.
        """
        collected = self._collect_once()
        if self.strict:
            self._raise_if_problems(collected)
        return collected.components

    def all_components(self) -> dict[str, dict[str, Component]]:
        """Like :meth:`components`, but never raises, even in strict mode (for listing)."""
        return self._collect_once().components

    @property
    def failures(self) -> list[PluginFailure]:
        """Every plugin that failed or clashes: at load time, then while registering components."""
        return self._load_failures + self._collect_once().failures

    def problems(self) -> list[str]:
        """One line per plugin problem and per refused name clash."""
        collected = self._collect_once()
        return [str(failure) for failure in self._load_failures + collected.failures] + collected.conflicts

    def get(self, kind: str, name: str) -> Component:
        """The component ``name`` of ``kind``; unknown names fail with a suggestion, refused
        ones with the reason (the plugins that clash, or the plugin that failed)."""
        if kind not in KINDS:
            raise UnknownComponentError(f"unknown component kind {kind!r}; kinds are {', '.join(KINDS)}")
        component = self.components()[kind].get(name)
        if component is not None:
            return component.check()
        raise UnknownComponentError(self.unknown_name_message(kind, name))

    def unknown_name_message(self, kind: str, name: str) -> str:
        """Why ``name`` is unknown: the known names, a close match, and any broken plugin
        that might have provided it."""
        message = unknown_name_message(kind, name, self.names(kind))
        broken = [failure for failure in self.failures if failure.broken]
        if broken:
            message += " A plugin that failed may be meant to provide it: " + "; ".join(map(str, broken))
        return message

    def names(self, kind: str) -> list[str]:
        """The usable names of ``kind``, sorted."""
        return sorted(name for name, component in self.components()[kind].items() if component.usable)

    def providers(self) -> dict[str, dict[str, str]]:
        """``{kind: {name: provider}}`` of the usable components (``python -m xalign list --json``);
        never raises, even in strict mode."""
        return {
            kind: {name: component.provider for name, component in sorted(by_name.items()) if component.usable}
            for kind, by_name in self.all_components().items()
        }

    # -- collection --------------------------------------------------------------------------

    def _collect_once(self) -> _Collected:
        with self._lock:
            if self._collecting:
                # A plugin's hook asked for the registry while it is being built: fail that
                # hook (it is reported as the plugin's error) instead of recursing.
                raise PluginError("a plugin hook asked for the registry while the registry was being built")
            if self._collected is None:
                self._collecting = True
                try:
                    self._collected = _collect(self.plugin_manager, self._distributions)
                finally:
                    self._collecting = False
                if not self.strict:
                    for failure in self._collected.failures:
                        _warn(failure)
                    for conflict in self._collected.conflicts:
                        warnings.warn(conflict, PluginWarning, stacklevel=3)
            return self._collected

    def _raise_if_problems(self, collected: _Collected) -> None:
        problems = self.problems()
        if not problems:
            return
        failures = self._load_failures + collected.failures
        cause = next((failure.cause for failure in failures if failure.cause is not None), None)
        raise PluginError(
            f"{STRICT_VARIABLE}=1 makes every plugin problem an error:\n  " + "\n  ".join(problems)
            + f"\nFix or uninstall these plugins, or unset {STRICT_VARIABLE}."
        ) from cause


def _collect(manager: pluggy.PluginManager, distributions: dict[str, str]) -> _Collected:
    """Call every registration hook of every plugin, each in isolation."""
    registered: list[tuple[str, Component]] = []  # (plugin name, component), in order
    failures: list[PluginFailure] = []
    broken: dict[str, PluginFailure] = {}
    for kind, hook_name in zip(KINDS, HOOK_NAMES):
        for implementation in reversed(getattr(manager.hook, hook_name).get_hookimpls()):
            plugin = implementation.plugin_name
            if plugin in broken:
                continue
            provider = distributions.get(plugin, plugin)
            try:
                implementation.function(register=_register_function(kind, plugin, provider, registered))
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # a plugin's bug, or its sys.exit, must not end the program
                broken[plugin] = PluginFailure(plugin, provider, f"{hook_name} raised {describe(error)}", "hook", error)
    for plugin, failure in broken.items():
        names = [f"{component.kind[:-1]} {component.name!r}" for owner, component in registered if owner == plugin]
        if names:
            failure = attrs.evolve(failure, error=f"{failure.error} (refused: {excerpt(', '.join(names), 500)})")
        failures.append(failure)
    failures += _unknown_hooks(manager, distributions)

    components: dict[str, dict[str, Component]] = {kind: {} for kind in KINDS}
    claims: dict[tuple[str, str], list[tuple[str, Component]]] = {}
    for owner, component in registered:
        claims.setdefault((component.kind, component.name), []).append((owner, component))
    conflicts = []
    for (kind, name), claimants in claims.items():
        owner, component = claimants[0]
        if len(claimants) > 1:
            providers = [claimant.provider for _, claimant in claimants]
            problem: XalignError = DuplicateComponentError(
                f"{kind[:-1]} {name!r} is registered by {' and by '.join(map(repr, providers))}. "
                "Uninstall one of these plugins or rename the component in one of them."
            )
            conflicts.append(str(problem))
            component = _refused(component, ", ".join(providers), problem)
        elif owner in broken:
            problem = PluginError(
                f"{kind[:-1]} {name!r} cannot be used: its {broken[owner]}. "
                "Fix or uninstall that plugin (python -m xalign list shows every plugin problem)."
            )
            component = _refused(component, component.provider, problem)
        components[kind][name] = component
    return _Collected(components, failures, conflicts)


def _register_function(kind: str, plugin: str, provider: str, registered: list) -> Callable[[str, Callable[..., Any]], None]:
    """The ``register(name, factory)`` callable handed to one plugin's hook for ``kind``."""

    def register(name: str, factory: Callable[..., Any]) -> None:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise TypeError(
                "register(): a component name must be 1 to 100 printable characters without spaces, "
                f"got {excerpt(repr(name), 120)}"
            )
        if not callable(factory):
            raise TypeError(f"register({name!r}, ...): the factory must be callable, got a {type(factory).__name__}")
        registered.append((plugin, Component(kind, name, factory, provider)))

    return register


def _refused(component: Component, provider: str, problem: XalignError) -> Component:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise type(problem)(*problem.args)

    return Component(component.kind, component.name, refuse, provider, problem)


def _unknown_hooks(manager: pluggy.PluginManager, distributions: dict[str, str]) -> list[PluginFailure]:
    """Hook implementations that match no hook (what ``PluginManager.check_pending`` refuses),
    one failure per implementation instead of an exception at the first."""
    failures = []
    for hook_name, caller in vars(manager.hook).items():
        if hook_name.startswith("_") or caller.has_spec():
            continue
        for implementation in caller.get_hookimpls():
            if implementation.optionalhook:
                continue
            close = difflib.get_close_matches(hook_name, HOOK_NAMES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the hooks are {', '.join(HOOK_NAMES)}"
            plugin = implementation.plugin_name
            failures.append(PluginFailure(
                plugin, distributions.get(plugin, plugin),
                f"@hookimpl {excerpt(hook_name, 80)!r} matches no xalign hook, so it is never called{hint}", "unknown hook",
            ))
    return failures


def describe(error: BaseException) -> str:
    """One bounded line for an exception raised by plugin code (whose ``__str__`` may itself fail)."""
    if isinstance(error, SystemExit):
        return f"SystemExit: the plugin called sys.exit({excerpt(repr(error.code), 80)})"
    try:
        text = str(error)
    except Exception:
        text = "(the error's message could not be printed)"
    text = " ".join(text.split())  # one line, whatever the plugin's message holds
    return excerpt(f"{type(error).__name__}: {text}" if text else type(error).__name__, 300)


def _warn(failure: PluginFailure) -> None:
    warnings.warn(
        f"xalign {failure}. It is skipped; set {STRICT_VARIABLE}=1 to make this an error.", PluginWarning, stacklevel=4
    )


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


def _entry_points() -> Iterator[tuple[importlib.metadata.EntryPoint | None, str, BaseException | None]]:
    """``(entry point, distribution name, None)`` for every ``xalign`` entry point, each
    distribution once (the first found on ``sys.path``, as ``importlib.metadata.entry_points``
    does); ``(None, distribution, error)`` for a distribution whose metadata cannot be read."""
    seen = set()
    for distribution in importlib.metadata.distributions():
        try:
            name = distribution.metadata["name"] or "(unnamed distribution)"
            key = re.sub(r"[-_.]+", "-", name).lower()
            if key in seen:
                continue
            seen.add(key)
            entry_points = [entry_point for entry_point in distribution.entry_points if entry_point.group == ENTRY_POINT_GROUP]
        except Exception as error:  # malformed metadata of one distribution
            yield None, str(getattr(distribution, "_path", "(unknown distribution)")), error
            continue
        for entry_point in entry_points:
            yield entry_point, name, None


def _load_entry_points(manager: pluggy.PluginManager, distributions: dict[str, str]) -> list[PluginFailure]:
    """Import and register each entry point on its own, so one broken plugin cannot stop the
    others; records each plugin's distribution in ``distributions``."""
    failures = []
    declared: dict[str, list[tuple[importlib.metadata.EntryPoint, str]]] = {}
    for entry_point, distribution, error in _entry_points():
        if entry_point is None:
            failures.append(PluginFailure(distribution, distribution, f"its metadata cannot be read ({describe(error)})", "import", error))
        else:
            declared.setdefault(entry_point.name, []).append((entry_point, distribution))
    for name, claimants in declared.items():
        for index, (entry_point, distribution) in enumerate(claimants):
            # pluggy registers plugins by name: a second distribution's entry point of the
            # same name would be skipped without a word, or replace the one a user meant.
            plugin_name = name if index == 0 else f"{name}@{distribution}"
            if index:
                failures.append(PluginFailure(
                    plugin_name, distribution,
                    f"{claimants[0][1]!r} also declares the entry point {name!r}; both are loaded, this one as "
                    f"{plugin_name!r}, and a component name both register is refused. Uninstall the one you did not mean to install",
                    "entry point",
                ))
            if manager.has_plugin(plugin_name) or manager.is_blocked(plugin_name):
                continue
            try:
                plugin = entry_point.load()
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # an import error, or a sys.exit at import, is the plugin's alone
                where = f" (loading {excerpt(entry_point.value, 120)!r})"
                failures.append(PluginFailure(plugin_name, distribution, describe(error) + where, "import", error))
                continue
            if plugin is None:  # pluggy would ignore it without a word
                failures.append(PluginFailure(plugin_name, distribution, f"{entry_point.value!r} is None", "register"))
                continue
            try:
                manager.register(plugin, name=plugin_name)
            except Exception as error:  # e.g. a hook implementation with the wrong arguments
                failures.append(PluginFailure(plugin_name, distribution, describe(error), "register", error))
                continue
            distributions[plugin_name] = distribution
    return failures


_default_registry: Registry | None = None
_default_lock = threading.Lock()


def get_registry() -> Registry:
    """The process-wide registry; entry points are loaded on first call only."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            registry = Registry(new_plugin_manager())
            registry.load_entry_points()
            _default_registry = registry
        return _default_registry


def reset_registry() -> None:
    """Forget the process-wide registry (the next call reloads entry points)."""
    global _default_registry
    with _default_lock:
        _default_registry = None
