"""No secret in what the desk says: the process's secrets, and their removal from texts and log records.

A secret (the bot token, the webhook secret, the admin password, the session secret) is named
once to `keep_secret`: by `teledesk.logs.configure` for those in the settings, by
`teledesk.telegram.bot.shared_bot` for each token it is made with, by the stand-in for the token
it serves. From then on `redact(text)` replaces it, as it is, URL-encoded (a token in a file's
URL) or JSON-escaped (inside a JSON log line), with `<its name>`; error texts the desk builds
from a library's words go through it, and so does every log record of the process: the first
secret installs `Redaction`, a logging filter, in the log-record factory, so each record is
clean before any handler (the desk's JSON one, pytest's, gunicorn's own) sees it.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import quote

BOT_TOKEN = "bot-token"
WEBHOOK_SECRET = "webhook-secret"
ADMIN_PASSWORD = "password"
SESSION_SECRET = "session-secret"

_lock = threading.Lock()
# Each way a secret may be written → what stands in its place, longest first. Replaced whole (one
# assignment) when a secret is added, never changed in place, so a reader never sees it half made.
_forms: tuple[tuple[str, str], ...] = ()
_installed = False


def keep_secret(value: str, name: str) -> None:
    """From now on, `value` is replaced by `<name>` in every text `redact` sees and every log record."""
    if not value:
        return
    global _installed, _forms
    shown = f"<{name}>"
    forms = {value, quote(value), quote(value, safe=""), json.dumps(value, ensure_ascii=False)[1:-1],
             json.dumps(value)[1:-1]}
    with _lock:
        # longest first, so a secret that contains another is replaced whole
        merged = {**dict(_forms), **dict.fromkeys(forms, shown)}
        _forms = tuple(sorted(merged.items(), key=lambda item: -len(item[0])))
        if not _installed:
            _installed = True
            _install(Redaction())


def redact(text: str) -> str:
    """`text` without any secret this process knows."""
    for form, shown in _forms:  # the table as it is now: a secret added meanwhile makes a new one
        if form in text:
            text = text.replace(form, shown)
    return text


class Redaction(logging.Filter):
    """Makes a record's message (with its arguments), exception and stack texts free of secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record stays for logging to report as it would
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _install(redaction: Redaction) -> None:
    """Every record of the process goes through `redaction` as it is made, whoever logs it (httpx
    logs each request URL, with the token in it, at INFO)."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redaction.filter(record)
        return record

    logging.setLogRecordFactory(factory)
