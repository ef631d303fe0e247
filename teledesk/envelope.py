"""The message envelope: one versioned JSON document carried through every topic.

Each step adds what it knows and never removes what it received; each stamps its time in
`trace`, so a hop's latency can be read from the message itself. The routing facts (`type`,
`chat_id`, `schema`) are copied into Pub/Sub attributes so subscriptions can filter on them.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from teledesk.open_data import JSONObject

SCHEMA_VERSION = 1


class MessageType(StrEnum):
    UPDATE = "UPDATE"  # a Telegram update ingest accepted, not yet classified
    CLIENT = "CLIENT"
    AGENT = "AGENT"
    BOT = "BOT"
    COMMAND = "COMMAND"
    CALLBACK = "CALLBACK"
    MEMBER = "MEMBER"
    UNSUPPORTED = "UNSUPPORTED"
    OWNER = "OWNER"  # what a Telegram Business account's owner typed in the Telegram app
    STAFF = "STAFF"  # a message in the staff forum (DESK_STAFF_CHAT_ID): an answer, a note or a command
    CONNECTION = "CONNECTION"  # a business account connected, changed or disconnected the bot
    CONVERSATION = "CONVERSATION"  # no message: a conversation's change (an opening, what the lifecycle did)


class EnvelopeError(ValueError):
    """A message that cannot be read as an envelope: it is dead-lettered, not retried forever."""


@dataclass
class Envelope:
    id: str
    type: str
    chat_id: int
    date: int
    text: str = ""
    media: JSONObject | None = None
    customer: JSONObject = field(default_factory=dict)
    trace: dict[str, float] = field(default_factory=dict)
    schema: int = SCHEMA_VERSION
    # What later steps add; absent keys are simply not known yet.
    extra: JSONObject = field(default_factory=dict)

    def stamp(self, step: str) -> Envelope:
        """Record when `step` handled this message, in epoch milliseconds."""
        self.trace[step] = round(time.time() * 1000, 3)
        return self

    def attributes(self) -> dict[str, str]:
        return {"type": str(self.type), "chat_id": str(self.chat_id), "schema": str(self.schema)}

    def to_dict(self) -> JSONObject:
        data = asdict(self)
        extra = data.pop("extra")
        return {**extra, **data}

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_dict(cls, data: JSONObject) -> Envelope:
        try:
            known = {name: data[name] for name in cls.__dataclass_fields__ if name != "extra" and name in data}
            extra = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
            envelope = cls(**known, extra=extra)
            envelope.chat_id = int(envelope.chat_id)
        except (KeyError, TypeError, ValueError) as exc:
            raise EnvelopeError(f"not an envelope: {exc}") from exc
        if envelope.schema != SCHEMA_VERSION:
            raise EnvelopeError(f"unknown envelope schema {envelope.schema!r}")
        return envelope

    @classmethod
    def from_json(cls, raw: bytes | str) -> Envelope:
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("an envelope is a JSON object")
        return cls.from_dict(data)
