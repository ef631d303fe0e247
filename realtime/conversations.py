"""Conversations and their messages: listing, answering, the agents' actions, private notes, retries.

Under /api (create_app nests this family in the API's root); every route is declared once
(realtime/apispec.py, realtime/schemas.py), and every refusal is an `ApiError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Blueprint, Response, jsonify

from realtime.answers import (
    NO_SUCH_CONVERSATION,
    agent_extra,
    answer_extra,
    publish_answer,
    queue_answer,
    queued,
    refuse_in_business_chat,
)
from realtime.apispec import CHAT, MESSAGE, answers, declare
from realtime.auth import login_required
from realtime.errors import ApiError
from realtime.lifecycle import agent_opening, announce
from realtime.outbound import mark_read_in_telegram
from realtime.relay import current_relay
from realtime.schemas import (
    Assign,
    ConversationAnswer,
    ConversationsAnswer,
    MessageAnswer,
    MessagesAnswer,
    MessagesQuery,
    NewNote,
    Reply,
)
from realtime.views import conversation_view, message_view
from teledesk.business import is_business_key
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.changes import ASSIGNED, STATUS_ACTIONS, note_envelope
from teledesk.model import Agent, Conversation, ConversationStatus, Message

conversations = Blueprint("conversations", __name__)
log = logging.getLogger("teledesk.relay.conversations")


@conversations.get("/conversations")
@login_required
@declare(answers(200, ConversationsAnswer, 401))
def list_conversations(agent: Agent) -> Response:
    """Conversations, most recent activity first"""
    return jsonify(conversations=[conversation_view(c) for c in current_relay().store.conversations.latest()])


@conversations.get(f"{CHAT}/messages")
@login_required
@declare(answers(200, MessagesAnswer, 401, 404))  # 404: a chat id that is not a 64-bit integer
def messages(agent: Agent, chat_id: int, query: MessagesQuery) -> Response:
    """A conversation's messages, oldest first: the newest page, or the page older than `before`"""
    found = current_relay().store.messages.history(chat_id, limit=query.limit, before=query.before)
    return jsonify(messages=[message_view(m) for m in found])


@conversations.post(f"{CHAT}/messages")
@login_required
@declare(answers(202, MessageAnswer, 401, 404, 409, description="queued for delivery"))
def reply(agent: Agent, chat_id: int, json: Reply) -> tuple[Response, int]:
    """Answer the customer; client_id makes it idempotent

    A text longer than Telegram takes in one message goes out as several. `reply_to` (a stored
    message id) quotes that message. An answer to a resolved conversation opens it again. In a
    Telegram Business chat, 409 with the reason when Telegram would refuse it (the connection
    disabled, no `can_reply`, the customer's last message over 24 hours old).
    """
    extra = answer_extra(agent, chat_id, json.client_id, json.reply_to)
    envelope = Envelope(
        id=f"agent-{json.client_id}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
        text=json.text, extra=extra,
    ).stamp("relay")
    return jsonify(message=message_view(queue_answer(envelope, agent))), 202


def _changed(conversation: Conversation | None) -> Response:
    """Show every console a conversation's new state, and answer it (404 when there was none)."""
    if conversation is None:
        raise ApiError(404, NO_SUCH_CONVERSATION)
    current_relay().broadcaster.conversation(conversation)
    return jsonify(conversation=conversation_view(conversation))


@conversations.post(f"{CHAT}/assign")
@login_required
@declare(answers(200, ConversationAnswer, 401, 404))
def assign(agent: Agent, chat_id: int, json: Assign) -> Response:
    """Assign to an active agent (default: me)

    Assigning whom the conversation has already is a no-op: nothing is written nor announced.
    """
    username = json.username or agent.username
    store = current_relay().store
    assignee = store.agents.get(username)
    if assignee is None or assignee.disabled:
        raise ApiError(400, f"username: no active agent {username!r}")
    current = store.conversations.get(chat_id)
    if current is not None and current.assignee == username:
        return _changed(current)
    conversation = store.conversations.update(chat_id, assignee=username)
    answer = _changed(conversation)
    if conversation is not None:
        announce(conversation, agent, ASSIGNED)
    return answer


STATUS_SUMMARIES = {"resolve": "Mark resolved", "reopen": "Open again",
                    "pending": "Mark pending (waiting for the customer)"}


