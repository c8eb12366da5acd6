"""Registers the ``textclass`` dataset with xalign (entry point ``textclass`` in group ``xalign``).

Then ``python -m benchmarks.run --dataset textclass --data-dir DIR`` runs it unchanged.
"""

from __future__ import annotations

import xalign

from xalign_textclass.loader import TextClassLoader


@xalign.hookimpl
def xalign_register_datasets(register):
    register("textclass", TextClassLoader)
