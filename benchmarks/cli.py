"""What every ``python -m benchmarks.<tool>`` entry point shares: exit codes, error lines, progress lines.

One style for all of them: results on stdout, progress and errors on stderr; a
:class:`~xalign.errors.XalignError` (bad input, bad settings, a missing model) is one
``error: ...`` line and exit code 2, never a traceback; SIGINT is exit code 130 (and
SIGTERM during training 143), as shells report them. Knows nothing of what the tools do.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Callable, Sequence

from xalign.errors import XalignError

EXIT_ERROR = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT


def run_main(
    parser: argparse.ArgumentParser,
    body: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None = None,
    *,
    on_stop: str = "",
    logger: logging.Logger | None = None,
) -> int:
    """Parse ``argv`` with ``parser``, run ``body(arguments)`` and return its exit code.

    - :class:`~xalign.errors.XalignError`: ``error: <message>`` on stderr, exit 2.
    - :class:`~xalign.training.loop.TrainingInterrupted` (SIGINT or SIGTERM stopped
      training after writing a checkpoint): ``stopped: <message>``, exit 128 + the signal.
    - ``KeyboardInterrupt`` anywhere else: ``stopped by SIGINT``, exit 130.

    ``on_stop`` is printed on its own line after either ``stopped`` line (say how to
    resume); ``logger``, when given, also records the error or the stop (a run's log file).
    Warnings are logged to stderr unless ``body`` sets up logging of its own.
    """
    from xalign.training.loop import TrainingInterrupted

    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return body(arguments)
    except TrainingInterrupted as error:
        return _stopped(f"stopped: {error}", 128 + (error.signal_number or signal.SIGINT), on_stop, logger)
    except KeyboardInterrupt:
        return _stopped("stopped by SIGINT", EXIT_INTERRUPTED, on_stop, logger)
    except XalignError as error:
        if logger is not None:
            logger.error("%s", error)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR


def _stopped(message: str, code: int, on_stop: str, logger: logging.Logger | None) -> int:
    if logger is not None:
        logger.error("%s", message)
    print(message + (f"\n{on_stop}" if on_stop else ""), file=sys.stderr)
    return code


def say(message: str) -> None:
    """A progress line on stderr, so that stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)
