"""The XeroAlign objective for one batch: task losses + alignment loss, one encoder call.

English rows and translation rows are encoded together; the English sentence embeddings
used by the aligner are those of the task forward pass (no extra encoder pass, unlike the
reference code's three passes). Wrapping this module (not the assembly) in
DistributedDataParallel keeps every parameter's gradient synchronised.
"""

from __future__ import annotations

import torch
from torch import nn

from xalign.assembly import Assembly

ALIGNMENT = "align"


class XeroAlignObjective(nn.Module):
    """``forward(batch) -> {"intent": ..., "slots": ..., "align": ...}`` (unweighted losses)."""

    def __init__(self, assembly: Assembly):
        super().__init__()
        self.assembly = assembly

    def forward(self, batch: dict) -> dict[str, torch.Tensor]:
        assembly = self.assembly
        encoded = assembly.encode(batch["input_ids"], batch["attention_mask"], batch.get("token_type_ids"))
        labelled = batch.get("num_labelled", batch["num_source"])
        logits = assembly.head(encoded.token_states[:labelled], encoded.sentence_embedding[:labelled])
        losses = dict(assembly.head.loss(logits, batch))
        source_index = batch["translation_source_index"]
        if source_index.numel():
            embeddings = encoded.sentence_embedding
            source = embeddings[source_index]
            target = embeddings[batch["num_source"] : batch["num_source"] + source_index.numel()]
            losses[ALIGNMENT] = assembly.aligner(source, target)
        return losses
