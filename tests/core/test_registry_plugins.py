"""The registry: name resolution, duplicate names, and real out-of-tree plugins installed with pip.

The plugin packages are written under a temporary directory and installed with
``pip install --target`` into a directory of their own, which only these tests put on the
path (``PYTHONPATH`` of their subprocesses, or ``sys.path`` for the length of one test): the
shared virtual environment is never modified, so nothing running beside these tests sees
the test plugins, and there is nothing to uninstall.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xalign.errors import DuplicateComponentError, PluginError, UnknownComponentError
from xalign.hookspecs import hookimpl
from xalign.registry import KINDS, Registry, new_plugin_manager
from xalign.testing import fresh_registry

REPOSITORY = Path(__file__).resolve().parents[2]

BUILTIN = {
    "encoders": {"xlmr-base", "xlmr-large", "mbert"},
    "poolers": {"cls", "mean", "pooler", "max", "mean-sqrt-len", "weighted-mean", "last-token"},
    "loggers": {"csv", "tensorboard"},
    "aligners": {"mse", "cosine"},
    "heads": {"sequence-classification", "token-classification", "joint-intent-slot"},
    "weightings": {"fixed"},
}

L1_PLUGIN = '''
"""An L1 alignment loss: mean absolute difference of paired embeddings."""
import torch
import xalign


class L1Aligner(torch.nn.Module):
    def forward(self, source, target):
        return (source.float() - target.float()).abs().mean()


@xalign.hookimpl
def xalign_register_aligners(register):
    register("l1-test", L1Aligner)
'''

BROKEN_PLUGIN = '''
"""A plugin whose import fails."""
import xalign_no_such_dependency  # noqa: F401
'''


def write_plugin(root: Path, distribution: str, package: str, entry_point: str, source: str) -> Path:
    """A plugin project in the layout of plugins/<name>/: pyproject.toml and src/<package>/plugin.py."""
    project = root / distribution
    (project / "src" / package).mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=68"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "{distribution}"
            version = "0.0.1"

            [project.entry-points.xalign]
            {entry_point} = "{package}.plugin"

            [tool.setuptools.packages.find]
            where = ["src"]
            """
        ),
        encoding="utf-8",
    )
    (project / "src" / package / "__init__.py").write_text("", encoding="utf-8")
    (project / "src" / package / "plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """A directory holding the installed ``xalign-l1-test`` and ``xalign-broken-test`` distributions."""
    root = tmp_path_factory.mktemp("plugins")
    good = write_plugin(root, "xalign-l1-test", "xalign_l1_test", "l1test", L1_PLUGIN)
    broken = write_plugin(root, "xalign-broken-test", "xalign_broken_test", "brokentest", BROKEN_PLUGIN)
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-compile",
         "--disable-pip-version-check", "--target", str(site), str(good), str(broken)],
        check=True, capture_output=True, text=True, timeout=120,
    )
    return site


def run_python(arguments: list[str], site: Path | None = None, cwd: Path | None = None, **environment: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **environment}  # see conftest.one_torch_thread
    env.pop("XALIGN_STRICT_PLUGINS", None)
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=120, env=env, cwd=cwd or REPOSITORY)


class Duplicate:
    @hookimpl
    def xalign_register_aligners(self, register):
        register("twice", object)


def test_unknown_name_names_the_kind_the_known_names_and_a_close_match():
    registry = fresh_registry()
    with pytest.raises(UnknownComponentError) as caught:
        registry.get("aligners", "mes")
    message = str(caught.value)
    assert "unknown aligner 'mes'" in message
    assert "mse" in message and "cosine" in message
    assert "Did you mean 'mse'?" in message
    with pytest.raises(UnknownComponentError, match="Did you mean 'mean'"):
        registry.get("poolers", "maen")
    with pytest.raises(UnknownComponentError, match="unknown component kind 'aligner'"):
        registry.get("aligner", "mse")


def test_two_plugins_registering_the_same_name_fail_naming_both_only_when_the_name_is_used():
    registry = fresh_registry()
    registry.register_plugin(Duplicate(), name="plugin-one")
    registry.register_plugin(Duplicate(), name="plugin-two")
    with pytest.warns(UserWarning, match="'twice'"):
        assert registry.get("aligners", "mse").provider == "xalign"
    with pytest.raises(DuplicateComponentError) as caught:
        registry.get("aligners", "twice")
    message = str(caught.value)
    assert "'twice'" in message and "plugin-one" in message and "plugin-two" in message
    assert any("'twice'" in problem for problem in registry.problems())


def test_a_plugin_cannot_silently_replace_a_builtin_component():
    class Shadow:
        @hookimpl
        def xalign_register_aligners(self, register):
            register("mse", object)

    registry = fresh_registry()
    registry.register_plugin(Shadow(), name="shadow-plugin")
    with pytest.warns(UserWarning, match="'mse'"), \
            pytest.raises(DuplicateComponentError, match=r"'mse'.*'xalign'.*'shadow-plugin'|'mse'.*'shadow-plugin'.*'xalign'"):
        registry.get("aligners", "mse")


def test_list_json_maps_every_kind_to_names_and_providers(capsys):
    from xalign.__main__ import main

    assert main(["list", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert set(listing) == set(KINDS)
    for kind, by_name in listing.items():
        assert isinstance(by_name, dict)
        assert all(isinstance(name, str) and isinstance(provider, str) for name, provider in by_name.items())
    for kind, names in BUILTIN.items():  # other installed plugins may add names; the core's are exactly these
        assert {name for name, provider in listing[kind].items() if provider == "xalign"} == names


def test_installed_plugin_is_listed_under_its_distribution_name_beside_a_broken_one(plugin_site):
    completed = run_python(["-m", "xalign", "list", "--json"], site=plugin_site)
    assert completed.returncode == 0, completed.stderr
    listing = json.loads(completed.stdout)
    assert listing["aligners"]["l1-test"] == "xalign-l1-test"
    assert {name for name, provider in listing["aligners"].items() if provider == "xalign"} == BUILTIN["aligners"]
    # The broken plugin is named (entry point and distribution) on stderr and skipped.
    assert "'brokentest'" in completed.stderr and "'xalign-broken-test'" in completed.stderr
    assert "xalign_no_such_dependency" in completed.stderr


def test_broken_plugin_failures_are_collected_in_process(plugin_site, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_site))
    monkeypatch.delenv("XALIGN_STRICT_PLUGINS", raising=False)
    registry = Registry(new_plugin_manager())
    with pytest.warns(UserWarning, match="'brokentest'.*'xalign-broken-test'.*XALIGN_STRICT_PLUGINS"):
        failures = registry.load_entry_points()
    ours = [failure for failure in failures if failure.entry_point == "brokentest"]
    assert [(failure.distribution, failure.error, failure.stage) for failure in ours] == [
        ("xalign-broken-test", "ModuleNotFoundError: No module named 'xalign_no_such_dependency' (loading 'xalign_broken_test.plugin')", "import")
    ]
    assert not any(failure.entry_point in ("builtin", "l1test") for failure in failures)
    assert registry.get("aligners", "l1-test").provider == "xalign-l1-test"
    assert registry.get("aligners", "mse").provider == "xalign"
    for name in [name for name in sys.modules if name.startswith("xalign_l1_test")]:
        monkeypatch.delitem(sys.modules, name)


def test_strict_mode_makes_a_broken_plugin_an_error(plugin_site, monkeypatch):
    monkeypatch.syspath_prepend(str(plugin_site))
    monkeypatch.setenv("XALIGN_STRICT_PLUGINS", "1")
    registry = fresh_registry()
    with pytest.raises(PluginError, match="(?s)XALIGN_STRICT_PLUGINS=1.*'brokentest'.*xalign_no_such_dependency") as caught:
        registry.get("aligners", "mse")
    assert isinstance(caught.value.__cause__, ModuleNotFoundError)  # the plugin's own traceback stays reachable
    for name in [name for name in sys.modules if name.startswith("xalign_l1_test")]:
        monkeypatch.delitem(sys.modules, name)


TRAIN_WITH_PLUGIN_ALIGNER = """
import json, sys
import xalign
from xalign.data.examples import SlotFillingExample, Translation

examples = [
    SlotFillingExample(id="1", words=("set", "an", "alarm"), slot_tags=("O", "O", "O"), intent="alarm"),
    SlotFillingExample(id="2", words=("play", "some", "jazz"), slot_tags=("O", "O", "B-GENRE"), intent="music"),
]
translations = {"de": {"1": Translation("1", "de", "stelle einen wecker"), "2": Translation("2", "de", "spiel etwas jazz")}}
config = xalign.XalignConfig(
    model=xalign.ModelConfig(encoder=sys.argv[1], aligner="l1-test", intent_labels=("alarm", "music"), slot_labels=("O", "B-GENRE")),
    training=xalign.TrainingConfig(epochs=1, batch_size=2, max_steps=1, progress=False, device="cpu"),
)
assembly, _ = xalign.build(config)
result = xalign.train(assembly, examples, translations)
print(json.dumps({"aligner": type(assembly.aligner).__module__, "steps": result.steps, "losses": result.history[0]["train_loss"]}))
"""


def test_a_plugin_aligner_trains_by_name(plugin_site, tiny_encoder_dir):
    completed = run_python(["-c", TRAIN_WITH_PLUGIN_ALIGNER, str(tiny_encoder_dir)], site=plugin_site)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["aligner"] == "xalign_l1_test.plugin"
    assert report["steps"] == 1
    assert set(report["losses"]) == {"intent", "slots", "align"}
    assert report["losses"]["align"] > 0
