"""How a customer-side event changes the stored conversation and message: pure rules, no I/O.

`Store.record_inbound` reads the conversation and the message an event is about, asks `fold`
what to write, and writes it in one atomic commit that fails if either changed since the read.
Every rule is idempotent: folding the same event twice changes nothing the second time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from teledesk.envelope import Envelope, MessageType
from teledesk.telegram.updates import Event

PREVIEW_LENGTH = 120
REOPEN = "reopen"
NEW_CONVERSATION = "new"
RESOLVED_POLICIES = (REOPEN, NEW_CONVERSATION)
STORED_WITHOUT = ("update",)  # the raw update stays in Pub/Sub's retention, not in the store


def preview(message: dict[str, Any]) -> dict[str, Any]:
    """The chat list's line for a conversation; an answer names its agent ("You:" in their console)."""
    media = message.get("media") or {}
    agent = message.get("agent") or {}
    return {
        "text": (message.get("text") or "")[:PREVIEW_LENGTH],
        "type": message["type"],
        "date": message["date"],
        "media_kind": media.get("kind"),
        "direction": message["direction"],
        "agent": {"username": agent.get("username"), "name": agent.get("name")} if agent else None,
    }


def new_conversation(chat_id: int, customer: dict[str, Any], now: float) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "number": 1,  # which conversation with this customer: a "new" policy starts the next
        "customer": customer,
        "status": "open",
        "assignee": None,
        "priority": "normal",
        "unread": 0,
        "last_message": None,
        "context": {},
        "created_at": now,
        "updated_at": now,
        "first_response_at": None,
        "sla_due": None,
        "blocked": False,
    }


@dataclass
class Folded:
    conversation: dict[str, Any]
    message: dict[str, Any] | None  # the message as it is to be stored (None: nothing to store)
    changed: bool


def stored_form(envelope: Envelope, conversation_number: int, now: float) -> dict[str, Any]:
    # Left out before to_dict() copies the envelope: the whole Update is most of what it would copy.
    kept = replace(envelope, extra={k: v for k, v in envelope.extra.items() if k not in STORED_WITHOUT})
    message = {k: v for k, v in kept.to_dict().items() if k not in STORED_WITHOUT}
    return {**message, "direction": "in", "stored_at": now, "conversation_number": conversation_number}


def next_conversation(conversation: dict[str, Any], now: float) -> dict[str, Any]:
    """The changes that start the next conversation with the same customer: the "new" resolved
    policy on a customer's message, or an agent's explicit start; one rule for both."""
    return {"number": conversation.get("number", 1) + 1, "status": "open", "assignee": None, "created_at": now,
            "first_response_at": None, "context": {}, "sla_due": None}


def _reopen(conversation: dict[str, Any], policy: str, now: float) -> None:
    """A customer writing again: a pending conversation (waiting for them) is open again; a resolved
    one reopens, or the next conversation starts, by the resolved policy."""
    if conversation["status"] == "pending":
        conversation["status"] = "open"
        return
    if conversation["status"] != "resolved":
        return
    if policy == NEW_CONVERSATION:
        conversation.update(next_conversation(conversation, now))
    conversation["status"] = "open"


def fold(conversation: dict[str, Any] | None, target: dict[str, Any] | None, envelope: Envelope,
         policy: str = REOPEN, now: float | None = None) -> Folded:
    """What `envelope` does to the conversation and to `target` (the message it is about)."""
    now = time.time() if now is None else now
    conversation = dict(conversation) if conversation else new_conversation(envelope.chat_id, envelope.customer, now)
    if envelope.customer:
        conversation["customer"] = {**conversation.get("customer", {}), **envelope.customer}
    event = envelope.extra.get("event", Event.MESSAGE)
    if event == Event.EDIT:
        return _fold_edit(conversation, target, envelope, now)
    if event == Event.REACTION:
        return _fold_reaction(conversation, target, envelope)
    if target is not None:
        return Folded(conversation, target, False)
    if event == Event.MEMBER:
        conversation["blocked"] = bool(envelope.extra.get("member", {}).get("blocked"))
    command = envelope.extra.get("command") or {}
    if command.get("name") == "start" and command.get("payload"):
        conversation["context"] = {**conversation.get("context", {}), "start": command["payload"]}
    if envelope.type == MessageType.CLIENT:
        _reopen(conversation, policy, now)
    message = stored_form(envelope, conversation.get("number", 1), now)
    if envelope.type == MessageType.CLIENT:
        conversation["unread"] = conversation.get("unread", 0) + 1
        conversation["last_message"] = preview(message)
        conversation["updated_at"] = now
    return Folded(conversation, message, True)


def _fold_edit(conversation: dict[str, Any], target: dict[str, Any] | None, envelope: Envelope,
               now: float) -> Folded:
    revision = int(envelope.extra.get("revision") or 0)
    if target is None:  # an edit of a message the desk never saw: keep it as it is now
        message = stored_form(envelope, conversation.get("number", 1), now)
        message.update(edited=True, edit_history=[])
        return Folded(conversation, message, True)
    if int(target.get("revision") or 0) >= revision:
        return Folded(conversation, target, False)
    history = [*target.get("edit_history", []), {"text": target.get("text", ""), "media": target.get("media"),
                                                  "date": target.get("revision") or target.get("date")}]
    message = {**target, "text": envelope.text, "media": envelope.media,
               "entities": envelope.extra.get("entities", []), "edited": True, "revision": revision,
               "edit_history": history}
    if (conversation.get("last_message") or {}).get("date") == target.get("date"):
        conversation["last_message"] = preview(message)
    return Folded(conversation, message, True)


def _fold_reaction(conversation: dict[str, Any], target: dict[str, Any] | None, envelope: Envelope) -> Folded:
    """The customer's reactions as of this update; an older update (Telegram's retry, republished
    after newer ones) changes nothing. Update ids only grow, and reaction dates are whole seconds."""
    emojis = envelope.extra.get("reaction", {}).get("emojis", [])
    update_id = int((envelope.extra.get("update") or {}).get("update_id") or 0)
    if target is None or (update_id and update_id <= int(target.get("reaction_update_id") or 0)):
        return Folded(conversation, target, False)
    if (target.get("reactions") or {}).get("customer") == emojis:
        return Folded(conversation, target, False)
    message = {**target, "reactions": {**(target.get("reactions") or {}), "customer": emojis},
               "reaction_update_id": update_id, "revision": int(target.get("revision") or 0) + 1}
    return Folded(conversation, message, True)
