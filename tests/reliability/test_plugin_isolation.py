"""A faulty plugin never takes xalign down: ``xalign list`` always works and names it, and a
run fails only when it needs what the faulty plugin would have provided, naming the plugin.

Each plugin is a distribution written by hand into a site folder of its own
(:mod:`.plugin_site`), put on ``sys.path`` for one test or on ``PYTHONPATH`` for one child
process; the shared environment is never changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import xalign
from xalign.errors import ConfigError, DuplicateComponentError, PluginError, UnknownComponentError
from xalign.testing import TinyEncoderPlugin, fresh_registry

from . import plugin_site
from .conftest import REPOSITORY, subprocess_env
from .plugin_site import write_distribution

WORDS = ("set", "an", "alarm", "stelle", "einen", "wecker", "play", "some", "jazz")


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """An empty site folder on ``sys.path`` for this test; the modules imported from it are forgotten after."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("XALIGN_STRICT_PLUGINS", raising=False)
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", None) and str(folder) in sys.modules[name].__file__:
            del sys.modules[name]


def run_cli(site: Path, *arguments: str, strict: bool = False) -> subprocess.CompletedProcess:
    env = subprocess_env()
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    env.pop("XALIGN_STRICT_PLUGINS", None)
    if strict:
        env["XALIGN_STRICT_PLUGINS"] = "1"
    return subprocess.run([sys.executable, "-m", "xalign", *arguments], env=env, cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=300)


def model_config(**model) -> xalign.XalignConfig:
    return xalign.XalignConfig(
        model=xalign.ModelConfig(encoder="tiny-random", intent_labels=("alarm", "music"), slot_labels=("O",), **model),
        training=xalign.TrainingConfig(epochs=1, batch_size=2, progress=False, device="cpu"),
    )


def test_a_hook_that_raises_is_named_and_only_its_components_are_refused(site):
    write_distribution(site, "xalign-raising-test", {"raising": "raising_plugin"}, {"raising_plugin": plugin_site.RAISING_HOOK})
    with pytest.warns(UserWarning, match="'raising'.*'xalign-raising-test'.*RuntimeError: hook failed on purpose"):
        registry = fresh_registry(TinyEncoderPlugin(WORDS))
        registry.components()
    # What it registered before failing is refused, naming the plugin and its error.
    with pytest.raises(PluginError, match=r"pooler 'early-mean' cannot be used.*'raising'.*'xalign-raising-test'.*hook failed on purpose"):
        registry.get("poolers", "early-mean")
    with pytest.raises(ConfigError, match="ModelConfig.pooler: .*'raising'"):  # reported with every other problem
        xalign.build(model_config(pooler="early-mean", aligner="mse"), registry=registry)
    # Its later hooks are not called; a name it would have registered there lists it as a possible provider.
    with pytest.raises(UnknownComponentError, match=r"unknown aligner 'late-aligner'.*may be meant to provide it.*'raising'"):
        registry.get("aligners", "late-aligner")
    # Everything else works: a run that does not need the plugin builds.
    assembly, _ = xalign.build(model_config(pooler="mean", aligner="mse"), registry=registry)
    assert type(assembly.pooler).__name__ == "MeanPooler"
    assert registry.get("poolers", "mean").provider == "xalign"


def test_a_plugin_that_calls_sys_exit_at_import_is_skipped_and_named(site):
    write_distribution(site, "xalign-exiting-test", {"exiting": "exiting_plugin"}, {"exiting_plugin": plugin_site.EXIT_AT_IMPORT})
    with pytest.warns(UserWarning, match=r"'exiting'.*'xalign-exiting-test'.*sys\.exit\(3\)"):
        registry = fresh_registry()
    assert registry.get("aligners", "mse").provider == "xalign"
    assert [failure.stage for failure in registry.failures if failure.entry_point == "exiting"] == ["import"]


def test_sys_exit_in_a_hook_is_a_plugin_failure_but_ctrl_c_still_stops(site):
    write_distribution(site, "xalign-hookexit-test", {"hookexit": "hookexit_plugin"}, {"hookexit_plugin": plugin_site.EXIT_IN_HOOK})
    with pytest.warns(UserWarning, match=r"'hookexit'.*xalign_register_heads raised SystemExit.*sys\.exit\('bye'\)"):
        registry = fresh_registry()
        assert registry.get("heads", "joint-intent-slot").provider == "xalign"
    write_distribution(site, "xalign-interrupt-test", {"interrupt": "interrupt_plugin"}, {"interrupt_plugin": plugin_site.INTERRUPT_IN_HOOK})
    with pytest.raises(KeyboardInterrupt):
        fresh_registry().components()


