"""How well an encoder aligns translations: parallel retrieval and cosine of true vs random pairs.

Works for any registered encoder, Hugging Face id or path, and for a model directory saved
by the trainer, so a user can see what alignment training did to the embedding space.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Sequence

import torch

from xalign.errors import ConfigError, DataError


def read_parallel_lines(source_path: str | Path, target_path: str | Path) -> tuple[list[str], list[str]]:
    """Two line-aligned UTF-8 files; empty lines and count mismatches are errors with file and line.

    Lines end at ``\\n`` (with an optional ``\\r`` before it) and nowhere else: ``str.splitlines``
    would also end one at U+2028, U+0085 or a form feed, which can occur inside a sentence,
    and would then pair every later sentence with the wrong translation.
    """
    def read(path: Path) -> list[str]:
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise DataError(f"cannot read: {error.strerror}", path) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise DataError(f"invalid UTF-8 at byte {error.start}", path, line) from None
        lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
        if lines[-1] == "":  # the final newline ends the last line rather than starting one
            lines.pop()
        for number, line in enumerate(lines, 1):
            if not line.strip():
                raise DataError("empty line: every line must hold one sentence", path, number)
        return lines

    sources, targets = read(Path(source_path)), read(Path(target_path))
    if len(sources) != len(targets):
        raise DataError(f"{source_path} has {len(sources)} lines but {target_path} has {len(targets)}; the files must be line-aligned")
    if len(sources) < 2:
        raise DataError("at least two sentence pairs are needed to measure retrieval", source_path)
    return sources, targets


def load_embedder(encoder: str, pooler: str | None = None, trust_remote_code: bool = False):
    """``(assembly-like module with encode(), tokenizer, prefix, pooler name)`` for ``encoder``.

    No code shipped with a model runs unless ``trust_remote_code`` is set (every load path
    passes it explicitly, so nothing asks on stdin).
    """
    from xalign.builder import assemble, load_encoder
    from xalign.config import ModelConfig, XalignConfig
    from xalign.persistence import is_saved_assembly, load_pretrained
    from xalign.registry import get_registry

    if is_saved_assembly(encoder):
        assembly = load_pretrained(encoder, trust_remote_code=trust_remote_code)
        if pooler is not None:
            assembly.pooler = get_registry().get("poolers", pooler).factory()
        return assembly, pooler or assembly.config.model.pooler
    registry = get_registry()
    model_config = ModelConfig(encoder=encoder, pooler=pooler, head="sequence-classification", intent_labels=("unused",), trust_remote_code=trust_remote_code)
    loaded = load_encoder(model_config, registry)
    assembly, _ = assemble(XalignConfig(model=model_config), loaded, registry)
    return assembly, assembly.config.model.pooler


@torch.no_grad()
def embed(assembly, sentences: Sequence[str], batch_size: int = 64) -> torch.Tensor:
    """L2-normalised sentence embeddings ``[sentences, hidden]``."""
    check_batch_size(batch_size)
    assembly.eval()
    tokenizer = assembly.tokenizer
    chunks = []
    for start in range(0, len(sentences), batch_size):
        texts = [assembly.text_prefix + text for text in sentences[start : start + batch_size]]
        batch = tokenizer(texts, padding=True, truncation=True, max_length=assembly.config.model.max_length, return_tensors="pt")
        encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
        chunks.append(torch.nn.functional.normalize(encoded.sentence_embedding.float(), dim=-1))
    return torch.cat(chunks)


def retrieval_scores(source: torch.Tensor, target: torch.Tensor, seed: int = 0) -> dict[str, float]:
    """Top-1 retrieval both ways and mean cosine of true pairs vs random non-pairs (normalised inputs)."""
    similarity = source @ target.T
    pairs = similarity.shape[0]
    gold = torch.arange(pairs)
    rng = random.Random(seed)
    shifted = [(index + rng.randrange(1, pairs)) % pairs for index in range(pairs)]  # never the true partner
    return {
        "pairs": pairs,
        "top1_src2tgt": float((similarity.argmax(dim=1) == gold).float().mean()),
        "top1_tgt2src": float((similarity.argmax(dim=0) == gold).float().mean()),
        "mean_cos_true": float(similarity.diagonal().mean()),
        "mean_cos_random": float(similarity[gold, torch.tensor(shifted)].mean()),
    }


def check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r} (--batch-size)")
    return batch_size


def align_score(
    encoder: str, sources: Sequence[str], targets: Sequence[str], pooler: str | None = None, batch_size: int = 64, seed: int = 0,
    trust_remote_code: bool = False,
) -> dict:
    check_batch_size(batch_size)  # before the encoder loads
    assembly, pooler_name = load_embedder(encoder, pooler, trust_remote_code)
    scores = retrieval_scores(embed(assembly, sources, batch_size), embed(assembly, targets, batch_size), seed)
    return {"encoder": encoder, "pooler": pooler_name, **scores}
