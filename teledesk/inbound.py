"""How a customer-side event changes the stored conversation and message: pure rules, no I/O.

`Inbound.record` (teledesk/store/inbound.py) reads the conversation and the message an event is about, asks `fold`
what to write, and writes it in one atomic commit that fails if either changed since the read.
Every rule is idempotent: folding the same event twice changes nothing the second time.

A Telegram Business chat (teledesk/business.py) keeps which chat it is (`Conversation.business`) and
when the customer last wrote (`customer_wrote_at`, from which Telegram's 24-hour reply window runs).
What the account's owner typed in the Telegram app (OWNER) is the company's side of the chat:
stored as an outgoing message, it answers the customer as an agent's answer does (the first
response, the SLA met, the chat read). Messages Telegram says were deleted are marked deleted,
their text kept for the agents (`deleted`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_fields
from teledesk.lifecycle.rating import Rating, rate
from teledesk.model import (
    AgentRef,
    BusinessChat,
    Conversation,
    ConversationStatus,
    Customer,
    Direction,
    Message,
    Preview,
    Revision,
)
from teledesk.open_data import Fields, JSONObject
from teledesk.telegram.updates import Event

PREVIEW_LENGTH = 120
REOPEN = "reopen"
NEW_CONVERSATION = "new"
RESOLVED_POLICIES = (REOPEN, NEW_CONVERSATION)
STORED_WITHOUT = ("update",)  # the raw update stays in Pub/Sub's retention, not in the store
RATING = "rating"  # a satisfaction press whose signature enrich checked: Rating's fields


def preview(message: Message) -> Preview:
    """The chat list's line for a conversation; an answer names its agent ("You:" in their console)."""
    agent = message.agent if message.agent is not None and message.agent.to_firestore() else None
    return Preview(
        text=message.text[:PREVIEW_LENGTH], type=message.type, date=message.date,
        media_kind=message.media.kind if message.media else None, direction=message.direction,
        agent=AgentRef(username=agent.username, name=agent.name) if agent is not None else None,
    )


def new_conversation(chat_id: int, customer: JSONObject, now: float) -> Conversation:
    return Conversation(chat_id=chat_id, customer=Customer.model_validate(customer), created_at=now,
                        updated_at=now).complete()


@dataclass
class Folded:
    conversation: Conversation
    message: Message | None  # the message as it is to be stored (None: nothing to store)
    changed: bool


def stored_form(envelope: Envelope, conversation_number: int, now: float) -> Message:
    # Left out before to_dict() copies the envelope: the whole Update is most of what it would copy.
    kept = replace(envelope, extra={k: v for k, v in envelope.extra.items() if k not in STORED_WITHOUT})
    direction = Direction.OUT if envelope.type == MessageType.OWNER else Direction.IN
    return Message.model_validate({**kept.to_dict(), "direction": direction, "stored_at": now,
                                   "conversation_number": conversation_number})


def next_conversation(conversation: Conversation, now: float) -> Fields:
    """The changes that start the next conversation with the same customer: the "new" resolved
    policy on a customer's message, or an agent's explicit start; one rule for both."""
    return {"number": conversation.number + 1, "status": ConversationStatus.OPEN, "assignee": None,
            "created_at": now, "first_response_at": None, "resolved_at": None, "context": {}}


def _reopen(conversation: Conversation, policy: str, now: float, opened_by: str, sla_s: float | None) -> None:
    """A customer writing: a pending conversation (waiting for them) is open again; a resolved one
    reopens, or the next conversation starts, by the resolved policy. A resolved conversation, or
    one not yet opened (new, or begun by a command), opens: the lifecycle watches it from now and
    its first-response SLA starts."""
    if conversation.status == ConversationStatus.PENDING:
        conversation.assign(status=ConversationStatus.OPEN, pending_since=None)
        return
    resolved = conversation.status == ConversationStatus.RESOLVED
    if resolved and policy == NEW_CONVERSATION:
        conversation.assign(**next_conversation(conversation, now))
    if resolved or conversation.opened_at is None:
        conversation.assign(status=ConversationStatus.OPEN, **opening_fields(now, opened_by, sla_s))