def test_a_plugin_that_pluggy_refuses_is_skipped_and_named(site):
    write_distribution(site, "xalign-wrongargs-test", {"wrongargs": "wrongargs_plugin"}, {"wrongargs_plugin": plugin_site.WRONG_ARGUMENTS})
    with pytest.warns(UserWarning, match=r"'wrongargs'.*refused by the plugin manager.*PluginValidationError.*\{'reg'\}"):
        registry = fresh_registry()
    assert registry.get("aligners", "mse").provider == "xalign"


def test_two_plugins_registering_one_name_refuse_only_that_name_naming_both(site):
    write_distribution(site, "xalign-twin-one", {"twinone": "twin_one_plugin"}, {"twin_one_plugin": plugin_site.TWIN_ALIGNER})
    write_distribution(site, "xalign-twin-two", {"twintwo": "twin_two_plugin"}, {"twin_two_plugin": plugin_site.TWIN_ALIGNER})
    with pytest.warns(UserWarning, match="'twin'"):
        registry = fresh_registry(TinyEncoderPlugin(WORDS))
        components = registry.components()  # does not raise
    assert components["aligners"]["mse"].usable
    assert not components["aligners"]["twin"].usable
    with pytest.raises(DuplicateComponentError, match="aligner 'twin' is registered by 'xalign-twin-(one|two)' and by 'xalign-twin-(two|one)'"):
        registry.get("aligners", "twin")
    with pytest.raises(DuplicateComponentError):  # builder code that calls the factory directly is refused too
        components["aligners"]["twin"].factory()
    assert "twin" not in registry.names("aligners") and "twin" not in registry.providers()["aligners"]
    xalign.build(model_config(aligner="mse"), registry=registry)


def test_a_second_distribution_with_the_same_entry_point_name_replaces_nothing(site):
    write_distribution(site, "xalign-impostor", {"e5": "impostor_plugin"}, {"impostor_plugin": plugin_site.IMPOSTOR_E5})
    with pytest.warns(UserWarning, match="entry point 'e5'"):
        registry = fresh_registry()
        registry.components()
    clashes = [failure for failure in registry.failures if failure.stage == "entry point"]
    assert len(clashes) == 1 and {"xalign-e5", "xalign-impostor"} <= set(str(clashes[0]).replace('"', "'").split("'"))
    # Both were loaded: the impostor's own pooler works, and the encoder name both claim is refused naming both.
    assert registry.get("poolers", "impostor-cls").provider == "xalign-impostor"
    with pytest.raises(DuplicateComponentError, match="encoder 'e5-small'.*'xalign-(e5|impostor)'.*'xalign-(impostor|e5)'"):
        registry.get("encoders", "e5-small")
    # A run that names the encoder is refused before any factory runs (the impostor's would raise AssertionError).
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder="e5-small", intent_labels=("a", "b")))
    with pytest.raises(DuplicateComponentError, match="'xalign-impostor'"):
        xalign.build(config, registry=registry)


def test_strict_mode_makes_an_entry_point_clash_an_error(site):
    write_distribution(site, "xalign-impostor", {"e5": "impostor_plugin"}, {"impostor_plugin": plugin_site.IMPOSTOR_E5})
    registry = fresh_registry(strict=True)
    with pytest.raises(PluginError, match="(?s)XALIGN_STRICT_PLUGINS=1.*entry point 'e5'"):
        registry.get("aligners", "mse")


def test_a_misspelled_hook_implementation_is_reported_with_the_right_name(site):
    write_distribution(site, "xalign-typo-test", {"typo": "typo_plugin"}, {"typo_plugin": plugin_site.MISSPELLED_HOOK})
    with pytest.warns(UserWarning, match="'xalign_register_aligner' matches no xalign hook.*did you mean 'xalign_register_aligners'"):
        registry = fresh_registry()
        registry.components()
    with pytest.raises(UnknownComponentError, match=r"unknown aligner 'misspelled-l1'.*'typo'.*xalign_register_aligner\b"):
        registry.get("aligners", "misspelled-l1")
    assert registry.get("aligners", "mse").provider == "xalign"


def test_a_plugin_that_fails_to_import_is_named_when_an_unknown_name_is_asked_for(site):
    write_distribution(site, "xalign-missing-dep", {"missingdep": "missing_dep_plugin"},
                       {"missing_dep_plugin": "import xalign_no_such_dependency_at_all\n"})
    with pytest.warns(UserWarning):
        registry = fresh_registry()
    with pytest.raises(UnknownComponentError, match="unknown aligner 'from-missing'.*'missingdep'.*xalign_no_such_dependency_at_all"):
        registry.get("aligners", "from-missing")


