"""The fuzz tests' seed and figures, printed at the end of every run that fuzzed."""

from __future__ import annotations

import pytest
from fuzz_profile import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES.counts:
        terminalreporter.section("fuzzing")
        for line in FIGURES.lines():
            terminalreporter.write_line(line)
