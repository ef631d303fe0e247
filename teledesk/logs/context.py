"""Which message a log line is about: one trace id per Telegram update, the same in every part.

Ingest derives the trace id from the update (`update_trace_id`) and puts it in the envelope
(`extra["trace_id"]`), which every step passes on. A part handling an envelope logs inside
`traced_envelope(envelope)`: every line it writes meanwhile carries the trace id and the chat and
message ids as labels (`teledesk.logs.structured`). What starts a path of its own (an agent's
answer, an edit, a typing action) gets a trace id from its own id, which derives from the
console's idempotency key (`with_trace_id`); the bot's answer carries the trace id of the
message it answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from teledesk.envelope import Envelope

TRACE_ID = "trace_id"  # the envelope's field


@dataclass(frozen=True)
class Traced:
    trace_id: str  # 32 hex digits, as Cloud Trace's ids
    labels: dict[str, str] = field(default_factory=dict)


_current: ContextVar[Traced | None] = ContextVar("teledesk_trace", default=None)


def trace_id_for(key: str) -> str:
    """A trace id (32 hex digits) that `key` always gives."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def update_trace_id(update_id: int) -> str:
    """The trace id of a Telegram update: the same for Telegram's retries of it."""
    return trace_id_for(f"telegram-update:{update_id}")


def trace_id_of(envelope: Envelope) -> str:
    """The envelope's trace id; one made before trace ids existed gets one from its id."""
    return str(envelope.extra.get(TRACE_ID) or trace_id_for(envelope.id))


def with_trace_id(envelope: Envelope) -> Envelope:
    """`envelope`, carrying its trace id from now on (its own, from its id, if it had none)."""
    envelope.extra[TRACE_ID] = trace_id_of(envelope)
    return envelope


def current() -> Traced | None:
    """The trace this code runs in, if any."""
    return _current.get()


@contextmanager
def traced(trace_id: str, **labels: object) -> Iterator[None]:
    """Every log line written inside carries `trace_id` and `labels` (those that are not None)."""
    token = _current.set(Traced(trace_id, {k: str(v) for k, v in labels.items() if v is not None}))
    try:
        yield
    finally:
        _current.reset(token)


def traced_envelope(envelope: Envelope) -> AbstractContextManager[None]:
    """`traced` with the envelope's trace id, chat id and message id."""
    return traced(trace_id_of(envelope), chat_id=envelope.chat_id, message_id=envelope.id)


def describe(envelope: Envelope) -> str:
    """How a log line names a message: `CLIENT 123/tg-123-5`, with a delivery's state when it has one."""
    delivery = envelope.extra.get("delivery")
    state = f" ({delivery.get('state')})" if isinstance(delivery, dict) and delivery.get("state") else ""
    return f"{envelope.type} {envelope.chat_id}/{envelope.id}{state}"
