"""Openings: a conversation opens (a customer writes first, writes again after a resolve, starts the
next conversation; an agent reopens, starts or answers a resolved one) and its lifecycle starts.

Every opening is watched by one execution of the lifecycle workflow, which the opening's
envelope starts (on the manifest's trigger topic). A customer's opening starts the
first-response SLA too; an agent's does not, since the agent is the one acting.
"""

from __future__ import annotations

import math
import time

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.timers import wake_at, watched
from teledesk.model import Conversation, Priority
from teledesk.open_data import Fields


def opening_key(opened_at: float) -> int:
    """An opening as an integer (milliseconds): in ids and in the satisfaction buttons."""
    return round(opened_at * 1000)


def opening_fields(now: float, opened_by: str, sla_s: float | None) -> Fields:
    """The fields that start an opening now: a new watch, the SLA due in `sla_s` (None: no SLA),
    the priority back to normal. What the last watch did and could not yet publish
    (`unannounced`) is kept: the new watch's first look publishes it."""
    return {"opened_at": now, "opened_by": opened_by, "sla_due_at": now + sla_s if sla_s is not None else None,
            "sla_breached": False, "priority": Priority.NORMAL, "pending_since": None, "watch_run": None}


def opening_envelope(conversation: Conversation, pending_resolve_s: float, now: float | None = None) -> Envelope:
    """What starts the workflow's watch of the conversation's current opening. `wait_s`: how long
    the watch sleeps before its first look, when the first thing can come due (the SLA, or the
    earliest a pending silence can end). Nothing can be due at the opening itself, and a look then
    would be a transaction on the conversation just as its messages are being written."""
    if conversation.opened_at is None:
        raise ValueError(f"conversation {conversation.chat_id} has no opening")
    now = time.time() if now is None else now
    first_look = wake_at(watched(conversation), conversation.opened_at, now, pending_resolve_s)
    wait_s = max(1, math.ceil(first_look - now)) if first_look is not None else 1
    return Envelope(id=f"opening-{conversation.chat_id}-{opening_key(conversation.opened_at)}",
                    type=MessageType.CONVERSATION, chat_id=conversation.chat_id, date=int(conversation.opened_at),
                    extra={"opened_at": conversation.opened_at, "opened_by": conversation.opened_by, "wait_s": wait_s})
