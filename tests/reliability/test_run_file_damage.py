"""Property test: whatever file of a run directory is damaged, resuming ends in one of two ways.

Hypothesis picks a run (finished; killed after its last checkpoint; killed one step before
the end), with ``selection`` "best" or "last", one of its files, and one damage: cut short, one to three
bits flipped, replaced by random bytes, emptied, replaced by another JSON value, deleted,
or replaced by a pickle. Then ``train(resume=True)`` must either

- raise an :class:`~xalign.errors.XalignError` whose message names a file or folder of the
  run, or
- finish with exactly the parameters of the undamaged run (the damaged file was one a
  resume does not read, or one it rewrites).

Never a traceback, never other weights. ``XALIGN_RUN_DAMAGE_EXAMPLES=N`` sets how many
damaged runs are tried (40 by default).
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xalign.errors import XalignError
from xalign.testing import torch_threads

from .tiny_runs import parameters, toy_config, toy_registry, train_toy

EXAMPLES = int(os.environ.get("XALIGN_RUN_DAMAGE_EXAMPLES", "40"))
CONFIGS = {"best": toy_config(), "last": toy_config(selection="last")}
STATES = ("finished", "after its last checkpoint", "one step before the end")
DAMAGES = ("truncate", "flip", "random bytes", "empty", "other JSON", "delete", "pickle")


@pytest.fixture(scope="module")
def registry():
    return toy_registry()


class Finished(dict):
    """``{selection: (run directory, its final parameters)}``, printed short in a falsifying example."""

    def __repr__(self) -> str:
        return f"<finished runs: {', '.join(str(run) for run, _ in self.values())}>"


@pytest.fixture(scope="module")
def finished_runs(registry, tmp_path_factory):
    runs = Finished()
    with torch_threads(1):
        for name, config in CONFIGS.items():
            run = tmp_path_factory.mktemp(name) / "run"
            assembly, _ = train_toy(run, registry, config)
            runs[name] = (run, parameters(assembly))
    return runs


def damage(path: Path, kind: str, data: st.DataObject) -> None:
    content = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(content[: data.draw(st.integers(0, max(len(content) - 1, 0)))])
    elif kind == "flip":
        flipped = bytearray(content)
        for position in data.draw(st.lists(st.integers(0, len(content) - 1), min_size=1, max_size=3)) if content else ():
            flipped[position] ^= 1 << data.draw(st.integers(0, 7))
        path.write_bytes(bytes(flipped))
    elif kind == "random bytes":
        path.write_bytes(data.draw(st.binary(min_size=1, max_size=200)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "other JSON":
        value = data.draw(st.sampled_from([[], {}, None, 1, "x", {"epoch": "1"}, {"history": 3}, {"steps": -1}]))
        path.write_text(json.dumps(value), encoding="utf-8")
    elif kind == "delete":
        path.unlink()
    else:
        path.write_bytes(pickle.dumps({"weight": [0.0] * 8}))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_damaged_run_file_is_a_located_error_or_changes_nothing(registry, finished_runs, tmp_path_factory, data):
    name = data.draw(st.sampled_from(sorted(CONFIGS)), label="selection")
    source, expected = finished_runs[name]
    run = Path(shutil.copytree(source, tmp_path_factory.mktemp("damaged") / "run", ignore=shutil.ignore_patterns(".lock")))
    state = data.draw(st.sampled_from(STATES), label="state")
    if state != "finished":  # killed before the final model was saved
        (run / "training_complete.json").unlink()
        shutil.rmtree(run / "model")
    if state == "one step before the end":  # and before the last step's checkpoint: the resume trains that step
        shutil.rmtree(sorted((run / "checkpoints").glob("step-*"))[-1])
    files = sorted(path.relative_to(run).as_posix() for path in run.rglob("*") if path.is_file() and path.name != ".lock")
    target = data.draw(st.sampled_from(files), label="file")
    kind = data.draw(st.sampled_from(DAMAGES), label="damage")
    damage(run / target, kind, data)
    try:
        with torch_threads(1):
            assembly, _ = train_toy(run, registry, CONFIGS[name], resume=True)
    except XalignError as error:
        assert str(run) in str(error), f"{target} ({kind}): the error names no file of the run: {error}"
    else:
        actual = parameters(assembly)
        assert all(actual[key].equal(expected[key]) for key in expected), f"{target} ({kind}): resumed to other parameters"
    finally:
        shutil.rmtree(run.parent, ignore_errors=True)
