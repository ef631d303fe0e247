"""No secret in any log line of a test run: the secrets the run's desks are given, and the scanner.

Every test desk is given recognisable secrets (`marked_secrets`, `LEAK_MARK` in each), so a
search for them is exact: a line that holds one, as written or URL-encoded (a token in a file's
URL), is a leak. tests/conftest.py reads, once the run is over, every log the run's desks wrote
under pytest's temporary directories (each part's `<name>.log`, and `<name>.out`, what it printed)
and every log record made in the test process, and fails naming the file and the line.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from devtools.runner.desk import STANDIN_TOKEN

LEAK_MARK = "LEAKCHECK"
LOG_SUFFIXES = (".log", ".out")

# name → value of every secret a desk of this run was given (the stand-in's token is every local desk's)
watched: dict[str, str] = {"the stand-in's bot token": STANDIN_TOKEN}


def watch(**secrets: str) -> None:
    """Look for these secrets (by name) in every log of the run."""
    watched.update({name: value for name, value in secrets.items() if value})


def marked_secrets(desk: str) -> dict[str, str]:
    """A test desk's secrets, as `Settings` fields: recognisable, and watched in every log of the run."""
    secrets = {"telegram_webhook_secret": f"{LEAK_MARK}-{desk}-webhook-secret-" + "x" * 20,
               "desk_admin_password": f"{LEAK_MARK}-{desk}-admin-password",
               "desk_session_secret": f"{LEAK_MARK}-{desk}-session-secret-" + "s" * 40}
    watch(**{f"{desk} desk's {name}": value for name, value in secrets.items()})
    return secrets


def secrets_in(text: str, secrets: dict[str, str]) -> list[str]:
    """The names of the secrets `text` holds, as written or URL-encoded."""
    return [name for name, value in secrets.items() if value in text or quote(value, safe="") in text]


def leaks_in_lines(source: str, lines: Iterable[str], secrets: dict[str, str]) -> Iterator[str]:
    """`<source>:<line number>: <secret's name>` for each line holding a secret."""
    for number, line in enumerate(lines, 1):
        for name in secrets_in(line, secrets):
            yield f"{source}:{number}: {name}"


def log_files(root: Path) -> Iterator[Path]:
    return (path for path in sorted(root.rglob("*")) if path.suffix in LOG_SUFFIXES and path.is_file())


def leaks_in_files(root: Path, secrets: dict[str, str]) -> list[str]:
    found: list[str] = []
    for path in log_files(root):
        with path.open(encoding="utf-8", errors="replace") as lines:
            found += leaks_in_lines(str(path), lines, secrets)
    return found


class RecordWatch(logging.Handler):
    """Every log record of the test process, as it is made (after the desk's redaction): those
    holding a secret, by logger and source line."""

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__(logging.NOTSET)
        self.secrets = secrets
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = "\n".join((record.getMessage(), record.exc_text or "", record.stack_info or ""))
        self.found += [f"log record of {record.name} ({record.pathname}:{record.lineno}): {name}"
                       for name in secrets_in(text, self.secrets)]
