"""XeroAlign written the way a Hugging Face ``Trainer`` user would write it: the peer of phase (d).

What a user who does not pick xalign writes, following the transformers documentation:

- the examples are tokenised once, up front (what ``Dataset.map`` does): per English example
  its ``input_ids``, its slot ``labels`` at each word's first subword (-100 elsewhere), its
  ``intent_label`` and the ``target_input_ids`` of its translation;
- a collator built from the library's own: ``DataCollatorForTokenClassification`` pads the
  English rows and their labels, ``DataCollatorWithPadding`` pads the translations, each to
  the longest row of the batch;
- a ``Trainer`` subclass overriding ``compute_loss``: the model's outputs for the English
  batch give the task losses, those for the translations the MSE between the two sides'
  sentence embeddings; total = task losses + alignment loss;
- ``train_sampling_strategy="group_by_length"`` (transformers 5's name for
  ``group_by_length=True``: batches of rows of similar English length), and the Trainer's
  own optimiser (fused AdamW) and schedule (linear decay).

The model is xalign's assembly (its encoder, pooler, head and MSE aligner), so a step does
the same arithmetic as in ``xalign.train``; only the training machinery differs. The
English rows and the translations go through the encoder in two calls, each padded to its
own longest row, as the documentation's pattern leads a user to write it (xalign makes one
call over both).
"""

from __future__ import annotations

import tempfile
import time
from typing import Mapping, Sequence

import attrs
import torch
from torch import nn
from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding, Trainer, TrainerCallback, TrainingArguments
from transformers.trainer_callback import PrinterCallback

from xalign.assembly import Assembly
from xalign.data.examples import Translation
from xalign.data.labels import align_word_labels
from xalign.errors import DataError
from xalign.inference import collator_for


@attrs.frozen
class TrainerSettings:
    """The ``TrainingArguments`` a user tunes; everything else is the Trainer's default."""

    batch_size: int = 32
    gradient_accumulation: int = 1
    dataloader_workers: int = 0
    compile: bool = False
    learning_rate: float = 5e-5

    def to_json(self) -> dict:
        return {
            "batch_size": self.batch_size, "gradient_accumulation": self.gradient_accumulation, "dataloader_workers": self.dataloader_workers,
            "torch_compile": self.compile, "optimizer": "adamw_torch_fused (Trainer default)", "schedule": "linear (Trainer default)",
            "train_sampling_strategy": "group_by_length", "dynamic_padding": True, "encoder_calls_per_micro_batch": 2,
        }


def tokenise(assembly: Assembly, examples: Sequence, translations: Mapping[str, Translation]) -> list[dict]:
    """One feature dict per English slot-filling example and its translation, as ``Dataset.map`` would store it.

    Tokenisation and label alignment are xalign's (the same prefix, the same first-subword
    labels), so both trainers see the same token ids.
    """
    missing = [example.id for example in examples if example.id not in translations]
    if missing:
        raise DataError(f"the Trainer baseline pairs every English example with one translation; {len(missing)} have none (first: {missing[0]!r})")
    collator = collator_for(assembly)
    english = collator.encode_examples(list(examples))
    targets = collator.encode_translations([translations[example.id] for example in examples])
    features = []
    for example, row, target in zip(examples, english, targets):
        slot_ids = [collator.slot_ids[tag] for tag in example.slot_tags]
        labels, _ = align_word_labels(row["word_ids"], slot_ids, collator.slot_subwords)
        features.append({
            "input_ids": row["input_ids"], "labels": labels, "intent_label": collator.intent_ids[example.intent],
            "target_input_ids": target["input_ids"],
        })
    return features


class PairCollator:
    """Pads a batch of features: ``input_ids``/``attention_mask``/``labels`` ``[batch, seq]`` for the
    English rows, ``target_input_ids``/``target_attention_mask`` ``[batch, target_seq]``, ``intent_labels [batch]``."""

    def __init__(self, tokenizer):
        self.english = DataCollatorForTokenClassification(tokenizer)
        self.translations = DataCollatorWithPadding(tokenizer)

    def __call__(self, features: Sequence[dict]) -> dict[str, torch.Tensor]:
        english = self.english([{"input_ids": f["input_ids"], "labels": f["labels"]} for f in features])
        target = self.translations([{"input_ids": f["target_input_ids"]} for f in features])
        return {
            "input_ids": english["input_ids"], "attention_mask": english["attention_mask"], "labels": english["labels"],
            "intent_labels": torch.tensor([f["intent_label"] for f in features]),
            "target_input_ids": target["input_ids"], "target_attention_mask": target["attention_mask"],
        }


