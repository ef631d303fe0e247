"""What of the pipeline's traffic a conversation's staff topic shows, as one item each.

From `messages-enriched`: a customer's new message (CLIENT) and the business account owner's
(OWNER). From `deliveries`: an answer from the console once Telegram took it (not one written in
the topic: it is there already; but Telegram's refusal of one is). From `conversation-changes`: a
private note written in the console, and a change of status or assignee or what the lifecycle did
(the topic is renamed to show the status, as on a customer's message, which may reopen it).
Edits, reactions, the bot's own answers and typing are left out.

An item's id is what it mirrors (the message's, the note's, the change's id): the record that it
was sent once (teledesk.store.staff).
"""

from __future__ import annotations

from dataclasses import dataclass

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.changes import ASSIGNED, LIFECYCLE, NOTE
from teledesk.lifecycle.timers import Action
from teledesk.model import AgentRef, Conversation, ConversationStatus, DeliveryState
from teledesk.staff import STAFF_TOPIC, lines
from teledesk.telegram.updates import Event

STAFF_BY = "staff:"  # `by` of what a staff member did in a topic: "staff:<their Telegram name>"
MIRRORED_CHANGES = frozenset({*ConversationStatus, Action.RESOLVE_IDLE, Action.BREACH_SLA, ASSIGNED})


@dataclass(frozen=True)
class MirrorItem:
    id: str
    chat_id: int
    text: str
    renames: bool = False  # a change or a customer's message: the topic is renamed to show the status
    reply_to: int | None = None  # the staff message it answers (a command that went wrong)


def mirror_item(envelope: Envelope) -> MirrorItem | None:
    """The item `envelope` is mirrored as, or None."""
    extra = envelope.extra
    if envelope.type == MessageType.CONVERSATION:
        return _change(envelope)
    if envelope.type in (MessageType.CLIENT, MessageType.OWNER):
        if extra.get("event", Event.MESSAGE) != Event.MESSAGE or not extra.get("conversation"):
            return None
        if envelope.type == MessageType.OWNER:
            text = lines.owner_line(extra.get("owner"), envelope.text, envelope.media)
        else:
            text = lines.customer_line(envelope.customer, envelope.text, envelope.media)
        return MirrorItem(envelope.id, envelope.chat_id, text, renames=True)  # a customer may have reopened it
    delivery = extra.get("delivery") or {}
    if envelope.type != MessageType.AGENT or extra.get("action"):
        return None
    from_topic = extra.get("source") == STAFF_TOPIC
    if delivery.get("state") == DeliveryState.SENT and not from_topic:
        return MirrorItem(envelope.id, envelope.chat_id, lines.answer_line(extra.get("agent"), envelope.text,
                                                                           envelope.media))
    if delivery.get("state") == DeliveryState.FAILED and from_topic:  # the console shows it; the topic must too
        return MirrorItem(f"failed-{envelope.id}-{int(delivery.get('retry') or 0)}", envelope.chat_id,
                          lines.not_delivered_line(str(delivery.get("reason") or "")))
    return None


def _change(envelope: Envelope) -> MirrorItem | None:
    change, by = str(envelope.extra.get("change") or ""), str(envelope.extra.get("by") or "")
    if by.startswith(STAFF_BY) and change == NOTE:
        return None  # written in the topic: it is there already
    if change == NOTE and envelope.extra.get("note"):
        note = envelope.extra["note"]
        agent = AgentRef.model_validate(note.get("agent") or {})
        return MirrorItem(str(note.get("id")), envelope.chat_id, lines.note_line(agent, str(note.get("text") or "")))
    if change not in MIRRORED_CHANGES or not envelope.extra.get("conversation"):
        return None
    conversation = Conversation.model_validate(envelope.extra["conversation"])
    return MirrorItem(envelope.id, envelope.chat_id, lines.change_line(change, conversation, _who(by)), renames=True)


def _who(by: str) -> str:
    """ "agent:ana" → "@ana"; "staff:Ana García" → "Ana García"; the lifecycle → "the desk"."""
    if by == LIFECYCLE:
        return "the desk"
    kind, _, name = by.partition(":")
    return f"@{name}" if kind == "agent" else name or by
