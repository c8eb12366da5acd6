"""The built-in datasets register through the plugin hook's register(name, factory) contract."""

from __future__ import annotations

import pytest

from benchmarks.datasets import BUILTIN_DATASETS, register_builtin_datasets
from benchmarks.datasets.base import DatasetLoader, MissingDatasetError
from xalign.errors import DataError


def test_register_is_called_once_per_builtin_dataset():
    registered = {}
    register_builtin_datasets(lambda name, factory: registered.setdefault(name, factory))
    assert list(registered) == ["mtop", "mtod", "paws-x", "multiatis"]


@pytest.mark.parametrize("name", list(BUILTIN_DATASETS))
def test_every_loader_follows_the_protocol_with_english_first(name):
    loader = BUILTIN_DATASETS[name]()
    assert isinstance(loader, DatasetLoader)
    assert loader.name == name
    assert loader.task in ("joint", "pair")
    assert loader.languages[0] == "en"
    assert loader.published_at.startswith("https://")


@pytest.mark.parametrize("name", list(BUILTIN_DATASETS))
def test_missing_data_is_a_data_error_naming_the_expected_files(name, tmp_path):
    loader = BUILTIN_DATASETS[name]()
    assert loader.available_languages(tmp_path) == []
    expected = loader.expected_files(tmp_path, loader.languages[1])
    assert len(expected) == 3
    with pytest.raises(MissingDatasetError) as caught:
        loader.load_split(tmp_path, loader.languages[1], "test")
    assert isinstance(caught.value, DataError)
    assert str(expected[2]) in str(caught.value)
    assert loader.published_at in str(caught.value)


def test_loader_modules_do_not_import_torch_or_transformers():
    import ast
    from pathlib import Path

    import benchmarks.datasets

    for path in Path(benchmarks.datasets.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] in ("torch", "transformers") for name in names), path.name
