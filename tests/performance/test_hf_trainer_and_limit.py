"""Phase (d), the Hugging Face Trainer baseline, and the machine's limit in the throughput benchmark."""

from __future__ import annotations

import argparse
import contextlib
import io
import json

import pytest
import torch

from benchmarks import hf_trainer_baseline as hf
from benchmarks import throughput
from benchmarks import workload as workloads
from benchmarks.throughput_parts import limit, measure
from xalign.data.collate import ParallelItem
from xalign.data.labels import IGNORE_INDEX
from xalign.inference import collator_for

PHASE_KEYS = {"pairs_per_s", "real_tokens_per_s", "pad_fraction", "peak_mem_bytes", "settings", "load_average_1min"}


@pytest.fixture(scope="module")
def summary(tiny_encoder_path) -> dict:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = throughput.main([
            "--encoder", str(tiny_encoder_path), "--lengths", "mtop", "--phases", "best,hf_trainer", "--batch-size", "4", "--rounds", "2",
            "--hf-batch-size", "8", "--hf-accumulation", "1", "--contest-examples", "24", "--skip-scaling", "--device", "cpu", "--threads", "1", "--json",
        ])
    assert code == 0
    return json.loads(printed.getvalue().strip().splitlines()[-1])


def test_phase_d_reports_its_figures_at_both_settings_and_the_ratios(summary):
    for phase in ("best", "hf_trainer_same_settings", "hf_trainer"):
        assert PHASE_KEYS <= set(summary[phase]) and summary[phase]["pairs_per_s"] > 0 and summary[phase]["peak_mem_bytes"] > 0
    assert summary["hf_trainer_same_settings"]["settings"]["batch_size"] == 4 == summary["best"]["settings"]["batch_size"]
    assert summary["hf_trainer"]["settings"]["train_sampling_strategy"] == "group_by_length"
    rounds = summary["rounds"]
    assert set(rounds) == {"best", "hf_trainer_same_settings", "hf_trainer_candidate"}
    assert all(len(values) == 2 for values in rounds.values())
    # (d) at its own best is the faster of its two settings (batch 4 as (c), batch 8 as asked), by the lower-middle round.
    slower, faster = sorted(("hf_trainer_same_settings", "hf_trainer_candidate"), key=lambda name: min(rounds[name]))
    assert summary["hf_trainer_pick"] == faster and summary["hf_trainer"]["pairs_per_s"] == min(rounds[faster])
    assert summary["hf_trainer"]["settings"]["batch_size"] == (4 if faster == "hf_trainer_same_settings" else 8)
    paired = sorted(ours / theirs for ours, theirs in zip(rounds["best"], rounds[faster]))
    assert summary["vs_hf_trainer"] == pytest.approx(sum(paired) / 2, rel=0.02)  # the median of two rounds' ratios
    assert summary["reference"] is None and summary["best_ratio"] is None


def test_the_limit_relates_achieved_flops_to_the_measured_peak(summary):
    assert summary["gemm_peak_flops"] > 0 and summary["achieved_flops"] > 0
    assert summary["peak_fraction"] == pytest.approx(summary["achieved_flops"] / summary["gemm_peak_flops"], abs=1e-4)  # rounded to 4 places
    details = summary["limit"]
    assert details["flops_per_real_token"] * summary["best"]["real_tokens_per_s"] == pytest.approx(summary["achieved_flops"], rel=1e-2)
    assert len(details["gemm_peak_by_round"]) == 2 and max(details["gemm_peak_by_round"]) == summary["gemm_peak_flops"]
    for name in ("best", "hf_trainer"):
        shares = details["step_breakdown"][name]
        assert shares["step_seconds"] > 0
        assert sum(shares[category] for category in limit.CATEGORIES) == pytest.approx(1.0, abs=1e-3)
        # The Trainer's data loader collates one batch ahead: three batches of 8, so its second step collates the third.
        assert shares["encoder_forward"] > 0 and shares["backward"] > 0 and shares["optimizer"] > 0 and shares["collation"] > 0


def test_flop_count_matches_a_hand_count_on_the_tiny_config(tiny_encoder_path):
    arguments = argparse.Namespace(encoder=str(tiny_encoder_path), init="pretrained", tokenizer=None)
    assembly = throughput.build(arguments, (("a", "b"), ("O", "B-x")))
    config = assembly.encoder.config
    assert (config.hidden_size, config.intermediate_size, config.num_hidden_layers) == (32, 64, 2)
    # Per layer: query, key, value, attention output (32x32 + 32 each), two LayerNorms (2 x 64),
    # feed-forward in (32x64 + 64) and out (64x32 + 32); plus the embeddings' LayerNorm (64).
    per_layer = 4 * (32 * 32 + 32) + 2 * 64 + (32 * 64 + 64) + (64 * 32 + 32)
    parameters = 2 * per_layer + 64
    assert parameters == 17152
    shape = measure.ModelShape.of(assembly.encoder, config)
    assert shape.non_embedding_parameters == parameters
    # Rows of 10 and 30 real tokens: 40 tokens; attention 12 x layers x hidden x L per token of a row of L.
    context = measure.attention_tokens_factor([10, 30])
    by_hand = 40 * 6 * 17152 + 12 * 2 * 32 * (10 * 10 + 30 * 30)
    assert measure.training_flops(shape, 40, context) == pytest.approx(by_hand)


