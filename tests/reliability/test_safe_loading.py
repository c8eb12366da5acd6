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


# -- remote code through a saved model (issue 17, item 2) ----------------------------------

EVIL_CODE = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\nfrom transformers import BertConfig\nclass EvilConfig(BertConfig):\n    model_type = 'xalign-evil'\n"


def plant_remote_code(model_dir, marker):
    """Make ``model_dir/encoder`` name custom code of an unknown model type; importing that code writes ``marker``."""
    import json

    encoder = model_dir / "encoder"
    config = json.loads((encoder / "config.json").read_text(encoding="utf-8"))
    config.update(model_type="xalign-evil", auto_map={"AutoConfig": "evil.EvilConfig", "AutoModel": "evil.EvilModel"})
    (encoder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (encoder / "evil.py").write_text(EVIL_CODE.format(marker=str(marker)), encoding="utf-8")


@pytest.fixture
def remote_code_model(tmp_path):
    """A saved model whose encoder config asks transformers to run code shipped in the directory."""
    encoder = save_tiny_encoder(tmp_path / "encoder", WORDS)
    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(encoder), head="sequence-classification", intent_labels=("music", "weather")))
    model_dir = xalign.save_pretrained(assembly, tmp_path / "model")
    marker = tmp_path / "remote-code-ran"
    plant_remote_code(model_dir, marker)
    (tmp_path / "sources.txt").write_text("play some jazz\nweather in oslo\n", encoding="utf-8")
    return model_dir, marker


def test_the_planted_code_is_real_and_runs_when_trusted(remote_code_model, tmp_path):
    from .conftest import run

    model_dir, marker = remote_code_model
    script = f"import xalign\ntry:\n    xalign.load_pretrained({str(model_dir)!r}, trust_remote_code=True)\nexcept Exception:\n    pass\n"
    run(["-c", f"import os; os.environ['HF_MODULES_CACHE'] = {str(tmp_path / 'modules')!r}\n" + script])
    assert marker.exists()  # so the refusals below are refusals of code that would run


@pytest.mark.parametrize("command, answer", [("predict", None), ("align-score", "y\n")], ids=["predict-stdin-closed", "align-score-answers-yes"])
def test_no_command_asks_to_run_remote_code_and_none_runs_it(remote_code_model, tmp_path, command, answer):
    import subprocess
    import sys

    from .conftest import REPOSITORY, subprocess_env

    model_dir, marker = remote_code_model
    sources = str(tmp_path / "sources.txt")
    arguments = {"predict": ["predict", str(model_dir), sources], "align-score": ["align-score", "--encoder", str(model_dir), sources, sources]}[command]
    result = subprocess.run(
        [sys.executable, "-m", "xalign", *arguments], env={**subprocess_env(), "HF_MODULES_CACHE": str(tmp_path / "modules")},
        cwd=REPOSITORY, capture_output=True, text=True, timeout=300,
        **({"stdin": subprocess.DEVNULL} if answer is None else {"input": answer * 5}),
    )
    assert result.returncode == 2, result.stderr
    assert "[y/N]" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert "model_type 'xalign-evil' is not one transformers knows" in result.stderr
    assert "trust_remote_code=True" in result.stderr and "--trust-remote-code" in result.stderr
    assert not marker.exists()


def test_every_load_path_refuses_remote_code_in_process(remote_code_model, tmp_path, monkeypatch):
    from xalign.alignment_score import load_embedder
    from xalign.errors import ConfigError
    from xalign.export import export_sentence_transformers

    def no_prompt(*arguments):
        raise AssertionError("something asked on stdin")

    monkeypatch.setattr("builtins.input", no_prompt)
    model_dir, marker = remote_code_model
    loads = [
        lambda: xalign.load_pretrained(model_dir),
        lambda: load_embedder(str(model_dir)),
        lambda: export_sentence_transformers(model_dir, tmp_path / "exported"),
        lambda: xalign.build(xalign.ModelConfig(encoder=str(model_dir / "encoder"), head="sequence-classification", intent_labels=("a",))),
    ]
    for load in loads:
        with pytest.raises(ConfigError, match="custom code"):
            load()
    assert not marker.exists()


def test_loading_a_saved_model_passes_trust_remote_code_explicitly(tmp_path, monkeypatch):
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    seen = []
    for auto in (AutoConfig, AutoModel, AutoTokenizer):
        original = auto.from_pretrained.__func__

        def recording(cls, *arguments, _original=original, **keywords):
            seen.append((cls.__name__, keywords.get("trust_remote_code", "not passed")))
            return _original(cls, *arguments, **keywords)

        monkeypatch.setattr(auto, "from_pretrained", classmethod(recording))
    encoder = save_tiny_encoder(tmp_path / "encoder", WORDS)
    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(encoder), head="sequence-classification", intent_labels=("music",)))
    xalign.save_pretrained(assembly, tmp_path / "model")
    seen.clear()
    xalign.load_pretrained(tmp_path / "model")
    assert {name for name, _ in seen} >= {"AutoConfig", "AutoModel", "AutoTokenizer"}
    assert {value for _, value in seen} == {False}


# -- pickles and tags that would run code -------------------------------------------------------

class _RunsCode:
    """Unpickled without restriction, this writes a file (it is never unpickled here)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_in_pytorch_model_bin_of_an_encoder_directory_runs_nothing(tmp_path):
    """A Hugging Face directory with only ``pytorch_model.bin`` is read by transformers with
    ``torch.load(weights_only=True)``: a pickle that would create a file is refused, as a
    located error."""
    encoder = save_tiny_encoder(tmp_path / "encoder", WORDS)
    (encoder / "model.safetensors").unlink()
    marker = tmp_path / "pickle-ran"
    (encoder / "pytorch_model.bin").write_bytes(pickle.dumps(_RunsCode(marker), protocol=2))
    with pytest.raises(xalign.ModelNotFoundError, match=f"{encoder}: the encoder cannot be loaded from its config.json and weights \\(UnpicklingError"):
        xalign.build(xalign.ModelConfig(encoder=str(encoder), head="sequence-classification", intent_labels=("music", "weather")))
    assert not marker.exists()


def test_a_python_tag_in_a_yaml_config_file_is_refused_and_runs_nothing(tmp_path):
    from xalign.errors import ConfigError

    marker = tmp_path / "tag-ran"
    config = tmp_path / "config.yaml"
    config.write_text(f"model:\n  encoder: !!python/object/apply:builtins.open [{str(marker)!r}, w]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{config}: not valid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply"):
        xalign.XalignConfig.load(config)
    assert not marker.exists()
