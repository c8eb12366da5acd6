"""Every ``python -m benchmarks.<tool>`` ends the same way: exit codes and the lines on stderr."""

from __future__ import annotations

import argparse
import logging
import signal

import pytest

from benchmarks.cli import EXIT_ERROR, EXIT_INTERRUPTED, run_main
from xalign.errors import DataError
from xalign.training.loop import TrainingInterrupted


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.example")
    p.add_argument("--value", type=int, default=0)
    return p


def test_the_body_gets_the_parsed_arguments_and_its_code_is_returned(capsys):
    assert run_main(parser(), lambda arguments: arguments.value, ["--value", "7"]) == 7
    assert capsys.readouterr().err == ""


def test_an_xalign_error_is_one_error_line_and_exit_code_2(capsys):
    def body(arguments):
        raise DataError("expected 8 tab-separated columns, found 5", "train.txt", 3)

    assert run_main(parser(), body, []) == EXIT_ERROR == 2
    assert capsys.readouterr().err == "error: train.txt:3: expected 8 tab-separated columns, found 5\n"


def test_ctrl_c_outside_training_is_exit_code_130_with_the_resume_hint(capsys):
    def body(arguments):
        raise KeyboardInterrupt

    assert run_main(parser(), body, [], on_stop="repeat the command with --resume") == EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "stopped by SIGINT\nrepeat the command with --resume\n"


def test_a_signal_during_training_exits_with_128_plus_its_number(capsys):
    def body(arguments):
        raise TrainingInterrupted("SIGTERM after step 12; checkpoint written", signal.SIGTERM)

    assert run_main(parser(), body, []) == 128 + signal.SIGTERM
    assert capsys.readouterr().err == "stopped: SIGTERM after step 12; checkpoint written\n"


def test_the_error_is_also_recorded_in_the_given_logger(caplog, capsys):
    def body(arguments):
        raise DataError("no examples")

    with caplog.at_level(logging.ERROR, logger="benchmarks.example"):
        assert run_main(parser(), body, [], logger=logging.getLogger("benchmarks.example")) == 2
    assert [record.getMessage() for record in caplog.records] == ["no examples"]


def test_other_exceptions_are_not_swallowed():
    def body(arguments):
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        run_main(parser(), body, [])


def test_bad_flags_are_argparse_usage_errors_with_exit_code_2(capsys):
    with pytest.raises(SystemExit) as caught:
        run_main(parser(), lambda arguments: 0, ["--value", "seven"])
    assert caught.value.code == 2
    assert "invalid int value" in capsys.readouterr().err
