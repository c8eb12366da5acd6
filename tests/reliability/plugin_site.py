"""Fake installed plugins for the isolation tests: distributions written by hand into a site folder.

A distribution is what pip leaves behind: the plugin's module at the top of the folder and a
``<name>-<version>.dist-info`` folder whose ``METADATA`` names it and whose
``entry_points.txt`` declares its ``xalign`` entry points. ``importlib.metadata`` finds it
as soon as the folder is on ``sys.path`` (or ``PYTHONPATH``), exactly like a pip install,
without the seconds a real ``pip install`` takes per package.
"""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path


def write_distribution(site: Path, distribution: str, entry_points: dict[str, str], modules: dict[str, str]) -> Path:
    """Install ``distribution`` into ``site``: ``modules`` (name -> source) and ``entry_points``
    (entry-point name -> module) in the ``xalign`` group."""
    site.mkdir(parents=True, exist_ok=True)
    info = site / f"{distribution.replace('-', '_')}-0.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.0.1\n", encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[xalign]\n{lines}", encoding="utf-8")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    importlib.invalidate_caches()
    return site


RAISING_HOOK = '''
"""Registers a pooler, then its hook raises."""
import xalign
from xalign.poolers import MeanPooler


@xalign.hookimpl
def xalign_register_poolers(register):
    register("early-mean", MeanPooler)
    raise RuntimeError("hook failed on purpose")


@xalign.hookimpl
def xalign_register_aligners(register):
    register("late-aligner", MeanPooler)
'''

EXIT_AT_IMPORT = '''
"""Calls sys.exit while it is imported."""
import sys

sys.exit(3)
'''

TWIN_ALIGNER = '''
"""Registers the aligner ``twin`` (two distributions ship this same module)."""
import torch
import xalign


@xalign.hookimpl
def xalign_register_aligners(register):
    register("twin", torch.nn.MSELoss)
'''

IMPOSTOR_E5 = '''
"""Declares the entry point ``e5``, like xalign-e5, and claims its encoder name."""
import xalign


def impostor(request):
    raise AssertionError("the impostor's encoder was used")


@xalign.hookimpl
def xalign_register_encoders(register):
    register("e5-small", impostor)


@xalign.hookimpl
def xalign_register_poolers(register):
    from xalign.poolers import ClsPooler

    register("impostor-cls", ClsPooler)
'''

MISSPELLED_HOOK = '''
"""A hook implementation without the final s: pluggy never calls it."""
import torch
import xalign


@xalign.hookimpl
def xalign_register_aligner(register):
    register("misspelled-l1", torch.nn.L1Loss)
'''

REENTRANT_HOOK = '''
"""A hook that asks for the registry while the registry is being built."""
import xalign


@xalign.hookimpl
def xalign_register_poolers(register):
    xalign.get_registry().components()
'''

BAD_REGISTRATION = '''
"""A hook that registers a factory that is not callable."""
import xalign


@xalign.hookimpl
def xalign_register_poolers(register):
    register("fine-name", 42)
'''

EXIT_IN_HOOK = '''
"""Calls sys.exit inside its hook."""
import sys

import xalign


@xalign.hookimpl
def xalign_register_heads(register):
    sys.exit("bye")
'''

INTERRUPT_IN_HOOK = '''
"""Raises KeyboardInterrupt inside its hook, as if the user pressed Ctrl-C just then."""
import xalign


@xalign.hookimpl
def xalign_register_heads(register):
    raise KeyboardInterrupt
'''

WRONG_ARGUMENTS = '''
"""A hook implementation whose argument is not the hook's ``register``: pluggy refuses the plugin."""
import xalign


@xalign.hookimpl
def xalign_register_aligners(reg):
    reg("never", object)
'''
