"""The fuzz figures reach the terminal from whichever process ran the tests: each test's report
carries what it counted (pytest-xdist sends reports to the process that prints); every worker
fuzzes with the seed the run prints."""

from __future__ import annotations

import os

import pytest
from fuzz_profile import FIGURES, SEED

FIGURES_PROPERTY = "fuzz figures"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TELEDESK_FUZZ_SEED", str(SEED))  # before the workers start: they read it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report: pytest.TestReport = yield
    if call.when == "teardown":
        report.user_properties.append((FIGURES_PROPERTY, FIGURES.take()))
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # a worker's figures are added up where the run prints
    for name, taken in report.user_properties:
        if name == FIGURES_PROPERTY:
            FIGURES.add(taken)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES.counts:
        terminalreporter.section("fuzzing")
        for line in FIGURES.lines():
            terminalreporter.write_line(line)
