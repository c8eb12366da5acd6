"""Generic sentence classification for xalign's benchmarks runner, as a plugin.

:class:`TextClassLoader` reads ``<data_dir>/<lang>/{train,dev,test}.tsv`` (``text<TAB>label``)
and translations of the English training file; registered as the dataset ``textclass``.
"""

from xalign_textclass.loader import TextClassLoader

__all__ = ["TextClassLoader"]
