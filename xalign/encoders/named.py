"""The named encoders of the paper: XLM-R base/large and mBERT.

Their architectures are written out here so that ``init="random"`` builds them with no
download at all (throughput measurements); pretrained weights load from the local
Hugging Face cache through :func:`load_huggingface_encoder`.
"""

from __future__ import annotations

from typing import Any

import attrs

from xalign.encoders import EncoderRequest, LoadedEncoder
from xalign.encoders.huggingface import check_remote_code, load_huggingface_encoder, model_not_found

_XLMR_COMMON = {
    "model_type": "xlm-roberta",
    "vocab_size": 250002,
    "max_position_embeddings": 514,
    "type_vocab_size": 1,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "layer_norm_eps": 1e-5,
    "hidden_act": "gelu",
}

ARCHITECTURES: dict[str, dict[str, Any]] = {
    "xlm-roberta-base": {**_XLMR_COMMON, "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
    "xlm-roberta-large": {**_XLMR_COMMON, "hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16, "intermediate_size": 4096},
    "bert-base-multilingual-cased": {
        "model_type": "bert",
        "vocab_size": 119547,
        "hidden_size": 768,
        "num_hidden_layers": 12,
        "num_attention_heads": 12,
        "intermediate_size": 3072,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "pad_token_id": 0,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
    },
}


@attrs.frozen
class NamedEncoder:
    """Factory for a well-known hub model, loaded offline from the local cache."""

    hub_id: str
    default_pooler: str = "cls"

    def __call__(self, request: EncoderRequest) -> LoadedEncoder:
        if request.init == "pretrained":
            return load_huggingface_encoder(
                self.hub_id,
                default_pooler=self.default_pooler,
                tokenizer_id=request.tokenizer,
                trust_remote_code=request.trust_remote_code,
                name=self.hub_id,
            )
        return self.random_with_tokenizer(request.tokenizer or self.hub_id, request.trust_remote_code)

    def random_with_tokenizer(self, tokenizer_id: str, trust_remote_code: bool = False) -> LoadedEncoder:
        """The architecture with random weights and a tokenizer from elsewhere (no download)."""
        from pathlib import Path

        from transformers import AutoConfig, AutoModel, AutoTokenizer

        architecture = dict(ARCHITECTURES[self.hub_id])
        config = AutoConfig.for_model(architecture.pop("model_type"), **architecture)
        model = AutoModel.from_config(config)
        if Path(tokenizer_id).expanduser().is_dir():
            check_remote_code(Path(tokenizer_id).expanduser(), trust_remote_code)
        try:
            tokenizer = AutoTokenizer.from_pretrained(tokenizer_id, local_files_only=True, trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as error:
            raise model_not_found(
                f"{self.hub_id} (tokenizer)",
                tokenizer_id,
                f"{str(error).splitlines()[0]}; random init builds the architecture offline but needs a "
                "tokenizer with the same vocabulary: pass one with the tokenizer option",
            ) from None
        if len(tokenizer) > config.vocab_size:
            raise model_not_found(self.hub_id, tokenizer_id, f"tokenizer has {len(tokenizer)} tokens, more than the model's vocabulary {config.vocab_size}")
        return LoadedEncoder(model=model, tokenizer=tokenizer, default_pooler=self.default_pooler, source=f"{self.hub_id} architecture (random init)")


@attrs.frozen
class PathEncoder:
    """Factory for any Hugging Face id or local directory given in place of a name."""

    model_id: str

    def __call__(self, request: EncoderRequest) -> LoadedEncoder:
        return load_huggingface_encoder(
            self.model_id, init=request.init, tokenizer_id=request.tokenizer, trust_remote_code=request.trust_remote_code
        )
