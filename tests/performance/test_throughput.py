"""The throughput benchmark: its JSON contract, the reference recipe's cost model, the workloads."""

from __future__ import annotations

import json

import pytest

import xalign
from benchmarks import throughput
from benchmarks import workload as workloads
from benchmarks.reference_recipe import prepare, train_reference
from xalign.errors import DataError, XalignError
from xalign.inference import collator_for

PHASE_KEYS = {"pairs_per_s", "real_tokens_per_s", "pad_fraction", "peak_mem_bytes"}


@pytest.fixture(scope="module")
def summary(tiny_encoder_path, tmp_path_factory) -> dict:
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = throughput.main([
            "--encoder", str(tiny_encoder_path), "--lengths", "mtop", "--steps", "2", "--batch-size", "4",
            "--scaling-examples", "8", "--device", "cpu", "--threads", "1", "--rounds", "1", "--skip-limit", "--json",
        ])
    assert code == 0
    return json.loads(printed.getvalue().strip().splitlines()[-1])


JSON_KEYS = {
    "device", "encoder", "reference", "same_batch", "best", "hf_trainer_same_settings", "hf_trainer", "same_batch_ratio", "best_ratio",
    "vs_hf_trainer", "vs_hf_trainer_same_settings", "gemm_peak_flops", "achieved_flops", "peak_fraction", "limit", "rounds", "hf_trainer_pick",
    "scaling", "load_average",
}


def test_json_line_has_exactly_the_documented_keys(summary):
    assert set(summary) == JSON_KEYS
    assert summary["gemm_peak_flops"] is None and summary["limit"] is None  # --skip-limit
    for phase in ("reference", "same_batch", "best", "hf_trainer_same_settings", "hf_trainer"):
        assert PHASE_KEYS <= set(summary[phase])
        assert summary[phase]["pairs_per_s"] > 0 and summary[phase]["peak_mem_bytes"] > 0
        assert "mfu" not in summary[phase]  # MFU is a GPU figure
    assert summary["same_batch_ratio"] == pytest.approx(summary["same_batch"]["pairs_per_s"] / summary["reference"]["pairs_per_s"], rel=0.02)
    assert set(summary["scaling"]["examples"]) == {"1x", "2x", "4x"}
    assert [summary["scaling"]["examples"][key]["examples"] for key in ("1x", "2x", "4x")] == [8, 16, 32]
    assert set(summary["scaling"]["lengths"]) == {"mtop", "long"}


def test_the_reference_pads_most_compute_and_our_trainer_little(summary):
    assert summary["reference"]["pad_fraction"] > 0.6  # ~15-subword rows padded to 70
    assert summary["same_batch"]["pad_fraction"] < summary["reference"]["pad_fraction"] / 2
    assert summary["reference"]["settings"]["encoder_passes_per_micro_batch"] == 3
    assert summary["same_batch"]["settings"]["batch_size"] == 2 and summary["same_batch"]["settings"]["gradient_accumulation"] == 5


@pytest.fixture(scope="module")
def tiny_assembly(tiny_encoder_path):
    import argparse

    arguments = argparse.Namespace(encoder=str(tiny_encoder_path), init="pretrained", tokenizer=None)
    pool = workloads.synthetic("mtop", 40, throughput.build(arguments, (("none",), ("O",))).tokenizer)
    return throughput.build(arguments, pool.labels()), pool


def test_reference_recipe_runs_three_fixed_length_passes_per_micro_batch(tiny_assembly):
    assembly, pool = tiny_assembly
    data = prepare(collator_for(assembly), pool)
    assert data.task_ids.shape == (40, 70) and data.source_ids.shape == data.target_ids.shape == (40, 70)
    counts = train_reference(assembly, data, steps=2, warmup_steps=1)
    assert counts.pairs == 2 * 2 * 5
    assert counts.padded_tokens == 3 * counts.pairs * 70
    assert 0 < counts.real_tokens < counts.padded_tokens


