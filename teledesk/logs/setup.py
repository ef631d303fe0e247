"""`configure(part)`: how a process of the desk logs, set once when it starts.

Every part calls it first thing: each function module, the relay (its gunicorn config and its
WSGI module), the runner, the stand-in, the poller. From then on every record of the process,
the desk's and its libraries' (werkzeug, gunicorn's error log, functions-framework, httpx), is
one JSON line in Cloud Logging's structured format (`teledesk.logs.structured`):

- on Google Cloud (no `DESK_LOG_DIR`), on standard output, which Cloud Functions and Cloud Run
  read as structured entries;
- locally, `DESK_LOG_DIR` set (the runner sets it for each process it starts, beside the file
  that captures the process's raw output), in `<DESK_LOG_DIR>/<name>.log`, where the name is
  `DESK_LOG_NAME` (the runner's name for the process: `relay-2`) or the part.

The settings' secrets are kept out of every line (`teledesk.redaction`), and an uncaught
exception, in the main thread or another, is logged too (CRITICAL, with its traceback). Each part
says at INFO one line per message it handles; httpx's line per request is left out (WARNING and up).
A second call in the same process (or in a child forked from it) changes nothing.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO

from teledesk.logs.structured import DeskLogHandler
from teledesk.redaction import ADMIN_PASSWORD, BOT_TOKEN, SESSION_SECRET, WEBHOOK_SECRET, keep_secret
from teledesk.settings import Settings

LOG_DIR = "DESK_LOG_DIR"
LOG_NAME = "DESK_LOG_NAME"
# Libraries' loggers that do not pass their records on to the root logger's handlers.
NOT_PROPAGATING = ("gunicorn.error",)
# Libraries that say at INFO what the desk says already: httpx a line per Telegram call (deliver's hot path).
QUIET = ("httpx",)

log = logging.getLogger("teledesk.logs")
_configured: DeskLogHandler | None = None


def log_path(log_dir: Path, name: str) -> Path:
    """Where the process `name` writes its JSON lines locally."""
    return log_dir / f"{name}.log"


def configure(part: str, *, log_dir: Path | None = None, echo: bool = False,
              settings: Settings | None = None) -> DeskLogHandler:
    """Log as `part`, to `log_dir` (default `DESK_LOG_DIR`; none: standard output). `echo` also
    says warnings and errors plainly on standard error (the runner, whom a person watches)."""
    global _configured
    if _configured is not None:
        return _configured
    settings = settings or Settings.from_env()
    for value, name in ((settings.telegram_bot_token, BOT_TOKEN), (settings.telegram_webhook_secret, WEBHOOK_SECRET),
                        (settings.desk_admin_password, ADMIN_PASSWORD),
                        (settings.desk_session_secret, SESSION_SECRET)):
        keep_secret(value, name)
    directory = log_dir or (Path(os.environ[LOG_DIR]) if os.environ.get(LOG_DIR) else None)
    stream: IO[str] = sys.stdout
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        stream = log_path(directory, os.environ.get(LOG_NAME) or part).open("a", encoding="utf-8")
    handler = DeskLogHandler(part, settings.project_id, stream)
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in NOT_PROPAGATING:
        logging.getLogger(name).addHandler(handler)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    if echo:
        plain = logging.StreamHandler(sys.stderr)
        plain.setLevel(logging.WARNING)
        plain.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(plain)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    _configured = handler
    return handler


def _log_uncaught(kind: type[BaseException], value: BaseException, traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    log.critical("uncaught %s: %s", kind.__name__, value, exc_info=(kind, value, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    thread = args.thread.name if args.thread is not None else "a thread"
    log.critical("uncaught %s in %s: %s", args.exc_type.__name__, thread, args.exc_value,
                 exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]
