"""Config -> assembly: resolve every name through the registry, then load weights.

The whole config is validated first and every problem is reported at once, before any
weights load (a wrong aligner name should not cost a 2 GB model load to discover).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import attrs

from xalign.aligners.combined import CombinedAligner, parse_aligner_spec
from xalign.assembly import Assembly
from xalign.config import ModelConfig, XalignConfig
from xalign.encoders import EncoderRequest, LoadedEncoder, encoder_position_limit
from xalign.encoders.named import PathEncoder
from xalign.errors import ConfigError, ModelNotFoundError, PluginError, UnknownComponentError
from xalign.heads import LabelSpace
from xalign.registry import Registry, get_registry


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or Path(name).expanduser().exists()


def encoder_factory(name: str, registry: Registry):
    """A registered encoder, or any Hugging Face id / local directory given in its place."""
    known = registry.components()["encoders"]
    if name in known:
        return known[name].factory
    return PathEncoder(name)


def validate(config: XalignConfig, registry: Registry | None = None) -> None:
    """Check every component name and the head's labels; raise once with all problems."""
    registry = registry or get_registry()
    model = config.model
    problems = []
    named = [("poolers", model.pooler), ("heads", model.head), ("weightings", config.training.weighting),
             *[("loggers", name) for name in config.training.loggers]]
    try:
        named += [("aligners", name) for name, _ in parse_aligner_spec(model.aligner)]
    except ConfigError as error:
        problems.append(f"ModelConfig.aligner: {error}")
    for kind, name in named:
        if name is None:
            continue
        try:
            registry.get(kind, name)
        except (UnknownComponentError, PluginError) as error:
            section = "TrainingConfig" if kind in ("weightings", "loggers") else "ModelConfig"
            problems.append(f"{section}.{kind[:-1]}: {error}")
    encoder = model.encoder
    if encoder not in registry.components()["encoders"] and not _looks_like_path(encoder) and "/" not in encoder:
        problems.append(
            f"ModelConfig.encoder: {registry.unknown_name_message('encoders', encoder)}"
        )
    elif encoder not in registry.components()["encoders"] and encoder.startswith((".", "/", "~")) and not Path(encoder).expanduser().exists():
        # An explicit path that is not there is known to fail now; report it with the rest.
        problems.append(f"ModelConfig.encoder: {encoder!r} looks like a local path but does not exist")
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def construct_aligner(factory, hidden_size: int | None = None, labels: LabelSpace | None = None, max_length: int | None = None):
    """Call an aligner factory, passing ``hidden_size``, ``labels`` and ``max_length`` (the
    model's row length) only if its signature names them.

    Most aligners take no arguments; one that owns parameters (e.g. a slot-type classifier)
    must create them at construction, so that the optimizer and ``load_pretrained`` see them.
    """
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # builtins and some C callables have no signature
        parameters = {}
    offered = {"hidden_size": hidden_size, "labels": labels, "max_length": max_length}
    return factory(**{name: value for name, value in offered.items() if name in parameters})


def make_aligner(spec: str, registry: Registry, hidden_size: int | None = None, labels: LabelSpace | None = None, max_length: int | None = None):
    """One registered aligner, or a :class:`CombinedAligner` for ``a+b`` / ``a:w,b:w`` specs."""
    parts = parse_aligner_spec(spec)

    def construct(name: str):
        return construct_aligner(registry.get("aligners", name).factory, hidden_size, labels, max_length)

    if len(parts) == 1 and parts[0][1] == 1.0:
        return construct(parts[0][0])
    return CombinedAligner({name: construct(name) for name, _ in parts}, dict(parts))


def make_weighting(name: str, registry: Registry | None = None):
    """A fresh instance of the registered loss weighting ``name`` (``weights(losses) -> {name: float}``)."""
    return (registry or get_registry()).get("weightings", name).factory()


def load_encoder(model: ModelConfig, registry: Registry) -> LoadedEncoder:
    factory = encoder_factory(model.encoder, registry)
    request = EncoderRequest(init=model.init, tokenizer=model.tokenizer, trust_remote_code=model.trust_remote_code)
    return factory(request)


def build(config: XalignConfig | ModelConfig, registry: Registry | None = None) -> tuple[Assembly, object]:
    """Assemble the model named by ``config``; returns ``(assembly, tokenizer)``.

    The returned ``assembly.config`` is the resolved config: the pooler and text prefix
    hold the values actually used (the encoder's defaults when the config left them open).
    """
    if isinstance(config, ModelConfig):
        config = XalignConfig(model=config)
    registry = registry or get_registry()
    validate(config, registry)
    loaded = load_encoder(config.model, registry)
    check_max_length(config.model, loaded)
    return assemble(config, loaded, registry)


def check_max_length(model: ModelConfig, loaded: LoadedEncoder) -> None:
    """Refuse a ``max_length`` beyond the encoder's position limit now: the first row longer
    than the limit would otherwise stop training mid-run with a tensor-size error."""
    limit = encoder_position_limit(loaded.model)
    if limit is not None and model.max_length > limit:
        raise ConfigError(
            f"ModelConfig.max_length is {model.max_length}, but encoder {model.encoder!r} has position embeddings for "
            f"{limit} tokens at most (its config.json: max_position_embeddings); set max_length (--max-length) to {limit} or less"
        )


def assemble(config: XalignConfig, loaded: LoadedEncoder, registry: Registry | None = None) -> tuple[Assembly, object]:
    """Put an already-loaded encoder together with the pooler, head, aligner and loss weighting of ``config``."""
    registry = registry or get_registry()
    model_config = config.model
    resolved = attrs.evolve(
        model_config,
        pooler=model_config.pooler or loaded.default_pooler,
        text_prefix=loaded.text_prefix if model_config.text_prefix is None else model_config.text_prefix,
    )
    config = attrs.evolve(config, model=resolved)
    hidden_size = getattr(loaded.model.config, "hidden_size", None)
    if hidden_size is None:
        raise ModelNotFoundError(f"encoder {model_config.encoder!r} has no hidden_size in its config")
    labels = LabelSpace(resolved.intent_labels, resolved.slot_labels)
    pooler = registry.get("poolers", resolved.pooler).factory()
    head = registry.get("heads", resolved.head).factory(hidden_size, labels, resolved.dropout)
    aligner = make_aligner(resolved.aligner, registry, hidden_size, labels, resolved.max_length)
    weighting = make_weighting(config.training.weighting, registry)
    if resolved.freeze_word_embeddings:
        # The 250k-row table dominates the parameter count of multilingual encoders and
        # its gradient is most of the optimizer's work on CPU; freezing it keeps the method.
        loaded.model.get_input_embeddings().weight.requires_grad_(False)
    if len(loaded.tokenizer) > loaded.model.get_input_embeddings().num_embeddings:
        raise ConfigError(
            f"tokenizer has {len(loaded.tokenizer)} tokens but the encoder's embedding table has "
            f"{loaded.model.get_input_embeddings().num_embeddings} rows; use the encoder's own tokenizer"
        )
    assembly = Assembly(loaded.model, pooler, head, aligner, loaded.tokenizer, config, resolved.text_prefix or "", weighting=weighting)
    return assembly, loaded.tokenizer