def test_reference_recipe_refuses_an_utterance_longer_than_its_fixed_padding(tiny_assembly):
    assembly, pool = tiny_assembly
    short = workloads.Workload(pool.name, pool.examples, pool.translations, pool.language, pad_length=8)
    with pytest.raises(DataError, match="pads to 8"):
        prepare(collator_for(assembly), short)


def test_synthetic_mtop_lengths_are_mostly_10_to_15_subwords_with_a_tail(tiny_assembly):
    assembly, _ = tiny_assembly
    pool = workloads.synthetic("mtop", 400, assembly.tokenizer)
    lengths = [len(ids) for ids in assembly.tokenizer([e.text for e in pool.examples], add_special_tokens=False)["input_ids"]]
    core = sum(10 <= length <= 15 for length in lengths) / len(lengths)
    assert 0.75 < core < 0.95 and max(lengths) > 20
    assert set(pool.translations) == {example.id for example in pool.examples}


def test_resized_workload_cycles_examples_with_fresh_ids(tiny_assembly):
    _, pool = tiny_assembly
    bigger = pool.resized(100)
    assert len(bigger) == 100 and len({example.id for example in bigger.examples}) == 100
    assert set(bigger.translations) == {example.id for example in bigger.examples}


def test_model_flops_count_non_embedding_parameters_and_the_attention_term(tiny_assembly):
    from benchmarks.throughput_parts import measure

    assembly, _ = tiny_assembly
    config = assembly.encoder.config
    shape = measure.ModelShape.of(assembly.encoder, config)
    embeddings = sum(p.numel() for p in assembly.encoder.embeddings.parameters() if p.ndim == 2)
    pooler = sum(p.numel() for p in assembly.encoder.pooler.parameters())
    assert shape.non_embedding_parameters == sum(p.numel() for p in assembly.encoder.parameters()) - embeddings - pooler
    # Two rows of 3 and 5 tokens: 8 tokens, E[L^2]/E[L] = (9 + 25) / 8.
    context = measure.attention_tokens_factor([3, 5])
    assert context == pytest.approx(34 / 8)
    expected = 8 * 6 * shape.non_embedding_parameters + 12 * config.num_hidden_layers * config.hidden_size * 34
    assert measure.training_flops(shape, 8, context) == pytest.approx(expected)
    result = measure.figures(2.0, 10, 8, 16, 1, measure.training_flops(shape, 8, context), 1e12, {})
    assert result.mfu == pytest.approx(expected / 2.0 / 1e12) and result.pad_fraction == 0.5


class _FakeE5:
    """Registers ``e5-small`` as a tiny encoder loaded from ``directory`` (records its requests)."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.requests = []

    @xalign.hookimpl
    def xalign_register_encoders(self, register):
        def factory(request):
            from xalign.encoders.huggingface import load_huggingface_encoder

            self.requests.append(request)
            return load_huggingface_encoder(self.directory, init=request.init)

        register("e5-small", factory)


def _random_xlmr(**overrides):
    import argparse

    return argparse.Namespace(**{"encoder": "xlmr-absent-from-this-cache", "init": "random", "tokenizer": None, **overrides})


def test_random_xlmr_takes_the_tokenizer_of_the_e5_small_found_in_the_registry(tiny_encoder_path, monkeypatch):
    from xalign.testing import fresh_registry

    plugin = _FakeE5(tiny_encoder_path)
    monkeypatch.setattr(throughput, "get_registry", lambda: fresh_registry(plugin, entry_points=False))
    assert throughput.default_tokenizer(_random_xlmr()) == str(tiny_encoder_path)
    assert [request.init for request in plugin.requests] == ["random"]
    assert throughput.default_tokenizer(_random_xlmr(tokenizer="given")) == "given"
    assert throughput.default_tokenizer(_random_xlmr(init="pretrained")) is None
    assert len(plugin.requests) == 1


def test_random_xlmr_without_e5_small_registered_says_what_to_install(monkeypatch):
    from xalign.testing import fresh_registry

    monkeypatch.setattr(throughput, "get_registry", lambda: fresh_registry(entry_points=False))
    with pytest.raises(XalignError, match="install plugins/xalign-e5"):
        throughput.default_tokenizer(_random_xlmr())
