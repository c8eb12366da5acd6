"""xalign: zero-shot cross-lingual transfer by aligning translations (XeroAlign).

Public API::

    import xalign
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder="e5-small", aligner="mse", ...))
    assembly, tokenizer = xalign.build(config)
    result = xalign.train(assembly, english_examples, translations, output_dir="runs/demo")
    scores = xalign.evaluate(assembly, german_test_examples)
    assembly = xalign.load("runs/demo/model")

Every public name is imported here, so the runtime and type checkers see the same list
(``__all__``). Importing xalign loads torch and transformers, but no plugin: plugins load on
the first ``get_registry()``.
"""

from __future__ import annotations

from xalign.hookspecs import hookimpl  # first: plugins import it while xalign is still loading

from xalign.assembly import Assembly
from xalign.builder import assemble, build
from xalign.config import ModelConfig, TrainingConfig, XalignConfig
from xalign.data.examples import ClassificationExample, PairExample, SlotFillingExample, Translation
from xalign.encoders import EncoderRequest, LoadedEncoder
from xalign.encoders.huggingface import load_huggingface_encoder
from xalign.errors import ConfigError, DataError, ModelNotFoundError, TrainingError, UnknownComponentError, XalignError
from xalign.heads import LabelSpace
from xalign.export import export_sentence_transformers
from xalign.inference import Prediction, embed, evaluate, evaluate_raw_text, predict
from xalign.layers import config_with_overrides
from xalign.model_card import TrainingSummary, write_model_card
from xalign.persistence import load_pretrained, save_pretrained
from xalign.presets import PRESETS
from xalign.registry import get_registry
from xalign.spans import SlotSpan, span_f1
from xalign.training.loop import TrainResult, train

__version__ = "0.1.0"

load = load_pretrained  # the short name: ``xalign.load("runs/demo/model")``

__all__ = [
    "Assembly",
    "ClassificationExample",
    "ConfigError",
    "DataError",
    "EncoderRequest",
    "LabelSpace",
    "LoadedEncoder",
    "ModelConfig",
    "ModelNotFoundError",
    "PairExample",
    "PRESETS",
    "Prediction",
    "SlotSpan",
    "SlotFillingExample",
    "TrainResult",
    "TrainingConfig",
    "TrainingError",
    "TrainingSummary",
    "Translation",
    "UnknownComponentError",
    "XalignConfig",
    "XalignError",
    "assemble",
    "build",
    "config_with_overrides",
    "embed",
    "evaluate",
    "evaluate_raw_text",
    "export_sentence_transformers",
    "get_registry",
    "hookimpl",
    "load",
    "load_huggingface_encoder",
    "load_pretrained",
    "predict",
    "save_pretrained",
    "span_f1",
    "train",
    "write_model_card",
]