def test_gemm_peak_is_a_positive_rate_for_every_encoder_shape():
    peak = limit.gemm_peak(hidden=32, intermediate=64, tokens=48, device=torch.device("cpu"), repeats=2, seconds=0.01)
    assert set(peak.by_shape) == {"[48,32]x[32,32]", "[48,32]x[32,64]", "[48,64]x[64,32]"}
    assert all(rate > 0 for rate in peak.by_shape.values()) and peak.flops_per_s == max(peak.by_shape.values())
    assert peak.dtype == "float32"


class _Batches:
    def __call__(self, size: int) -> torch.Tensor:
        return torch.randn(size, 16)


def test_profile_step_splits_the_last_step_into_the_named_parts():
    torch.manual_seed(0)
    encoder, head = torch.nn.Linear(16, 16), torch.nn.Linear(16, 1)
    optimizer = torch.optim.AdamW([*encoder.parameters(), *head.parameters()])
    batches = _Batches()
    originals = (_Batches.__call__, torch.nn.utils.clip_grad_norm_, torch.Tensor.backward)

    def train() -> None:
        for _ in range(3):
            optimizer.zero_grad()
            head(encoder(batches(64))).pow(2).mean().backward()
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
            optimizer.step()

    result = limit.profile_step(train, encoder, [(_Batches, "__call__", limit.COLLATION), (torch.nn.utils, "clip_grad_norm_", limit.OPTIMIZER)])
    assert set(result.fractions) == set(limit.CATEGORIES)
    assert sum(result.fractions.values()) == pytest.approx(1.0)
    assert all(result.fractions[name] > 0 for name in (limit.FORWARD, limit.BACKWARD, limit.OPTIMIZER, limit.COLLATION))
    assert (_Batches.__call__, torch.nn.utils.clip_grad_norm_, torch.Tensor.backward) == originals  # put back
    assert not encoder._forward_hooks and not encoder._forward_pre_hooks


@pytest.fixture(scope="module")
def tiny_pair(tiny_encoder_path):
    arguments = argparse.Namespace(encoder=str(tiny_encoder_path), init="pretrained", tokenizer=None)
    pool = workloads.synthetic("mtop", 12, throughput.build(arguments, (("none",), ("O",))).tokenizer)
    return throughput.build(arguments, pool.labels()), pool


def test_pair_collator_pads_english_with_labels_and_translations_apart(tiny_pair):
    assembly, pool = tiny_pair
    features = hf.tokenise(assembly, pool.examples[:3], pool.translations)
    batch = hf.PairCollator(assembly.tokenizer)(features)
    english = max(len(feature["input_ids"]) for feature in features)
    target = max(len(feature["target_input_ids"]) for feature in features)
    assert batch["input_ids"].shape == batch["labels"].shape == (3, english)
    assert batch["target_input_ids"].shape == batch["target_attention_mask"].shape == (3, target)
    for row, feature in enumerate(features):
        length = len(feature["input_ids"])
        assert batch["attention_mask"][row].sum() == length
        assert batch["labels"][row, :length].tolist() == feature["labels"]
        assert (batch["labels"][row, length:] == IGNORE_INDEX).all()


def test_the_trainer_subclass_computes_the_same_loss_as_xalign_objective(tiny_pair, tmp_path):
    """Dropout off: the Trainer's two encoder calls and xalign's one concatenated call give the same total."""
    assembly, pool = tiny_pair
    examples = pool.examples[:4]
    assembly.eval()
    features = hf.tokenise(assembly, examples, pool.translations)
    trainer = hf.make_trainer(assembly, features, hf.TrainerSettings(batch_size=4), 1, torch.device("cpu"), str(tmp_path))
    with torch.no_grad():
        theirs = trainer.compute_loss(trainer.model, hf.PairCollator(assembly.tokenizer)(features))
        batch = collator_for(assembly)([ParallelItem(example, (pool.translations[example.id],)) for example in examples])
        encoded = assembly.encode(batch["input_ids"], batch["attention_mask"])
        rows = batch["num_source"]
        task = assembly.head.loss(assembly.head(encoded.token_states[:rows], encoded.sentence_embedding[:rows]), batch)
        ours = sum(task.values()) + assembly.aligner(encoded.sentence_embedding[:rows], encoded.sentence_embedding[rows:])
    assert float(theirs) == pytest.approx(float(ours), rel=1e-4)
    assert trainer.pairs == 4 and int(trainer.real_tokens) == sum(len(f["input_ids"]) + len(f["target_input_ids"]) for f in features)


def test_accuracy_check_trains_both_and_scores_both_on_dev(tiny_encoder_path, tmp_path):
    from benchmarks.demo import write_demo_dataset
    from benchmarks.throughput_parts import trainer_peer

    write_demo_dataset(tmp_path / "demo", train_size=24, test_size=4, eval_size=6)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = trainer_peer.main([
            "accuracy", "--encoder", str(tiny_encoder_path), "--data-dir", str(tmp_path / "demo"), "--train-examples", "16",
            "--steps", "3", "--batch-size", "4", "--threads", "1", "--json",
        ])
    assert code == 0
    result = json.loads(printed.getvalue().strip().splitlines()[-1])
    assert set(result["results"]) == {"xalign", "hf_trainer"}
    for scores in result["results"].values():
        for language in ("en", "de"):
            assert 0 <= scores[language]["intent_acc"] <= 1 and 0 <= scores[language]["slot_f1"] <= 1
