"""Openings: a conversation opens (a customer writes first, writes again after a resolve, starts the
next conversation; an agent reopens, starts or answers a resolved one) and its lifecycle starts.

Every opening is watched by one execution of the lifecycle workflow, which the opening's
envelope starts (on the manifest's trigger topic). A customer's opening starts the
first-response SLA too; an agent's does not, since the agent is the one acting.
"""

from __future__ import annotations

from teledesk.envelope import Envelope, MessageType
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


def opening_envelope(conversation: Conversation) -> Envelope:
    """What starts the workflow's watch of the conversation's current opening."""
    if conversation.opened_at is None:
        raise ValueError(f"conversation {conversation.chat_id} has no opening")
    return Envelope(id=f"opening-{conversation.chat_id}-{opening_key(conversation.opened_at)}",
                    type=MessageType.CONVERSATION, chat_id=conversation.chat_id, date=int(conversation.opened_at),
                    extra={"opened_at": conversation.opened_at, "opened_by": conversation.opened_by})