def _status_route(status: str, summary: str) -> Callable[..., Response]:
    def set_status(agent: Agent, chat_id: int) -> Response:
        conversation = current_relay().store.conversations.set_status(chat_id, ConversationStatus(status),
                                                                      agent_opening(agent))
        answer = _changed(conversation)
        if conversation is not None:
            announce(conversation, agent)
        return answer

    set_status.__doc__ = summary
    return login_required(declare(answers(200, ConversationAnswer, 401, 404))(set_status))


for _name, _status in STATUS_ACTIONS.items():
    conversations.add_url_rule(f"{CHAT}/{_name}", endpoint=_name,
                               view_func=_status_route(_status, STATUS_SUMMARIES[_name]),
                               methods=["POST"])


@conversations.post(f"{CHAT}/start")
@login_required
@declare(answers(200, ConversationAnswer, 401, 404, 409))
def start(agent: Agent, chat_id: int) -> Response:
    """Start a new conversation with this customer, from a resolved one

    The next `number`, open, assigned to me, unread 0, context cleared; 409 unless the conversation
    is resolved, so a repeat starts nothing.
    """
    started, conversation = current_relay().store.conversations.start_next(chat_id, agent.username)
    if conversation is not None and not started:
        raise ApiError(409, "only a resolved conversation makes way for a new one")
    answer = _changed(conversation)
    if conversation is not None:
        announce(conversation, agent)
    return answer


@conversations.post(f"{CHAT}/read")
@login_required
@declare(answers(200, ConversationAnswer, 401, 404))
def read(agent: Agent, chat_id: int) -> Response:
    """Mark read (unread back to 0)

    A Telegram Business chat with unread messages is marked read in the account's Telegram too,
    while its reply window is open, when its connection grants `can_read_messages`.
    """
    store = current_relay().store
    before = store.conversations.get(chat_id) if is_business_key(chat_id) else None
    answer = _changed(store.conversations.mark_read(chat_id))
    if before is not None:
        mark_read_in_telegram(before, agent)
    return answer


@conversations.post(f"{CHAT}/notes")
@login_required
@declare(answers(202, MessageAnswer, 401, 404, description="stored"))
def note(agent: Agent, chat_id: int, json: NewNote) -> tuple[Response, int]:
    """A private note for the other agents: stored and shown, never sent to Telegram

    Stored and emitted as a `message` (direction note); never published, so nothing can send it to
    Telegram. Once per client_id, like an answer.
    """
    envelope = Envelope(
        id=f"note-{json.client_id}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
        text=json.text, extra={"client_id": json.client_id, "agent": agent_extra(agent)},
    ).stamp("relay")
    relay = current_relay()
    try:
        stored, _created = relay.store.messages.add_note(chat_id, envelope)
    except KeyError:
        raise ApiError(404, NO_SUCH_CONVERSATION) from None
    relay.broadcaster.message(stored)  # a repeat emits again only if the first emit failed
    _announce_note(stored, agent)
    return jsonify(message=message_view(stored)), 202


def _announce_note(stored: Message, agent: Agent) -> None:
    """For the staff forum, which mirrors notes into the conversation's topic. The note is stored
    and shown already: a publish that fails is logged, and a repeat of the request publishes it."""
    relay = current_relay()
    if not relay.manifest.relay_announces:
        return
    try:
        relay.publisher.publish(relay.manifest.relay_announces, note_envelope(stored, f"agent:{agent.username}"))
    except Exception:
        log.exception("relay: note %s stored but not announced", stored.id)


@conversations.post(f"{MESSAGE}/retry")
@login_required
@declare(answers(202, MessageAnswer, 401, 404, 409, description="queued again"))
def retry(agent: Agent, chat_id: int, message_id: str) -> tuple[Response, int]:
    """Send an answer again: a failed one (back to queued), or a queued one never handed to deliver

    Published as it was stored. A failed answer whose cause is `maybe_sent` may have reached the
    customer: the agent who retries it chose to send it again. If the publish fails, the answer
    stays queued in the outbox and the relay's sweeper hands it over (realtime/outbox.py).
    """
    relay = current_relay()
    refuse_in_business_chat(chat_id, "answer")
    status, stored = relay.store.answers.requeue_failed(chat_id, message_id)
    if status == "missing" or stored is None:
        raise ApiError(404, "no such outgoing message in this conversation")
    if status == "not_failed":
        raise ApiError(409, "only a failed message, or one never queued for sending, can be sent again")
    try:
        publish_answer(stored)
    except Exception:
        log.exception("relay: the retry of %s is stored but not published; the outbox will hand it over", stored.id)
    relay.broadcaster.delivery(queued(stored))
    return jsonify(message=message_view(stored)), 202
