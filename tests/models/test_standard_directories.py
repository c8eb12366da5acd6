"""A saved model is a Hugging Face model directory plus its head: plain transformers loads the encoder."""

from __future__ import annotations

import json
import pickle

import pytest
import torch
from safetensors.torch import save_model
from transformers import AutoConfig, AutoModel, AutoTokenizer

import xalign
from xalign.errors import ModelNotFoundError
from xalign.model_card import TrainingSummary, write_model_card

from .conftest import EXAMPLES, INTENTS, SLOT_LABELS, model_config


def encoder_outputs(model, tokenizer, texts):
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).last_hidden_state


def test_a_trained_model_loads_with_plain_transformers_and_gives_the_encoder_outputs_of_xalign(trained_model_dir):
    assert {path.name for path in trained_model_dir.iterdir()} >= {"README.md", "encoder", "head.safetensors", "xalign_config.json"}
    plain = AutoModel.from_pretrained(trained_model_dir / "encoder").eval()
    tokenizer = AutoTokenizer.from_pretrained(trained_model_dir / "encoder")
    reloaded = xalign.load_pretrained(trained_model_dir)
    texts = ["query: wake me at seven", "query: spiel etwas jazz"]
    assert torch.equal(encoder_outputs(plain, tokenizer, texts), encoder_outputs(reloaded.encoder, reloaded.tokenizer, texts))

    config = AutoConfig.from_pretrained(trained_model_dir / "encoder")
    assert config.id2label == dict(enumerate(INTENTS)) and config.label2id == {label: i for i, label in enumerate(INTENTS)}
    assert config.xalign["slot_labels"] == list(SLOT_LABELS)
    assert config.xalign["intent_labels"] == list(INTENTS) and config.xalign["text_prefix"] == "query: "


def test_the_head_file_holds_every_tensor_outside_the_encoder(trained_model_dir):
    from safetensors import safe_open

    with safe_open(str(trained_model_dir / "head.safetensors"), "pt") as head:
        names = set(head.keys())
    assert names and all(not name.startswith("encoder.") for name in names)
    assert {"head.intent.classifier.weight", "head.slots.classifier.weight"} <= names


def test_a_saved_and_reloaded_model_predicts_exactly_as_the_original(encoder_dir, tmp_path):
    assembly, _ = xalign.build(model_config(encoder_dir))
    xalign.save_pretrained(assembly, tmp_path / "model")
    reloaded = xalign.load_pretrained(tmp_path / "model")
    for name, tensor in assembly.state_dict().items():
        assert torch.equal(tensor, reloaded.state_dict()[name]), name
    assert xalign.predict(assembly.eval(), EXAMPLES) == xalign.predict(reloaded, EXAMPLES)


def test_load_pretrained_puts_the_model_on_the_device_asked_for(trained_model_dir):
    # The meta device exists everywhere; it shows that the whole assembly moves where asked.
    assembly = xalign.load_pretrained(trained_model_dir, device=torch.device("meta"))
    assert {parameter.device.type for parameter in assembly.parameters()} == {"meta"}
    assert xalign.load_pretrained(trained_model_dir).device.type == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_load_pretrained_on_a_gpu_predicts_there(trained_model_dir):
    assembly = xalign.load_pretrained(trained_model_dir, device="cuda")
    assert assembly.device.type == "cuda"
    on_cpu = xalign.load_pretrained(trained_model_dir)
    assert [p.label for p in xalign.predict(assembly, EXAMPLES)] == [p.label for p in xalign.predict(on_cpu, EXAMPLES)]


def test_a_directory_in_the_previous_layout_still_loads(encoder_dir, tmp_path):
    assembly, tokenizer = xalign.build(model_config(encoder_dir))
    legacy = tmp_path / "legacy"
    (legacy / "encoder").mkdir(parents=True)
    (legacy / "xalign_config.json").write_text(assembly.config.to_json(), encoding="utf-8")
    save_model(assembly, str(legacy / "model.safetensors"))
    assembly.encoder.config.save_pretrained(legacy / "encoder")
    tokenizer.save_pretrained(legacy / "encoder")

    reloaded = xalign.load_pretrained(legacy)
    for name, tensor in assembly.state_dict().items():
        assert torch.equal(tensor, reloaded.state_dict()[name]), name


