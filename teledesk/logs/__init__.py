"""The desk's logs: JSON lines in Cloud Logging's structured format that follow one message.

`configure(part)` (`teledesk.logs.setup`) once per process; `traced_envelope(envelope)`
(`teledesk.logs.context`) around the handling of a message, so every line says which update it
belongs to; `python -m teledesk.logs trace <trace id>` prints one message's path through every
part from the local logs (`teledesk.logs.reading`).
"""

from teledesk.logs.context import (
    TRACE_ID,
    describe,
    trace_id_for,
    trace_id_of,
    traced,
    traced_envelope,
    update_trace_id,
    with_trace_id,
)
from teledesk.logs.setup import configure

__all__ = ["TRACE_ID", "configure", "describe", "trace_id_for", "trace_id_of", "traced", "traced_envelope",
           "update_trace_id", "with_trace_id"]
