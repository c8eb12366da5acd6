"""What every ``python -m benchmarks.<tool>`` entry point shares: logging, exit codes, progress lines."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Callable

from xalign.errors import XalignError


def run_main(parser: argparse.ArgumentParser, body: Callable[[argparse.Namespace], int], argv: list[str] | None) -> int:
    """Parse ``argv`` and run ``body``; an XalignError becomes one ``error:`` line and exit code 2."""
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return body(arguments)
    except XalignError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def say(message: str) -> None:
    """A progress line on stderr, so that stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)
