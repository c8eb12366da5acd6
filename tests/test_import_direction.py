"""Imports point one way: plugins -> xalign <- benchmarks.

The core (``xalign/``) imports neither ``benchmarks`` nor any plugin package; the
benchmarks reach a plugin's components through the registry, never by importing the
plugin; a plugin's source (``plugins/*/src``) imports ``xalign`` and never ``benchmarks``.
Every ``.py`` file is parsed (not imported), so an import inside a function, under
``TYPE_CHECKING`` or through ``importlib.import_module("...")`` counts as well.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
DYNAMIC_IMPORTS = ("import_module", "__import__")


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every absolute import in ``tree``, dynamic ones with a literal name included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if function in DYNAMIC_IMPORTS and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def is_plugin_package(top_level: str) -> bool:
    """``xalign_e5``, ``xalign_crossaligner``, ``xalign_textclass`` ...: any ``xalign_`` package but the core."""
    return top_level.startswith("xalign_")


def arrow_problem(area: str, module: str) -> str | None:
    """Why ``area`` (``core``, ``benchmarks`` or ``plugin``) may not import ``module``, or ``None``."""
    top_level = module.split(".")[0]
    if area == "core" and top_level == "benchmarks":
        return "the core must not import benchmarks"
    if area == "core" and is_plugin_package(top_level):
        return f"the core must not import the plugin package {top_level}"
    if area == "benchmarks" and is_plugin_package(top_level):
        return f"benchmarks must not import the plugin package {top_level}; reach its components through xalign.registry"
    if area == "plugin" and top_level == "benchmarks":
        return "a plugin must not import benchmarks; the contracts it needs are in xalign"
    return None


def source_files(root: Path) -> list[tuple[str, Path]]:
    """Every ``.py`` file of the core, the benchmarks and the plugins' sources under ``root``, with its area."""
    areas = (("core", root.glob("xalign/**/*.py")), ("benchmarks", root.glob("benchmarks/**/*.py")), ("plugin", root.glob("plugins/*/src/**/*.py")))
    return [(area, path) for area, paths in areas for path in sorted(paths)]


def violations(root: Path) -> list[str]:
    """``file:line: imports module: why`` for every import against the arrows under ``root``."""
    found = []
    for area, path in source_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in sorted(imported_modules(tree)):
            problem = arrow_problem(area, module)
            if problem is not None:
                found.append(f"{path.relative_to(root)}:{line}: imports {module}: {problem}")
    return found


def test_imports_point_from_plugins_and_benchmarks_to_the_core_only():
    assert violations(ROOT) == []


def test_the_walk_covers_the_core_the_benchmarks_and_every_plugin():
    walked = {path.relative_to(ROOT).as_posix() for _, path in source_files(ROOT)}
    assert {"xalign/hookspecs.py", "xalign/datasets/loader.py", "benchmarks/throughput.py", "benchmarks/datasets/mtop.py"} <= walked
    for plugin in ROOT.glob("plugins/*/src"):
        assert any(path.startswith(plugin.relative_to(ROOT).as_posix() + "/") for path in walked), plugin


def test_the_checker_names_file_and_line_of_each_import_against_the_arrows(tmp_path):
    files = {
        "xalign/bad.py": "import os\nimport benchmarks.run\n\n\ndef f():\n    from xalign_e5 import ensure_converted\n",
        "xalign/fine.py": "from xalign.errors import DataError\nfrom . import registry\n",
        "benchmarks/bad.py": "import xalign\nfrom xalign_crossaligner.plugin import ContrastiveAligner\n",
        "benchmarks/fine.py": "from benchmarks.datasets import mtop\nfrom xalign.registry import get_registry\n",
        "plugins/xalign-demo/src/xalign_demo/bad.py": (
            "import importlib\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from benchmarks.datasets import mtop\n"
            "runner = importlib.import_module('benchmarks.run')\n"
        ),
        "plugins/xalign-demo/src/xalign_demo/fine.py": "from xalign.datasets import LoadedSplit\nfrom xalign_demo import fine\n",
        "plugins/xalign-demo/tests/test_end_to_end.py": "from benchmarks.run import main\n",  # tests may drive the runner
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert violations(tmp_path) == [
        "xalign/bad.py:2: imports benchmarks.run: the core must not import benchmarks",
        "xalign/bad.py:6: imports xalign_e5: the core must not import the plugin package xalign_e5",
        "benchmarks/bad.py:2: imports xalign_crossaligner.plugin: benchmarks must not import the plugin package "
        "xalign_crossaligner; reach its components through xalign.registry",
        "plugins/xalign-demo/src/xalign_demo/bad.py:4: imports benchmarks.datasets: a plugin must not import benchmarks; "
        "the contracts it needs are in xalign",
        "plugins/xalign-demo/src/xalign_demo/bad.py:5: imports benchmarks.run: a plugin must not import benchmarks; "
        "the contracts it needs are in xalign",
    ]
