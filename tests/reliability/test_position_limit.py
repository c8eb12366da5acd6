"""``max_length`` beyond the encoder's position embeddings is refused before training.

Before the fix it was accepted, and the first row longer than the limit stopped training
mid-run with a tensor-size error from the embeddings.
"""

from __future__ import annotations

import pytest
import torch
from transformers import BertConfig, BertModel, CamembertConfig, CamembertModel, XLMRobertaConfig, XLMRobertaModel

import xalign
from xalign.builder import encoder_position_limit
from xalign.errors import ConfigError
from xalign.testing import tiny_encoder, tiny_tokenizer

from .conftest import runner_arguments
from .tiny_runs import toy_config, toy_registry, train_toy

TINY_POSITIONS = 128  # xalign.testing.tiny_encoder's max_position_embeddings


def test_max_length_beyond_the_encoders_positions_is_a_config_error_naming_both(tmp_path):
    registry = toy_registry()
    with pytest.raises(ConfigError, match=rf"max_length is {TINY_POSITIONS + 1}.*{TINY_POSITIONS} tokens at most"):
        xalign.build(toy_config(max_length=TINY_POSITIONS + 1), registry=registry)
    train_toy(tmp_path / "run", registry, toy_config(max_length=TINY_POSITIONS, epochs=1, checkpoint_every=None))  # at the limit: fine


@pytest.mark.parametrize("positions", [12, 34])
def test_the_limit_is_where_the_embeddings_end_for_bert_and_roberta_style_encoders(positions):
    shape = {"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8,
             "max_position_embeddings": positions, "pad_token_id": 1}
    bert = BertModel(BertConfig(**shape))
    roberta = XLMRobertaModel(XLMRobertaConfig(**shape))
    assert encoder_position_limit(bert) == positions
    assert encoder_position_limit(roberta) == positions - 2  # positions start after the padding index
    for encoder in (bert, roberta):
        encoder.eval()
        limit = encoder_position_limit(encoder)
        encoder(input_ids=torch.full((1, limit), 5))  # a row as long as the limit runs
        with pytest.raises((IndexError, RuntimeError)):  # one token more does not
            encoder(input_ids=torch.full((1, limit + 1), 5))
    assert encoder_position_limit(tiny_encoder(["a"]).model) == TINY_POSITIONS


def test_the_runner_refuses_a_max_length_beyond_the_limit_before_training(call_runner, demo_data_dir, demo_encoder_dir, tmp_path):
    output = tmp_path / "out"
    arguments = runner_arguments(demo_data_dir, demo_encoder_dir, output)
    arguments[arguments.index("--max-length") + 1] = "1000"
    code, err = call_runner(arguments)
    assert code == 2
    assert f"max_length is 1000, but encoder {str(demo_encoder_dir)!r} has position embeddings for {TINY_POSITIONS} tokens at most" in err
    assert "Traceback" not in err
    assert not list((output / "models").glob("*/checkpoints/step-*"))  # nothing trained


@pytest.mark.parametrize("model_class, config_class", [(BertModel, BertConfig), (XLMRobertaModel, XLMRobertaConfig), (CamembertModel, CamembertConfig)])
def test_full_length_inference_reads_up_to_the_same_limit_that_training_is_checked_against(model_class, config_class):
    """``max_length="full"`` had a limit of its own, found by ``"roberta"`` in the model type:
    CamemBERT (RoBERTa-style positions, another name) got one position too many and a long row
    crashed evaluation with an index error; XLM-R with padding index 0 lost a position."""
    from xalign.builder import assemble
    from xalign.data.examples import ClassificationExample
    from xalign.encoders import LoadedEncoder
    from xalign.inference import position_limit

    tokenizer = tiny_tokenizer(["play", "jazz"])  # its padding index is 0
    encoder = model_class(config_class(vocab_size=len(tokenizer), hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                       intermediate_size=8, max_position_embeddings=20, pad_token_id=tokenizer.pad_token_id))
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder="tiny", head="sequence-classification", intent_labels=("a", "b"), max_length=8))
    assembly, _ = assemble(config, LoadedEncoder(model=encoder, tokenizer=tokenizer))
    assert position_limit(assembly) == encoder_position_limit(encoder)
    long_row = ClassificationExample(id="1", text=" ".join(["play"] * 40), label="a")
    assert set(xalign.evaluate(assembly, [long_row], max_length="full")) == {"accuracy"}
