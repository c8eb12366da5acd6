"""No pickle is ever loaded from a file, and no remote code runs unless the user asks.

At run time: resuming from a checkpoint, loading a saved model and loading an encoder from
a directory call ``torch.load`` only with ``weights_only=True`` and never reach the pickle
module's loaders. In the source: every ``torch.load`` call passes ``weights_only=True`` and
nothing imports a pickle-based loader. (A plugin that fails to import is reported by name
while the others keep working: tests/core/test_registry_plugins.py.)
"""

from __future__ import annotations

import ast
import pickle

import pytest
import torch

import xalign
from benchmarks.experiment import model_config
from benchmarks.run import parser, run_configs
from xalign.data.examples import ClassificationExample
from xalign.testing import save_tiny_encoder

from .conftest import REPOSITORY

WORDS = ("play", "some", "jazz", "rock", "music", "weather", "in", "oslo")
EXAMPLES = [ClassificationExample(id=str(i), text=text, label=label)
            for i, (text, label) in enumerate([("play some jazz", "music"), ("weather in oslo", "weather")] * 3)]


@pytest.fixture
def no_pickle(monkeypatch):
    """Fail on any unrestricted unpickling; record every torch.load call's weights_only."""
    calls = []
    original_load = torch.load

    def checked_load(*arguments, **keywords):
        calls.append(keywords.get("weights_only"))
        assert keywords.get("weights_only") is True, "torch.load without weights_only=True"
        return original_load(*arguments, **keywords)

    def refuse(*arguments, **keywords):
        raise AssertionError("a pickle was loaded")

    class RefusingUnpickler:
        def __init__(self, *arguments, **keywords):
            refuse()

    monkeypatch.setattr(torch, "load", checked_load)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", RefusingUnpickler)
    return calls


def test_resuming_loading_a_model_and_loading_an_encoder_load_no_pickle(tmp_path, no_pickle):
    encoder = save_tiny_encoder(tmp_path / "encoder", WORDS)
    config = xalign.XalignConfig(
        model=xalign.ModelConfig(encoder=str(encoder), head="sequence-classification", intent_labels=("music", "weather")),
        training=xalign.TrainingConfig(epochs=1, batch_size=2, device="cpu", progress=False, checkpoint_every=1),
    )
    output = tmp_path / "run"
    xalign.train(xalign.build(config)[0], EXAMPLES, output_dir=output)
    # Make the finished run look interrupted after its last step, so resuming reads the checkpoint.
    (output / "training_complete.json").unlink()
    result = xalign.train(xalign.build(config)[0], EXAMPLES, output_dir=output, resume=True)
    assert result.resumed_from is not None and result.resumed_from.endswith("step-00000003")
    assert no_pickle == [True]  # the checkpoint's optimizer/scheduler/RNG state, restricted loading

    loaded = xalign.load_pretrained(output / "model")
    assert xalign.evaluate(loaded, EXAMPLES)["accuracy"] >= 0
    assert no_pickle == [True]  # the saved model is safetensors + JSON only


def _torch_load_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "load":
            if isinstance(node.func.value, ast.Name) and node.func.value.id == "torch":
                yield node


def test_the_source_never_unpickles():
    sources = [*REPOSITORY.glob("xalign/**/*.py"), *REPOSITORY.glob("benchmarks/**/*.py"), *REPOSITORY.glob("plugins/*/src/**/*.py")]
    assert len(sources) > 40
    problems = []
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for call in _torch_load_calls(tree):
            safe = any(k.arg == "weights_only" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)
            if not safe:
                problems.append(f"{path.relative_to(REPOSITORY)}:{call.lineno}: torch.load without weights_only=True")
        for node in ast.walk(tree):
            names = [alias.name for alias in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for name in [module, *names]:
                if name and name.split(".")[0] in ("pickle", "cPickle", "dill", "joblib", "cloudpickle"):
                    problems.append(f"{path.relative_to(REPOSITORY)}:{node.lineno}: imports {name}")
    assert not problems, "\n".join(problems)


def test_trust_remote_code_is_off_unless_the_flag_is_given():
    assert xalign.ModelConfig().trust_remote_code is False
    default = run_configs(parser().parse_args([]))[0]
    flagged = run_configs(parser().parse_args(["--trust-remote-code"]))[0]
    assert default.config.model.trust_remote_code is False and flagged.config.model.trust_remote_code is True
    assert flagged.sources["model.trust_remote_code"] == "flag"
    assert model_config(default, ("a",), (), "sequence-classification").model.trust_remote_code is False
    assert model_config(flagged, ("a",), (), "sequence-classification").model.trust_remote_code is True


@pytest.mark.parametrize("trusted", [False, True])
def test_the_encoder_loader_passes_trust_remote_code_through(tmp_path, monkeypatch, trusted):
    from transformers import AutoConfig

    seen = []
    original = AutoConfig.from_pretrained.__func__

    def recording(cls, *arguments, **keywords):
        seen.append(keywords.get("trust_remote_code"))
        return original(cls, *arguments, **keywords)

    monkeypatch.setattr(AutoConfig, "from_pretrained", classmethod(recording))
    encoder = save_tiny_encoder(tmp_path / "encoder", WORDS)
    xalign.build(xalign.ModelConfig(encoder=str(encoder), head="sequence-classification", intent_labels=("music",), trust_remote_code=trusted))
    assert seen and set(seen) == {trusted}
