"""The assembled model: encoder -> pooler -> task head, plus the alignment loss and its weighting.

``encode`` runs the encoder once over any rows (English and translations concatenated, so
one call serves both the task and the alignment loss). The assembly knows nothing of
files or training loops; saving and loading live in :mod:`xalign.persistence`.
"""

from __future__ import annotations

import attrs
import torch
from torch import nn

from xalign.config import XalignConfig
from xalign.weighting import FixedWeighting


@attrs.frozen
class Encoded:
    """Encoder outputs for a batch of rows."""

    token_states: torch.Tensor  # [rows, seq, hidden]
    sentence_embedding: torch.Tensor  # [rows, hidden]
    # Every layer's token states, embeddings first (``layers + 1`` of ``[rows, seq, hidden]``),
    # only when ``encode(..., hidden_states=True)`` asked for them and the encoder gives them.
    hidden_states: tuple[torch.Tensor, ...] | None = None


class Assembly(nn.Module):
    """Encoder, pooler, head and aligner, with the tokenizer and config they were built from.

    ``weighting`` combines the task and alignment losses during training (an object with
    ``weights(losses) -> {name: float}``, built by the builder from ``TrainingConfig.weighting``;
    the plain sum when none is given). A weighting may keep state between steps: it belongs
    to this assembly, so training the same assembly again continues that state.
    """

    def __init__(
        self, encoder: nn.Module, pooler: nn.Module, head: nn.Module, aligner: nn.Module, tokenizer, config: XalignConfig,
        text_prefix: str = "", weighting=None,
    ):
        super().__init__()
        self.encoder = encoder
        self.pooler = pooler
        self.head = head
        self.aligner = aligner
        self.weighting = weighting if weighting is not None else FixedWeighting()
        self.tokenizer = tokenizer
        self.config = config
        self.text_prefix = text_prefix

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None, position_ids: torch.Tensor | None = None,
        hidden_states: bool = False,
    ) -> Encoded:
        """Shapes: ``input_ids``/``attention_mask`` ``[rows, seq]``.

        ``hidden_states=True`` also returns every layer's token states, for aligners that read
        an inner layer (word alignments are sharper in the middle of a multilingual encoder
        than at its top). They cost no extra memory in training: backward keeps them anyway.
        """
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        if position_ids is not None:
            inputs["position_ids"] = position_ids
        if hidden_states:
            inputs["output_hidden_states"] = True
        outputs = self.encoder(**inputs)
        token_states = outputs.last_hidden_state
        pooler_output = getattr(outputs, "pooler_output", None)
        layers = getattr(outputs, "hidden_states", None) if hidden_states else None
        return Encoded(token_states, self.pooler(token_states, attention_mask, pooler_output), tuple(layers) if layers is not None else None)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """Task logits for a batch (``{"intent": [batch, classes], "slots": [batch, seq, tags]}``)."""
        encoded = self.encode(input_ids, attention_mask, token_type_ids)
        return self.head(encoded.token_states, encoded.sentence_embedding)
