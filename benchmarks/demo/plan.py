"""What the test split keeps to itself: held-out templates and held-out slot values.

Owns the seeded choice, made once per dataset, of the templates (per language, intent
and frame) and slot values (per pool) that only the test split may use. Training and
eval use the rest. Every choice draws from its own ``random.Random`` seeded with a string
naming it, so it depends on nothing but the seed and its own table (never on ``hash()``
or set order), and adding a language or a pool leaves the other choices as they were.
"""

from __future__ import annotations

import random

import attrs

from benchmarks.demo.lexicon import Value
from benchmarks.demo.schema import INTENTS
from benchmarks.demo.templates import Frames, intent_frames, machine_templates, native_templates
from benchmarks.demo.utterance import Template
from benchmarks.demo.values import value_pools


@attrs.frozen
class TemplateSplit:
    """The templates of one language, intent and frame: all of them, and which are test-only."""

    all: tuple[Template, ...]
    seen: tuple[Template, ...]
    held_out: tuple[Template, ...]


@attrs.frozen
class DemoPlan:
    """Templates and values split into seen (any split) and held out (test only)."""

    seed: int
    languages: tuple[str, ...]
    frames: dict[str, tuple[tuple[str, ...], ...]]  # intent -> frames
    templates: dict[str, dict[str, dict[tuple[str, ...], TemplateSplit]]]  # language -> intent -> frame
    machine: dict[str, Frames]  # target language -> machine-translation templates
    seen_values: dict[str, tuple[Value, ...]]  # pool -> values
    held_out_values: dict[str, tuple[Value, ...]]
    held_out_keys: frozenset[str]
    values_by_key: dict[str, Value]


def held_out_count(total: int, fraction: float) -> int:
    """How many of ``total`` items to hold out: ``fraction`` of them rounded, at least one
    when ``fraction`` > 0, and never all of them (training must see one)."""
    if total < 2 or fraction <= 0:
        return 0
    return min(total - 1, max(1, round(total * fraction)))


def _split_templates(templates: tuple[Template, ...], fraction: float, rng: random.Random) -> TemplateSplit:
    held = set(rng.sample(range(len(templates)), held_out_count(len(templates), fraction)))
    return TemplateSplit(
        templates,
        tuple(t for i, t in enumerate(templates) if i not in held),
        tuple(t for i, t in enumerate(templates) if i in held),
    )


def _held_out_keys(pools: dict[str, tuple[Value, ...]], fraction: float, seed: int) -> set[str]:
    """Keys of the held-out values. Pools share values (``clock`` is part of ``moment``), so a
    value held out in one pool is held out in all, and counts towards each pool's share."""
    held: set[str] = set()
    for name in sorted(pools):
        keys = [item.key for item in pools[name]]
        wanted = held_out_count(len(keys), fraction)
        already = sum(key in held for key in keys)
        free = [key for key in keys if key not in held]
        rng = random.Random(f"{seed}/held-out-values/{name}")
        held.update(rng.sample(free, max(0, min(wanted - already, len(free) - 1))))
    # A song whose artist is held out is held out too: songs come with their artist.
    held.update(item.key for item in pools["song"] if item.artist in held)
    return held


def make_plan(seed: int, languages: tuple[str, ...], template_fraction: float, value_fraction: float) -> DemoPlan:
    """Choose the held-out templates and values for ``seed`` (see the module docstring)."""
    frames = intent_frames()
    templates: dict[str, dict[str, dict[tuple[str, ...], TemplateSplit]]] = {}
    for language in languages:
        native = native_templates(language)
        templates[language] = {
            intent.name: {
                frame: _split_templates(
                    native[intent.name][frame],
                    template_fraction,
                    random.Random(f"{seed}/held-out-templates/{language}/{intent.name}/{'+'.join(frame)}"),
                )
                for frame in frames[intent.name]
            }
            for intent in INTENTS
        }
    pools = value_pools()
    held = _held_out_keys(pools, value_fraction, seed)
    return DemoPlan(
        seed=seed,
        languages=languages,
        frames=frames,
        templates=templates,
        machine={language: machine_templates(language) for language in languages if language != "en"},
        seen_values={name: tuple(v for v in values if v.key not in held) for name, values in pools.items()},
        held_out_values={name: tuple(v for v in values if v.key in held) for name, values in pools.items()},
        held_out_keys=frozenset(held),
        values_by_key={v.key: v for values in pools.values() for v in values},
    )
