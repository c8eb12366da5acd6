"""The plugin contract: one hook per component kind.

Every hook receives a ``register(name, factory)`` callable and calls it once per
component it provides. The core's own components register through these same hooks
(see :mod:`xalign.builtin`), loaded from the same ``xalign`` entry-point group as any
third-party plugin. This file is a contract: arguments may be added, never renamed or
removed.
"""

from __future__ import annotations

import pluggy

PROJECT_NAME = "xalign"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def xalign_register_encoders(register):
    """Register encoders: ``register(name, factory)``.

    ``factory(request: xalign.encoders.EncoderRequest) -> xalign.encoders.LoadedEncoder``;
    ``request.init`` is ``"pretrained"`` (load weights) or ``"random"`` (same architecture,
    random weights); new request fields may be added, so read only those you need.
    """


@hookspec
def xalign_register_poolers(register):
    """Register poolers: ``register(name, factory)``.

    ``factory() -> nn.Module`` whose ``forward(token_states [batch, seq, hidden],
    attention_mask [batch, seq], pooler_output [batch, hidden] | None)`` returns the
    sentence embedding ``[batch, hidden]``.
    """


@hookspec
def xalign_register_aligners(register):
    """Register alignment losses: ``register(name, factory)``.

    ``factory() -> nn.Module`` whose ``forward(source [batch, dim], target [batch, dim])``
    returns a scalar loss that is small when each source row matches its target row.
    A factory whose signature names ``hidden_size`` (int) and/or ``labels``
    (:class:`xalign.LabelSpace`) receives them as keywords, so an aligner that owns
    parameters can create them at construction. An aligner class with
    ``needs_context = True`` is also given ``context=AlignmentContext(...)``
    (:mod:`xalign.training.objective`: token states, the batch, the row indices, the head).
    """


@hookspec
def xalign_register_heads(register):
    """Register task heads: ``register(name, factory)``.

    ``factory(hidden_size: int, labels: xalign.heads.LabelSpace, dropout: float) -> nn.Module``
    with ``forward(token_states, sentence_embedding) -> dict[str, Tensor]`` (logits) and
    ``loss(logits, batch) -> dict[str, Tensor]`` (named task losses, summed by the trainer).
    """


@hookspec
def xalign_register_datasets(register):
    """Register datasets: ``register(name, factory)``.

    ``factory() -> object`` following :class:`xalign.datasets.DatasetLoader`: its
    ``load_split`` returns a :class:`xalign.datasets.LoadedSplit` of
    :mod:`xalign.data.examples` records, its ``load_translations`` a
    :class:`xalign.datasets.TranslationSet`.
    """


@hookspec
def xalign_register_weightings(register):
    """Register loss-weighting schemes: ``register(name, factory)``.

    ``factory() -> object`` with ``weights(losses: dict[str, Tensor]) -> dict[str, float]``.
    """


@hookspec
def xalign_register_loggers(register):
    """Register training loggers (trackers, callbacks): ``register(name, factory)``.

    ``factory(request: xalign.training.tracking.LoggerRequest) -> logger``, called once per
    run on the main process only, when ``TrainingConfig.loggers`` names it; ``request`` has
    ``output_dir`` (the run directory or None), ``config`` (the whole
    :class:`xalign.XalignConfig`) and ``resumed_step`` (0, or the step a resumed run starts
    after: drop what was logged after it). The logger has ``on_step(record: dict)``, called
    after every optimizer step, ``on_eval(record: dict)``, after every evaluation, and
    ``close()``, at the end of the run (also when it fails). Records are JSON-ready dicts,
    the lines of ``steps.jsonl`` (:mod:`xalign.training.tracking`): a step record has
    ``step``, ``epoch``, ``loss``, ``losses``, ``lr``, ``real_tokens``, ``tokens_per_second``;
    an evaluation record has ``step``, ``epoch``, ``scores`` (``{set: {metric: value}}``) and,
    with selection, ``metric``, ``score``, ``best``. A logger that raises is reported and
    dropped; training goes on.
    """