class XeroAlignModel(nn.Module):
    """The assembly over an English batch and its translations: task logits and both sides' sentence embeddings."""

    def __init__(self, assembly: Assembly):
        super().__init__()
        self.assembly = assembly

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``Assembly.encode`` without its result record: ``torch.compile`` (``torch_compile=True``)
        cannot trace the construction of that frozen attrs class. Token states ``[rows, seq, hidden]``,
        sentence embeddings ``[rows, hidden]``."""
        outputs = self.assembly.encoder(input_ids=input_ids, attention_mask=attention_mask)
        states = outputs.last_hidden_state
        return states, self.assembly.pooler(states, attention_mask, getattr(outputs, "pooler_output", None))

    def forward(self, input_ids, attention_mask, target_input_ids, target_attention_mask) -> dict:
        english_states, english_embedding = self.encode(input_ids, attention_mask)
        _, target_embedding = self.encode(target_input_ids, target_attention_mask)
        return {"logits": self.assembly.head(english_states, english_embedding), "english_embedding": english_embedding, "target_embedding": target_embedding}


class XeroAlignTrainer(Trainer):
    """``compute_loss`` = the head's task losses on the English rows + MSE(English, translation embeddings).

    It also counts the rows and (real and padded) tokens it trains on, for the benchmark.
    """

    def __init__(self, *args, assembly: Assembly, **kwargs):
        super().__init__(*args, **kwargs)
        self.task_head, self.alignment_loss = assembly.head, assembly.aligner
        self.reset_counts()

    def reset_counts(self) -> None:
        self.pairs, self.real_tokens, self.padded_tokens = 0, 0, 0

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = {"slot_labels": inputs.pop("labels"), "intent_labels": inputs.pop("intent_labels")}
        outputs = model(**inputs)
        task = self.task_head.loss(outputs["logits"], labels)
        loss = sum(task.values()) + self.alignment_loss(outputs["english_embedding"], outputs["target_embedding"])
        self.pairs += inputs["input_ids"].shape[0]
        for mask in (inputs["attention_mask"], inputs["target_attention_mask"]):
            self.real_tokens += mask.sum()  # a tensor: read once at the end, no sync per step
            self.padded_tokens += mask.numel()
        return (loss, outputs) if return_outputs else loss


class _StepTimer(TrainerCallback):
    """Times a ``train()`` call from the start of its loop (optimizer and data loader built) to its last step."""

    def __init__(self, device: torch.device):
        self.device = device
        self.started = self.ended = None

    def _now(self) -> float:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs):
        self.started = self._now()

    def on_step_end(self, args, state, control, **kwargs):
        self.ended = self._now()


@attrs.frozen
class TrainerRun:
    seconds: float
    pairs: int
    real_tokens: int
    padded_tokens: int
    steps: int


def training_arguments(settings: TrainerSettings, max_steps: int | None, device: torch.device, output_dir: str, seed: int = 0) -> TrainingArguments:
    """``max_steps=None``: one epoch."""
    return TrainingArguments(
        output_dir=output_dir, per_device_train_batch_size=settings.batch_size, gradient_accumulation_steps=settings.gradient_accumulation,
        learning_rate=settings.learning_rate, num_train_epochs=1, max_steps=-1 if max_steps is None else max_steps,
        train_sampling_strategy="group_by_length", remove_unused_columns=False, dataloader_num_workers=settings.dataloader_workers,
        torch_compile=settings.compile, use_cpu=device.type == "cpu", bf16=device.type == "cuda", save_strategy="no", report_to="none",
        disable_tqdm=True, seed=seed,
    )


def make_trainer(
    assembly: Assembly, features: list[dict], settings: TrainerSettings, max_steps: int | None, device: torch.device, output_dir: str, seed: int = 0,
) -> XeroAlignTrainer:
    trainer = XeroAlignTrainer(
        model=XeroAlignModel(assembly), args=training_arguments(settings, max_steps, device, output_dir, seed),
        data_collator=PairCollator(assembly.tokenizer), train_dataset=features, assembly=assembly,
    )
    trainer.remove_callback(PrinterCallback)  # it prints the run's summary to stdout, where the benchmark's results go
    return trainer


def train_with_trainer(
    assembly: Assembly, features: list[dict], settings: TrainerSettings, device: torch.device, steps: int | None = None, warmup: int = 1,
) -> TrainerRun:
    """``warmup`` untimed optimizer steps (a run of their own), then a timed run of ``steps`` steps (one epoch of ``features`` when ``None``)."""
    with tempfile.TemporaryDirectory(prefix="hf-trainer-") as output_dir:
        if warmup:
            make_trainer(assembly, features, settings, warmup, device, output_dir).train()
        trainer = make_trainer(assembly, features, settings, steps, device, output_dir)
        timer = _StepTimer(device)
        trainer.add_callback(timer)
        trainer.train()
    return TrainerRun(timer.ended - timer.started, trainer.pairs, int(trainer.real_tokens), trainer.padded_tokens, trainer.state.global_step)
