"""The measurement script's variant parsing: bracketed arguments become registrable aligner names."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "measure.py"


@pytest.fixture(scope="module")
def measure():
    spec = importlib.util.spec_from_file_location("tokenalign_measure", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bracketed_arguments_become_a_derived_name_that_torch_accepts_as_a_module_name(measure):
    spec, registrations = measure.expand_brackets("mse:3,slot-projection[start=0.25,layer=-1,normalisation=softmax]:2")
    derived = "slot-projection-start-0_25-layer--1-normalisation-softmax"
    assert spec == f"mse:3,{derived}:2"
    assert registrations == {derived: ("slot-projection", {"start": 0.25, "layer": -1, "normalisation": "softmax"})}
    assert "." not in derived


def test_a_variant_without_a_name_is_refused(measure):
    assert measure.parse_variant("zero-shot=") == ("zero-shot", "")
    with pytest.raises(SystemExit, match="NAME=ALIGNER_SPEC"):
        measure.parse_variant("mse")