def test_damaged_weights_are_a_located_error_that_says_what_to_do(trained_model_dir, tmp_path):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(trained_model_dir, damaged)
    (damaged / "head.safetensors").write_bytes(pickle.dumps({"head.intent.classifier.weight": [0.0]}))
    (damaged / "checksums.json").unlink(missing_ok=True)  # as saved before checksums were kept: the read itself must refuse
    with pytest.raises(ModelNotFoundError, match=r"head\.safetensors: not a readable safetensors file.*re-save or re-train"):
        xalign.load_pretrained(damaged)


def test_a_head_file_of_another_model_is_refused(trained_model_dir, encoder_dir, tmp_path):
    import shutil

    other = xalign.XalignConfig(model=xalign.ModelConfig(encoder=str(encoder_dir), head="sequence-classification", intent_labels=("a", "b", "c")))
    assembly, _ = xalign.build(other)
    xalign.save_pretrained(assembly, tmp_path / "other")
    mixed = tmp_path / "mixed"
    shutil.copytree(trained_model_dir, mixed)
    shutil.copy(tmp_path / "other" / "head.safetensors", mixed / "head.safetensors")
    (mixed / "checksums.json").unlink(missing_ok=True)  # the checksums would say "damaged"; the layout check must hold alone
    with pytest.raises(ModelNotFoundError, match="does not match the model described by xalign_config.json"):
        xalign.load_pretrained(mixed)


def test_the_saved_model_card_is_in_the_hugging_face_format(trained_model_dir):
    import yaml

    text = (trained_model_dir / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["library_name"] == "xalign" and front["pipeline_tag"] == "text-classification"
    assert "xeroalign" in front["tags"]
    for expected in ("Base encoder", "Pooler:** `mean`", "Aligner:** `mse`", "`alarm`, `music`", "`GENRE`, `TIME`",
                     "training.learning_rate", "No evaluation results", "gritta-iacobacci-2021-xeroalign"):
        assert expected in text


def test_a_model_card_with_results_holds_the_per_language_table_and_a_model_index(trained_model_dir, tmp_path):
    import shutil

    import yaml

    model_dir = tmp_path / "model"
    shutil.copytree(trained_model_dir, model_dir)
    results = {"en": {"intent_acc": 0.975, "slot_f1": 0.8123}, "de": {"intent_acc": 0.9, "slot_f1": 0.5}}
    summary = TrainingSummary(dataset="demo", aligned_languages=("de",), translation_source="the demo generator's translations", preset="cpu")
    write_model_card(model_dir, results=results, training=summary)
    text = (model_dir / "README.md").read_text(encoding="utf-8")
    assert "| language | intent accuracy | slot F1 |" in text
    assert "| en | 97.5 | 81.2 |" in text and "| de | 90.0 | 50.0 |" in text
    assert "Preset: `cpu`" in text and "the demo generator's translations" in text
    front = yaml.safe_load(text.split("---\n")[1])
    metrics = [entry["metrics"][0] for entry in front["model-index"][0]["results"]]
    assert {"type": "slot_f1", "value": 0.5, "name": "slot F1 (de)"} in metrics


def test_save_pretrained_records_the_training_summary_for_later_cards(encoder_dir, tmp_path):
    assembly, _ = xalign.build(model_config(encoder_dir))
    summary = TrainingSummary(dataset="demo", aligned_languages=("de", "th"), translation_source="machine translation", examples=4)
    xalign.save_pretrained(assembly, tmp_path / "model", training=summary)
    block = json.loads((tmp_path / "model" / "encoder" / "config.json").read_text(encoding="utf-8"))["xalign"]
    assert TrainingSummary.from_dict(block["training_data"]) == summary
    write_model_card(tmp_path / "model", results={"th": {"intent_acc": 0.5}})  # the runner adds results later
    text = (tmp_path / "model" / "README.md").read_text(encoding="utf-8")
    assert "- **Aligned to (translations):** de, th" in text and "machine translation" in text and "| th | 50.0 |" in text
