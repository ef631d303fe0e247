"""A conversation's change, announced on the manifest's changes topic (`conversation-changes`):
what the lifecycle did (an SLA breach, an auto-resolve) and an agent's change of status.

The consoles show the conversation's new state; autoreply answers what a change calls for (the
closing message of an auto-resolve, the satisfaction question on every resolve); the metrics
count breaches. The envelope's id is the change and its time; what acts on a change keys what it
does by the opening instead (the question's id, the metrics' count), so a change announced twice
(a retried publish, an agent resolving twice) is answered and counted once.
"""

from __future__ import annotations

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_envelope
from teledesk.model import Conversation, ConversationStatus, Message

LIFECYCLE = "lifecycle"  # `by` of what the lifecycle did; an agent's change is by `agent:<username>`
# Changes besides a status or what the lifecycle did (the staff forum's, teledesk.staff): a private
# note written (`extra["note"]`, the stored note), an answer queued, an assignee set.
NOTE = "note"
ANSWERED = "answered"
ASSIGNED = "assigned"
# What an agent may set a conversation's status to, by the name the console's buttons
# (POST …/resolve) and the staff forum's commands (/resolve) give it.
STATUS_ACTIONS = {"resolve": ConversationStatus.RESOLVED, "reopen": ConversationStatus.OPEN,
                  "pending": ConversationStatus.PENDING}


def change_envelope(conversation: Conversation, change: str, by: str) -> Envelope:
    """`change`: a `teledesk.lifecycle.timers.Action`, or the status an agent set."""
    changed_ms = round(conversation.updated_at * 1000)
    return Envelope(id=f"change-{conversation.chat_id}-{change}-{changed_ms}",
                    type=MessageType.CONVERSATION, chat_id=conversation.chat_id, date=int(conversation.updated_at),
                    extra={"change": change, "by": by, "conversation": conversation.wire()})


def announcements(conversation: Conversation, change: str, by: str, *, announces: str | None,
                  trigger_topics: tuple[str, ...], pending_resolve_s: float) -> list[tuple[str, Envelope]]:
    """What a part that changed a conversation publishes, as (topic, envelope): the change on
    `announces`, and the conversation's opening on the workflows' `trigger_topics` while no
    execution of the lifecycle watches it (a resolved conversation needs none)."""
    published: list[tuple[str, Envelope]] = []
    unwatched = conversation.opened_at is not None and conversation.watch_run is None
    if unwatched and conversation.status != ConversationStatus.RESOLVED:
        published += [(topic, opening_envelope(conversation, pending_resolve_s)) for topic in trigger_topics]
    if announces:
        published.append((announces, change_envelope(conversation, change, by)))
    return published


def changed_by_agent(envelope: Envelope) -> bool:
    return str(envelope.extra.get("by") or "").startswith("agent:")


def note_envelope(note: Message, by: str) -> Envelope:
    """A private note, announced so the staff forum mirrors it (and the consoles show one written there)."""
    chat_id = int(note.chat_id or 0)
    return Envelope(id=f"change-{chat_id}-{NOTE}-{note.id}", type=MessageType.CONVERSATION, chat_id=chat_id,
                    date=note.date, extra={"change": NOTE, "by": by, "note": note.wire()})