def fold(conversation: Conversation | None, target: Message | None, envelope: Envelope,
         policy: str = REOPEN, now: float | None = None, sla_s: float | None = None) -> Folded:
    """What `envelope` does to the conversation and to `target` (the message it is about); a
    customer's opening starts an SLA of `sla_s` (None: none)."""
    now = time.time() if now is None else now
    conversation = (conversation.model_copy(deep=True) if conversation
                    else new_conversation(envelope.chat_id, envelope.customer, now))
    if envelope.customer:
        conversation.customer = Customer.model_validate({**conversation.customer.to_firestore(), **envelope.customer})
    _note_business_chat(conversation, envelope)
    event = envelope.extra.get("event", Event.MESSAGE)
    if event == Event.EDIT:
        return _fold_edit(conversation, target, envelope, now)
    if event == Event.REACTION:
        return _fold_reaction(conversation, target, envelope)
    if target is not None:
        return Folded(conversation, target, False)
    if event == Event.MEMBER:
        conversation.blocked = bool(envelope.extra.get("member", {}).get("blocked"))
    command = envelope.extra.get("command") or {}
    if command.get("name") == "start" and command.get("payload"):
        conversation.context = {**conversation.context, "start": command["payload"]}
    if envelope.type == MessageType.CLIENT:
        _reopen(conversation, policy, now, envelope.id, sla_s)
    if event == Event.CALLBACK and envelope.extra.get(RATING):
        csat = rate(conversation, Rating(**envelope.extra[RATING]), str(envelope.extra["callback"]["id"]), now)
        if csat is not None:
            conversation.assign(csat=csat, updated_at=now)
    message = stored_form(envelope, conversation.number, now)
    if envelope.type == MessageType.CLIENT:
        conversation.assign(unread=conversation.unread + 1, last_message=preview(message), updated_at=now)
    if envelope.type == MessageType.OWNER:
        conversation.assign(unread=0, sla_due_at=None, last_message=preview(message), updated_at=now)
        if conversation.first_response_at is None:
            conversation.first_response_at = now
    return Folded(conversation, message, True)


def _note_business_chat(conversation: Conversation, envelope: Envelope) -> None:
    """Which business chat the conversation is, and when the customer last wrote (a late
    redelivery of an older message never moves it back)."""
    business = envelope.extra.get("business")
    if not isinstance(business, dict):
        return
    chat = conversation.business or BusinessChat(connection_id=business["connection_id"], chat_id=business["chat_id"])
    if envelope.type != MessageType.OWNER and envelope.extra.get("event", Event.MESSAGE) == Event.MESSAGE:
        chat.customer_wrote_at = max(chat.customer_wrote_at or 0, float(envelope.date))
    conversation.business = chat.complete()


def deleted(messages: list[Message], now: float) -> list[Message]:
    """Messages Telegram deleted, marked deleted with their text kept; each one once (a repeat of
    the deletion changes nothing). `revision` grows, so the consoles are shown the change."""
    return [message.model_copy(deep=True).assign(deleted=True, deleted_at=now, revision=(message.revision or 0) + 1)
            for message in messages if not message.deleted]


def _fold_edit(conversation: Conversation, target: Message | None, envelope: Envelope, now: float) -> Folded:
    revision = int(envelope.extra.get("revision") or 0)
    if target is None:  # an edit of a message the desk never saw: keep it as it is now
        message = stored_form(envelope, conversation.number, now)
        return Folded(conversation, message.assign(edited=True, edit_history=[]), True)
    if (target.revision or 0) >= revision:
        return Folded(conversation, target, False)
    before = Revision(text=target.text, media=target.media, date=target.revision or target.date)
    message = target.model_copy(deep=True).assign(
        text=envelope.text, media=envelope.media,
        entities=envelope.extra.get("entities", []), edited=True, revision=revision,
        edit_history=[*(target.edit_history or []), before])
    if conversation.last_message is not None and conversation.last_message.date == target.date:
        conversation.last_message = preview(message)
    return Folded(conversation, message, True)


def _fold_reaction(conversation: Conversation, target: Message | None, envelope: Envelope) -> Folded:
    """The customer's reactions as of this update; an older update (Telegram's retry, republished
    after newer ones) changes nothing. Update ids only grow, and reaction dates are whole seconds."""
    emojis = envelope.extra.get("reaction", {}).get("emojis", [])
    update_id = int((envelope.extra.get("update") or {}).get("update_id") or 0)
    if target is None or (update_id and update_id <= (target.reaction_update_id or 0)):
        return Folded(conversation, target, False)
    if (target.reactions or {}).get("customer") == emojis:
        return Folded(conversation, target, False)
    message = target.model_copy(deep=True).assign(
        reactions={**(target.reactions or {}), "customer": emojis}, reaction_update_id=update_id,
        revision=(target.revision or 0) + 1)
    return Folded(conversation, message, True)
