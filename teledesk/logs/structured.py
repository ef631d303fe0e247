"""One log record as one JSON line in Cloud Logging's structured format.

google-cloud-logging's `StructuredLogHandler` writes the format: `message` (with the exception's
traceback in it, as Error Reporting reads it), `severity`, `logging.googleapis.com/labels`,
`logging.googleapis.com/trace`, `logging.googleapis.com/sourceLocation`, and on a Flask request
its `httpRequest` (and, when no message is being traced, the trace Google's front end sent in
`X-Cloud-Trace-Context` or `traceparent`). `DeskLogHandler` adds to it:

- the trace and labels of the message being handled (`teledesk.logs.context`), and the part;
- `time` (RFC 3339), which the library leaves out (Cloud Run and Cloud Functions stamp the time
  they read the line) and the local logs need, to put the parts' lines in order;
- the secrets out of the whole line, fields the library adds included (the stand-in's request
  URLs hold the bot token);
- a `message` on every line (the library leaves it out when it is empty, or when the message
  is a JSON object, whose fields it writes instead);
- no diagnostic entry: the library writes one, without a message, the first time it logs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import IO

from google.cloud.logging_v2.handlers.structured_log import StructuredLogHandler

from teledesk.logs.context import current
from teledesk.redaction import redact


def rfc3339(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class TraceContext(logging.Filter):
    """Gives a record the trace and labels of the message being handled, if any."""

    def __init__(self, project_id: str):
        super().__init__()
        self.project_id = project_id

    def filter(self, record: logging.LogRecord) -> bool:
        traced = current()
        if traced is not None:
            record.trace = f"projects/{self.project_id}/traces/{traced.trace_id}"
            record.labels = {**traced.labels, **getattr(record, "labels", {})}
        return True


class DeskLogHandler(StructuredLogHandler):
    """JSON lines on `stream`, labelled with `part` (a pipeline step, the relay, the runner...)."""

    def __init__(self, part: str, project_id: str, stream: IO[str]):
        super().__init__(labels={"part": part}, stream=stream, project_id=project_id)  # type: ignore[no-untyped-call]
        self.filters.insert(0, TraceContext(project_id))  # before the library's filter reads the record

    def format(self, record: logging.LogRecord) -> str:
        line: str = super().format(record)  # type: ignore[no-untyped-call]  # `{"message": ..., ...}`
        message = "" if '"message": ' in line else '"message": "", '  # an empty one, or JSON without one
        return redact(f'{{"time": "{rfc3339(record.created)}", {message}{line[1:]}')

    def emit_instrumentation_info(self) -> None:
        """The library's once-per-process diagnostic entry: not written."""
