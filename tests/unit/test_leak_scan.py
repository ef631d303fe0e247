"""tests/leaks.py: the scanner behind the run-wide check that no log line holds a secret (tests/conftest.py)."""

from __future__ import annotations

import logging
from pathlib import Path

from leaks import RecordWatch, leaks_in_files

# Not a secret any desk of the run is given: the run-wide check itself must not find these.
SECRETS = {"bot token": "987654321:scanner-test-token", "webhook secret": "scanner-test-webhook-secret"}


def test_a_log_line_holding_a_secret_is_named_by_file_and_line(tmp_path: Path):
    logs = tmp_path / "desk-logs" / ".teledesk" / "logs"
    logs.mkdir(parents=True)
    (logs / "relay.log").write_text('{"message": "relay ready"}\n{"message": "GET /bot987654321:scanner-test-token/'
                                    'getMe"}\n')
    (logs / "ingest.out").write_text("a line\nanother\nsecret=scanner-test-webhook-secret\n")
    (logs / "deliver.log").write_text('{"message": "https://x/bot987654321%3Ascanner-test-token/sendMessage"}\n')
    (logs / "notes.txt").write_text("scanner-test-webhook-secret\n")  # not a log
    assert leaks_in_files(tmp_path, SECRETS) == [
        f"{logs / 'deliver.log'}:1: bot token",  # URL-encoded too
        f"{logs / 'ingest.out'}:3: webhook secret",
        f"{logs / 'relay.log'}:2: bot token",
    ]


def test_clean_logs_pass(tmp_path: Path):
    (tmp_path / "relay.log").write_text('{"message": "GET /bot<bot-token>/getMe"}\n')
    assert leaks_in_files(tmp_path, SECRETS) == []


def test_a_log_record_holding_a_secret_is_named_by_where_it_was_logged():
    watch = RecordWatch(SECRETS)
    logger = logging.getLogger("teledesk.test-leaks")
    logger.addHandler(watch)
    logger.propagate = False  # the run-wide watch must not see this one
    try:
        logger.warning("clean")
        logger.warning("the hook said %s", "scanner-test-webhook-secret")
    finally:
        logger.removeHandler(watch)
    assert len(watch.found) == 1
    assert watch.found[0].startswith("log record of teledesk.test-leaks (") and "test_leak_scan.py:" in watch.found[0]
    assert watch.found[0].endswith(": webhook secret")
