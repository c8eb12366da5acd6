"""The project's built-in demo: a synthetic multilingual task-oriented dataset in MTOP's format.

``write_demo_dataset(directory, seed=0)`` writes English, German, Spanish, French, Hindi
and Thai intent/slot data (train, eval, test) plus machine-translation-style translations
of the English training data for alignment; ``python -m benchmarks.demo DIR`` does the
same from the command line. See ``generate.py`` for how examples are drawn.
"""

from benchmarks.demo.generate import write_demo_dataset
from benchmarks.demo.manifest import DemoManifest

__all__ = ["DemoManifest", "write_demo_dataset"]
