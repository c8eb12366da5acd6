"""The dataset contract: what a dataset loader is, what it returns, and where its files are found.

A loader turns one dataset's files into :mod:`xalign.data.examples` records. Loaders
live outside the core (the benchmarks' own, plugins such as ``xalign-textclass``) and
register through the ``xalign_register_datasets`` hook; this package is what they and
the runner that calls them agree on:

- :mod:`~xalign.datasets.loader`: the :class:`DatasetLoader` protocol, split names, argument checks;
- :mod:`~xalign.datasets.records`: :class:`LoadedSplit`, :class:`Skip`, :class:`TranslationSet`;
- :mod:`~xalign.datasets.files`: :class:`PublishedFiles`, :func:`find_dataset_folder`,
  :class:`MissingDatasetError`;
- :mod:`~xalign.datasets.languages`: :func:`normalize_language`.

It knows nothing of any file format, of any particular dataset, of tokenizers or of tensors.
"""

from xalign.datasets.files import MissingDatasetError, PublishedFiles, find_dataset_folder, first_existing, folder_names
from xalign.datasets.languages import KNOWN_LANGUAGES, UnknownLanguageError, normalize_language
from xalign.datasets.loader import ON_MISMATCH, SPLITS, DatasetLoader, check_on_mismatch, check_split
from xalign.datasets.records import LoadedSplit, Skip, TranslationSet

__all__ = [
    "KNOWN_LANGUAGES",
    "ON_MISMATCH",
    "SPLITS",
    "DatasetLoader",
    "LoadedSplit",
    "MissingDatasetError",
    "PublishedFiles",
    "Skip",
    "TranslationSet",
    "UnknownLanguageError",
    "check_on_mismatch",
    "check_split",
    "find_dataset_folder",
    "first_existing",
    "folder_names",
    "normalize_language",
]
