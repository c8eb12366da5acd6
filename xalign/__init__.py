"""xalign: zero-shot cross-lingual transfer by aligning translations (XeroAlign).

Public API::

    import xalign
    config = xalign.XalignConfig(model=xalign.ModelConfig(encoder="e5-small", aligner="mse", ...))
    assembly, tokenizer = xalign.build(config)
    result = xalign.train(assembly, english_examples, translations, output_dir="runs/demo")
    scores = xalign.evaluate(assembly, german_test_examples)
    assembly = xalign.load("runs/demo/model")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xalign.hookspecs import hookimpl

__version__ = "0.1.0"

_LAZY = {
    "XalignConfig": "xalign.config",
    "ModelConfig": "xalign.config",
    "TrainingConfig": "xalign.config",
    "build": "xalign.builder",
    "assemble": "xalign.builder",
    "Assembly": "xalign.assembly",
    "train": "xalign.training.loop",
    "TrainResult": "xalign.training.loop",
    "evaluate": "xalign.inference",
    "predict": "xalign.inference",
    "Prediction": "xalign.inference",
    "save_pretrained": "xalign.persistence",
    "load_pretrained": "xalign.persistence",
    "get_registry": "xalign.registry",
    "LabelSpace": "xalign.heads",
    "ClassificationExample": "xalign.data.examples",
    "PairExample": "xalign.data.examples",
    "SlotFillingExample": "xalign.data.examples",
    "Translation": "xalign.data.examples",
    "EncoderRequest": "xalign.encoders",
    "LoadedEncoder": "xalign.encoders",
    "load_huggingface_encoder": "xalign.encoders.huggingface",
    "XalignError": "xalign.errors",
    "ConfigError": "xalign.errors",
    "DataError": "xalign.errors",
    "ModelNotFoundError": "xalign.errors",
    "UnknownComponentError": "xalign.errors",
    "TrainingError": "xalign.errors",
}


def __getattr__(name: str) -> Any:
    # Importing torch and transformers takes seconds; `import xalign` should not.
    if name == "load":
        name = "load_pretrained"
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'xalign' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*_LAZY, "load", "hookimpl", "__version__"])


if TYPE_CHECKING:  # pragma: no cover
    from xalign.assembly import Assembly
    from xalign.builder import assemble, build
    from xalign.config import ModelConfig, TrainingConfig, XalignConfig
    from xalign.inference import Prediction, evaluate, predict
    from xalign.persistence import load_pretrained, save_pretrained
    from xalign.training.loop import TrainResult, train

__all__ = [*_LAZY, "load", "hookimpl"]
