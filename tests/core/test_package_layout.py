"""The package's shape: one list of public names, no plugin loaded on import, a training
package of short functions, and a run-directory lock that any OS can take."""

from __future__ import annotations

import ast
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import xalign
from xalign.errors import ConfigError
from xalign.training.run_directory import lock_directory

ROOT = Path(xalign.__file__).resolve().parent
LONGEST_FUNCTION = 80  # lines; a longer one should be split into named steps


def python(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


def test_every_public_name_is_in_all_and_defined_at_import():
    assert len(xalign.__all__) == len(set(xalign.__all__))
    missing = [name for name in xalign.__all__ if not hasattr(xalign, name)]
    assert not missing
    assert xalign.load is xalign.load_pretrained
    assert {"build", "train", "evaluate", "predict", "XalignConfig", "TrainResult", "hookimpl"} <= set(xalign.__all__)


def test_importing_xalign_loads_no_plugin():
    finished = python(
        "import sys, json, xalign, xalign.registry as r\n"
        "print(json.dumps({'registry': r._default_registry is not None,"
        " 'plugins': sorted(m for m in sys.modules if m.startswith(('xalign_', 'benchmarks')))}))"
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert json.loads(finished.stdout) == {"registry": False, "plugins": []}


def test_python_m_xalign_list_runs():
    finished = subprocess.run([sys.executable, "-m", "xalign", "list", "--json"], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert "fixed" in json.loads(finished.stdout)["weightings"]


def test_no_function_in_the_training_package_is_longer_than_80_lines():
    too_long = []
    for path in sorted((ROOT / "training").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION:
                too_long.append(f"{path.name}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not too_long


def test_the_training_package_imports_where_there_is_no_fcntl():
    finished = python("import sys; sys.modules['fcntl'] = None\nimport xalign.training.loop, xalign.training.run_directory")
    assert finished.returncode == 0, finished.stderr[-2000:]


def test_a_directory_lock_refuses_a_second_holder_until_it_is_closed(tmp_path):
    lock = lock_directory(tmp_path)
    with pytest.raises(ConfigError, match="another run is using .* right now"):
        lock_directory(tmp_path)
    lock.close()
    lock.close()  # closing twice is harmless
    lock_directory(tmp_path).close()


def test_a_lock_held_by_a_killed_process_is_free_again(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import time, pathlib\nfrom xalign.training.run_directory import lock_directory\n"
                               f"lock = lock_directory(pathlib.Path({str(tmp_path)!r})); print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError, match="another run is using"):
            lock_directory(tmp_path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    lock_directory(tmp_path).close()
