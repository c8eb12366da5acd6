"""The built-in datasets register through the plugin hook's register(name, factory) contract."""

from __future__ import annotations

import pytest

from benchmarks.datasets import BUILTIN_DATASETS, DemoLoader, register_builtin_datasets
from xalign.datasets import DatasetLoader, MissingDatasetError, find_dataset_folder
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


# The folder names the runner looked for before each loader owned its own.
PUBLISHED_FOLDERS = {
    "mtop": ("mtop", "MTOP"),
    "mtod": ("mtod", "MTOD", "multilingual_task_oriented_dialog"),
    "paws-x": ("paws-x", "pawsx", "x-final"),
    "multiatis": ("multiatis", "MultiATIS++", "multiatis++"),
}


@pytest.mark.parametrize("name", list(BUILTIN_DATASETS))
def test_each_loader_names_the_folders_its_dataset_may_sit_in(name):
    assert BUILTIN_DATASETS[name]().folder_names == PUBLISHED_FOLDERS[name]


def test_the_dataset_folder_is_the_first_of_the_loaders_names_that_exists(tmp_path):
    loader = BUILTIN_DATASETS["mtod"]()
    assert find_dataset_folder(tmp_path, loader) is None
    (tmp_path / "multilingual_task_oriented_dialog").mkdir()
    assert find_dataset_folder(tmp_path, loader) == tmp_path / "multilingual_task_oriented_dialog"
    (tmp_path / "MTOD").mkdir()
    assert find_dataset_folder(tmp_path, loader) == tmp_path / "MTOD"
    (tmp_path / "mtod").write_text("a file, not a folder", encoding="utf-8")
    assert find_dataset_folder(tmp_path, loader) == tmp_path / "MTOD"


def test_a_loader_without_folder_names_is_looked_for_under_its_name(tmp_path):
    class Plain:
        name = "plain"

    assert find_dataset_folder(tmp_path, Plain()) is None
    (tmp_path / "plain").mkdir()
    assert find_dataset_folder(tmp_path, Plain()) == tmp_path / "plain"


def test_the_demo_loader_follows_the_protocol():
    loader = DemoLoader()
    assert isinstance(loader, DatasetLoader)
    assert loader.languages[0] == "en"


def test_loader_modules_do_not_import_torch_or_transformers():
    import ast
    from pathlib import Path

    import benchmarks.datasets
    import xalign.datasets

    folders = (Path(benchmarks.datasets.__file__).parent, Path(xalign.datasets.__file__).parent)
    for path in (path for folder in folders for path in folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] in ("torch", "transformers") for name in names), path.name