def test_a_hook_that_registers_a_factory_that_is_not_callable_is_a_plugin_failure(site):
    write_distribution(site, "xalign-badreg-test", {"badreg": "badreg_plugin"}, {"badreg_plugin": plugin_site.BAD_REGISTRATION})
    with pytest.warns(UserWarning, match="'badreg'.*factory must be callable"):
        registry = fresh_registry()
        registry.components()
    with pytest.raises(UnknownComponentError, match="'badreg'"):
        registry.get("poolers", "fine-name")


def test_list_works_and_names_every_broken_plugin_and_conflict(tmp_path):
    site = tmp_path / "site"
    write_distribution(site, "xalign-raising-test", {"raising": "raising_plugin"}, {"raising_plugin": plugin_site.RAISING_HOOK})
    write_distribution(site, "xalign-exiting-test", {"exiting": "exiting_plugin"}, {"exiting_plugin": plugin_site.EXIT_AT_IMPORT})
    write_distribution(site, "xalign-twin-one", {"twinone": "twin_one_plugin"}, {"twin_one_plugin": plugin_site.TWIN_ALIGNER})
    write_distribution(site, "xalign-twin-two", {"twintwo": "twin_two_plugin"}, {"twin_two_plugin": plugin_site.TWIN_ALIGNER})
    write_distribution(site, "xalign-impostor", {"e5": "impostor_plugin"}, {"impostor_plugin": plugin_site.IMPOSTOR_E5})
    write_distribution(site, "xalign-typo-test", {"typo": "typo_plugin"}, {"typo_plugin": plugin_site.MISSPELLED_HOOK})
    write_distribution(site, "xalign-reentrant-test", {"reentrant": "reentrant_plugin"}, {"reentrant_plugin": plugin_site.REENTRANT_HOOK})

    listed = run_cli(site, "list")
    assert listed.returncode == 0, listed.stderr
    assert "Traceback" not in listed.stderr
    out, err = listed.stdout, listed.stderr
    assert "  mse " in out and "  mean " in out  # every healthy component is listed
    twin_line = next(line for line in out.splitlines() if line.strip().startswith("twin "))
    assert "xalign-twin-one" in twin_line and "xalign-twin-two" in twin_line and "REFUSED" in twin_line
    early_line = next(line for line in out.splitlines() if line.strip().startswith("early-mean "))
    assert "xalign-raising-test" in early_line and "REFUSED" in early_line
    for expected in ("'raising' from 'xalign-raising-test' failed while registering", "hook failed on purpose",
                     "'exiting' from 'xalign-exiting-test' failed to load", "sys.exit(3)",
                     "aligner 'twin' is registered by", "entry point 'e5'", "xalign_register_aligner'",
                     "'reentrant' from 'xalign-reentrant-test' failed while registering"):
        assert expected in err, f"{expected!r} missing from:\n{err}"
    as_json = run_cli(site, "list", "--json")
    assert as_json.returncode == 0
    listing = json.loads(as_json.stdout)
    assert listing["aligners"]["mse"] == "xalign" and "twin" not in listing["aligners"]

    strict = run_cli(site, "list", strict=True)
    assert strict.returncode == 2 and "  mse " in strict.stdout and "XALIGN_STRICT_PLUGINS=1" in strict.stderr
    assert "Traceback" not in strict.stderr


def test_a_command_fails_only_when_it_needs_the_broken_plugins_component(tmp_path, toy_encoder_dir):
    site = tmp_path / "site"
    write_distribution(site, "xalign-raising-test", {"raising": "raising_plugin"}, {"raising_plugin": plugin_site.RAISING_HOOK})
    write_distribution(site, "xalign-exiting-test", {"exiting": "exiting_plugin"}, {"exiting_plugin": plugin_site.EXIT_AT_IMPORT})
    source, target = tmp_path / "en.txt", tmp_path / "de.txt"
    source.write_text("set an alarm\nplay some jazz\n", encoding="utf-8")
    target.write_text("stelle einen wecker\nspiel etwas jazz\n", encoding="utf-8")
    needed = run_cli(site, "align-score", "--encoder", str(toy_encoder_dir), "--pooler", "early-mean", str(source), str(target))
    assert needed.returncode == 2, needed.stderr
    assert "Traceback" not in needed.stderr
    assert "pooler 'early-mean' cannot be used" in needed.stderr and "'xalign-raising-test'" in needed.stderr
    unneeded = run_cli(site, "align-score", "--encoder", str(toy_encoder_dir), "--pooler", "mean", "--json", str(source), str(target))
    assert unneeded.returncode == 0, unneeded.stderr
    assert '"pairs": 2' in unneeded.stdout
