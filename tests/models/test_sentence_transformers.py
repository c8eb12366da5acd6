"""sentence-transformers in both directions, through the library itself.

Export: ``SentenceTransformer(out).encode`` returns xalign's pooled embeddings. Import: a
sentence-transformers directory loads with its own pooling mode (every mode the library
offers) and default prompt; modules xalign cannot honour are refused by name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules import Dense, Normalize, Transformer
from sentence_transformers.sentence_transformer.modules import Pooling

import xalign
from xalign.errors import ConfigError
from xalign.export import export_sentence_transformers
from xalign.inference import embed

from .conftest import model_config

TEXTS = ["wake me at seven am", "play some jazz", "spiel etwas jazz", "stelle einen wecker für sechs bitte", "rock"]


def cosines(first: torch.Tensor, second: torch.Tensor) -> list[float]:
    return torch.nn.functional.cosine_similarity(first.float().cpu(), second.float().cpu(), dim=-1).tolist()


@pytest.mark.parametrize("pooler", ["cls", "mean", "pooler"])
def test_an_exported_model_encodes_as_xalign_embeds(trained_model_dir, encoder_dir, tmp_path, pooler):
    if pooler == "mean":
        model_dir = trained_model_dir
        assembly = xalign.load_pretrained(model_dir)
    else:
        assembly, _ = xalign.build(model_config(encoder_dir, pooler=pooler))
        model_dir = xalign.save_pretrained(assembly, tmp_path / "model")
    output = export_sentence_transformers(model_dir, tmp_path / "exported")

    exported = SentenceTransformer(str(output), device="cpu")
    assert exported.default_prompt_name == "query" and exported.prompts["query"] == "query: "
    assert min(cosines(exported.encode(TEXTS, convert_to_tensor=True), embed(assembly, TEXTS, batch_size=2))) >= 0.9999
    assert (output / "README.md").read_text(encoding="utf-8").count("library_name: sentence-transformers") == 1


def test_export_st_on_the_command_line(trained_model_dir, tmp_path, capsys):
    from xalign.__main__ import main

    assert main(["export-st", str(trained_model_dir), str(tmp_path / "st")]) == 0
    assert json.loads((tmp_path / "st" / "modules.json").read_text())[1]["path"] == "1_Pooling"
    assert "wrote a sentence-transformers model" in capsys.readouterr().out


def test_an_assembly_in_memory_exports_too(encoder_dir, tmp_path):
    assembly, _ = xalign.build(model_config(encoder_dir, pooler="cls", text_prefix=""))
    output = export_sentence_transformers(assembly, tmp_path / "exported")
    exported = SentenceTransformer(str(output), device="cpu")
    assert exported.default_prompt_name is None
    assert min(cosines(exported.encode(TEXTS, convert_to_tensor=True), embed(assembly, TEXTS))) >= 0.9999


def write_sentence_transformers_model(encoder_dir: Path, output: Path, *modules, prompt: str | None = None) -> Path:
    transformer = Transformer(str(encoder_dir))
    model = SentenceTransformer(
        modules=[transformer, *modules], device="cpu",
        prompts={"query": prompt} if prompt else None, default_prompt_name="query" if prompt else None,
    )
    model.save(str(output), create_model_card=False)
    return output


@pytest.mark.parametrize("mode", Pooling.POOLING_MODES)
def test_every_pooling_mode_of_a_sentence_transformers_model_is_honoured(encoder_dir, tmp_path, mode):
    directory = write_sentence_transformers_model(encoder_dir, tmp_path / "st", Pooling(32, pooling_mode=mode), prompt="query: ")
    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(directory), head="sequence-classification", intent_labels=("a", "b")))
    assert assembly.text_prefix == "query: "
    reference = SentenceTransformer(str(directory), device="cpu").encode(TEXTS, convert_to_tensor=True)
    assert torch.allclose(embed(assembly, TEXTS, batch_size=2), reference, atol=1e-5)


@pytest.mark.parametrize("module, name", [(Dense(32, 16), "Dense"), (Normalize(), "Normalize")])
def test_modules_xalign_cannot_honour_are_refused_by_name(encoder_dir, tmp_path, module, name):
    directory = write_sentence_transformers_model(encoder_dir, tmp_path / "st", Pooling(32, pooling_mode="mean"), module)
    with pytest.raises(ConfigError, match=rf"module\(s\) {name} \(2_{name}\) cannot be honoured"):
        xalign.build(xalign.ModelConfig(encoder=str(directory), head="sequence-classification", intent_labels=("a",)))


def test_concatenated_pooling_modes_are_refused_not_replaced(encoder_dir, tmp_path):
    directory = write_sentence_transformers_model(encoder_dir, tmp_path / "st", Pooling(32, pooling_mode=("cls", "max")))
    with pytest.raises(ConfigError, match="concatenates the modes cls, max"):
        xalign.build(xalign.ModelConfig(encoder=str(directory), head="sequence-classification", intent_labels=("a",)))


def test_a_module_list_naming_other_code_is_refused_before_anything_is_imported(encoder_dir, tmp_path, monkeypatch):
    directory = write_sentence_transformers_model(encoder_dir, tmp_path / "st", Pooling(32, pooling_mode="mean"))
    marker = tmp_path / "imported"
    (tmp_path / "sneaky_module.py").write_text(f"open({str(marker)!r}, 'w').close()\nclass Layer: pass\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    modules = json.loads((directory / "modules.json").read_text())
    modules.append({"idx": 2, "name": "2", "path": "", "type": "sneaky_module.Layer"})
    (directory / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ConfigError, match=r"Layer \(2\) cannot be honoured"):
        xalign.build(xalign.ModelConfig(encoder=str(directory), head="sequence-classification", intent_labels=("a",)))
    assert not marker.exists()


def test_an_exported_model_loads_back_as_an_encoder_with_its_pooler_and_prompt(trained_model_dir, tmp_path):
    output = export_sentence_transformers(trained_model_dir, tmp_path / "exported")
    original = xalign.load_pretrained(trained_model_dir)
    assembly, _ = xalign.build(xalign.ModelConfig(encoder=str(output), head="sequence-classification", intent_labels=("a",)))
    assert assembly.config.model.pooler == "mean" and assembly.text_prefix == "query: "
    assert torch.allclose(embed(assembly, TEXTS), embed(original, TEXTS), atol=1e-5)
