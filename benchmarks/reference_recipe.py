"""A faithful re-implementation of the authors' XeroAlign training recipe, and its settings.

The one place both benchmarks take the recipe from: ``python -m benchmarks.throughput``
times it; ``python -m benchmarks.fidelity`` trains it to accuracy and scores it the way it
was trained (fixed-length rows, no mask: ``reference_forward``). The examples it trains on
come from :mod:`benchmarks.workload`.

What the public reference code does (design.md §1), and so what this loop does:

- every utterance is tokenised up front and padded to a fixed length (MTOP 70, MTOD 50,
  MultiATIS++ 100); an utterance longer than that is an error;
- the encoder is called with ``input_ids`` only: no attention mask, so padding is attended to;
- three encoder passes per micro-batch: the labelled English task batch, then the target
  side and the English side of an alignment batch drawn at random, independently of the
  task batch;
- the "CLS" embedding is the encoder's pooler output (dense + tanh over the first token),
  or the first token's state where the encoder has no pooler; alignment loss is the MSE
  between the two sides' CLS embeddings; total = task loss + alignment loss;
- fp32, batch 2, gradient accumulation 5, Adam without weight decay (PyTorch defaults
  otherwise), OneCycleLR with PyTorch's defaults, grad-norm clipping at 1.0.

It reuses the assembly's encoder and task head so that every phase trains the same model.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Mapping, Sequence

import attrs
import torch
from tqdm.auto import tqdm

from xalign.assembly import Assembly
from xalign.data.collate import Collator, ParallelItem
from xalign.data.examples import SlotFillingExample, Translation
from xalign.data.labels import IGNORE_INDEX
from xalign.errors import DataError

if TYPE_CHECKING:  # the workload module takes its pad lengths from here
    from benchmarks.workload import Workload

# The reference code's settings (design notes §1).
BATCH_SIZE = 2
GRADIENT_ACCUMULATION = 5
LEARNING_RATES = {"mtop": 2e-5, "mtod": 5e-6, "multiatis": 2e-5, "paws-x": 6e-6}
PAD_LENGTHS = {"mtop": 70, "mtod": 50, "multiatis": 100, "paws-x": 200}
SEED = 123456789
GRADIENT_CLIP = 1.0


@attrs.frozen
class FixedPaddedData:
    """Everything pre-tokenised and padded to ``pad_length`` (as the reference's preprocessing)."""

    task_ids: torch.Tensor  # [examples, pad_length]
    intent_labels: torch.Tensor  # [examples]
    slot_labels: torch.Tensor  # [examples, pad_length]
    task_lengths: torch.Tensor  # [examples] real tokens per row
    source_ids: torch.Tensor  # [pairs, pad_length] English side of the alignment pairs
    target_ids: torch.Tensor  # [pairs, pad_length]
    source_lengths: torch.Tensor  # [pairs]
    target_lengths: torch.Tensor  # [pairs]


@attrs.frozen
class PhaseCounts:
    seconds: float
    pairs: int  # labelled English rows trained on
    real_tokens: int
    padded_tokens: int
    steps: int


def _fixed_row(ids: list[int], pad_length: int, pad_id: int, what: str) -> list[int]:
    if len(ids) > pad_length:
        raise DataError(f"{what} is {len(ids)} subwords long; the reference recipe pads to {pad_length} and refuses longer utterances")
    return ids + [pad_id] * (pad_length - len(ids))


def prepare(collator: Collator, workload: Workload) -> FixedPaddedData:
    """Tokenise and label every example once, padded to the workload's reference length."""
    paired = [(example, workload.translations[example.id]) for example in workload.examples if example.id in workload.translations]
    return prepare_pairs(collator, workload.examples, paired, workload.pad_length)


def prepare_pairs(
    collator: Collator, examples: Sequence[SlotFillingExample], pairs: Sequence[tuple[SlotFillingExample, Translation]], pad_length: int,
) -> FixedPaddedData:
    """Labelled ``examples`` and alignment ``pairs`` (English example, translation; any languages) padded to ``pad_length``."""
    pad, width = collator.pad_id, pad_length
    task_ids, intents, slots, task_lengths = [], [], [], []
    for example in examples:
        batch = collator([ParallelItem(example)])
        ids = batch["input_ids"][0].tolist()
        task_ids.append(_fixed_row(ids, width, pad, f"example {example.id!r}"))
        task_lengths.append(len(ids))
        intents.append(int(batch["intent_labels"][0]))
        row_slots = batch["slot_labels"][0].tolist()
        slots.append(row_slots + [IGNORE_INDEX] * (width - len(row_slots)))
    source_rows = collator.encode_examples([example for example, _ in pairs]) if pairs else []
    target_rows = collator.encode_translations([translation for _, translation in pairs]) if pairs else []
    source = [_fixed_row(row["input_ids"], width, pad, f"example {e.id!r}") for row, (e, _) in zip(source_rows, pairs)]
    target = [_fixed_row(row["input_ids"], width, pad, f"{t.language} translation of {e.id!r}") for row, (e, t) in zip(target_rows, pairs)]
    return FixedPaddedData(
        torch.tensor(task_ids), torch.tensor(intents), torch.tensor(slots), torch.tensor(task_lengths),
        torch.tensor(source, dtype=torch.long).reshape(-1, width), torch.tensor(target, dtype=torch.long).reshape(-1, width),
        torch.tensor([len(row["input_ids"]) for row in source_rows]), torch.tensor([len(row["input_ids"]) for row in target_rows]),
    )


def _cls(assembly: Assembly, input_ids: torch.Tensor, lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Token states and the reference's CLS; no attention mask (as in the reference code) unless ``lengths`` are given."""
    if lengths is None:
        outputs = assembly.encoder(input_ids=input_ids)
    else:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        outputs = assembly.encoder(input_ids=input_ids, attention_mask=(positions < lengths.to(input_ids.device)[:, None]).long())
    pooled = getattr(outputs, "pooler_output", None)
    return outputs.last_hidden_state, pooled if pooled is not None else outputs.last_hidden_state[:, 0]


def reference_forward(pad_length: int, pad_id: int, masked: bool = False):
    """A ``forward`` for ``xalign.inference.predict``: rows padded to ``pad_length``, no mask (unless ``masked``), the reference's CLS."""

    def forward(assembly: Assembly, inputs: Mapping[str, torch.Tensor]) -> Mapping[str, torch.Tensor]:
        input_ids = inputs["input_ids"]
        width = input_ids.shape[1]
        if width > pad_length:
            raise DataError(f"a test utterance is {width} subwords long; the reference recipe pads to {pad_length} and refuses longer ones")
        input_ids = torch.nn.functional.pad(input_ids, (0, pad_length - width), value=pad_id)
        token_states, cls = _cls(assembly, input_ids, inputs["attention_mask"].sum(1) if masked else None)
        return assembly.head(token_states, cls)

    return forward


def train_reference(
    assembly: Assembly,
    data: FixedPaddedData,
    steps: int,
    warmup_steps: int = 1,
    batch_size: int = BATCH_SIZE,
    accumulation: int = GRADIENT_ACCUMULATION,
    learning_rate: float = LEARNING_RATES["mtop"],
    seed: int = SEED,
    device: torch.device | str = "cpu",
    progress: bool = False,
    fused_adam: bool = False,
    attention_mask: bool = False,
) -> PhaseCounts:
    """Run ``warmup_steps`` untimed then ``steps`` timed optimizer steps of the reference recipe.

    ``fused_adam`` computes the same Adam update with PyTorch's fused kernel: for training
    to accuracy, where the reference's per-tensor loop would only cost time.
    ``attention_mask`` masks the padding, which the reference does not: to measure what
    the missing mask costs in accuracy.
    """
    device = torch.device(device)
    torch.manual_seed(seed)
    assembly.to(device)
    assembly.train()
    optimizer = torch.optim.Adam([p for p in assembly.parameters() if p.requires_grad], lr=learning_rate, **({"fused": True} if fused_adam else {}))
    total_steps = steps + warmup_steps
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=learning_rate, total_steps=max(total_steps, 2))
    generator = torch.Generator().manual_seed(seed)
    examples = data.task_ids.shape[0]
    pairs_available = data.source_ids.shape[0]
    width = data.task_ids.shape[1]
    order = torch.randperm(examples, generator=generator)
    cursor = 0
    counts = {"pairs": 0, "real": 0, "padded": 0}
    started = None
    for step in tqdm(range(total_steps), desc="reference recipe", unit="step", disable=not progress):
        if step == warmup_steps:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            counts = {"pairs": 0, "real": 0, "padded": 0}
            started = time.perf_counter()
        for _ in range(accumulation):
            if cursor + batch_size > examples:
                order, cursor = torch.randperm(examples, generator=generator), 0
            task = order[cursor : cursor + batch_size]
            cursor += batch_size
            aligned = torch.randint(pairs_available, (batch_size,), generator=generator)
            task_ids = data.task_ids[task].to(device)
            token_states, cls = _cls(assembly, task_ids, data.task_lengths[task] if attention_mask else None)
            batch = {"intent_labels": data.intent_labels[task].to(device), "slot_labels": data.slot_labels[task].to(device)}
            task_losses = assembly.head.loss(assembly.head(token_states, cls), batch)
            _, target_cls = _cls(assembly, data.target_ids[aligned].to(device), data.target_lengths[aligned] if attention_mask else None)
            _, source_cls = _cls(assembly, data.source_ids[aligned].to(device), data.source_lengths[aligned] if attention_mask else None)
            loss = sum(task_losses.values()) + torch.nn.functional.mse_loss(source_cls, target_cls)
            (loss / accumulation).backward()
            counts["pairs"] += len(task)
            counts["real"] += int(data.task_lengths[task].sum() + data.source_lengths[aligned].sum() + data.target_lengths[aligned].sum())
            counts["padded"] += 3 * len(task) * width
        torch.nn.utils.clip_grad_norm_(assembly.parameters(), GRADIENT_CLIP)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        if not math.isfinite(float(loss.detach())):
            raise DataError("the reference recipe's loss became non-finite; lower the learning rate")
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - started
    return PhaseCounts(seconds, counts["pairs"], counts["real"], counts["padded"], steps)
