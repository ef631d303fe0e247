"""An agent's answer to a customer, whatever it carries (a text, a file): who wrote it, what it
quotes, and how it is queued for deliver once and shown to every console.

Used by the conversation routes (a text answer, a retry) and the outbound ones (an upload).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Literal

from realtime.errors import ApiError
from realtime.lifecycle import agent_opening, announce
from realtime.relay import current_relay
from realtime.views import DeliveryEvent
from teledesk.business import delete_refusal, reply_refusal
from teledesk.envelope import Envelope
from teledesk.logs import describe, traced_envelope, with_trace_id
from teledesk.model import Agent, ConversationStatus, DeliveryState, Message
from teledesk.open_data import JSONObject
from teledesk.store.answers import AnswerRefused, answer_envelope

NO_SUCH_CONVERSATION = "no such conversation"
QUOTE_RULE = "reply_to must be the id of a message of this conversation that Telegram has"

log = logging.getLogger("teledesk.relay.answers")


def agent_extra(agent: Agent) -> JSONObject:
    """Who wrote an answer or a note, as the consoles show it."""
    return {"username": agent.username, "name": agent.name}


def answer_extra(agent: Agent, chat_id: int, client_id: str, reply_to: str | None = None) -> JSONObject:
    """What an agent's answer (a text or a file) carries besides its content: the idempotency key,
    the author, and the message it quotes. Telegram quotes by its own message_id, so `reply_to`
    must name a message of this chat that Telegram has; anything else is a 400."""
    extra: JSONObject = {"client_id": client_id, "agent": agent_extra(agent)}
    if reply_to is not None:
        quoted = current_relay().store.messages.get(chat_id, reply_to)
        quoted_id = telegram_message_id(quoted) if quoted is not None else None
        if quoted_id is None:
            raise ApiError(400, QUOTE_RULE)
        extra["reply_to"] = {"message_id": reply_to, "telegram_message_id": quoted_id}
    return extra


def telegram_message_id(message: Message) -> int | None:
    """The Telegram message_id of a stored message: inbound ones carry it, outbound ones got it on sending."""
    found = message.sent_as
    if found is None:
        match = re.fullmatch(r"tg--?\d+-(\d+)", message.id)
        found = int(match.group(1)) if match else None
    return found


def queue_answer(envelope: Envelope, agent: Agent) -> Message:
    """Store an agent's answer (once per client_id), publish it for deliver, show it; the stored message.

    Stored is published: once stored, the answer is in the outbox (teledesk.store.answers) until
    deliver settles it. A publish that fails is logged and left to the outbox's sweeper
    (realtime/outbox.py), and the agent still gets 202 with the queued answer. A repeat (the same
    client_id) answers what was stored, not the repeat's body, and publishes it only if it was
    never handed to Pub/Sub; it shows it again (the broadcaster emits each state once, so only what
    the first request could not emit goes out). Answering a resolved conversation opens it again
    (an opening the lifecycle watches, realtime.lifecycle).
    """
    relay = current_relay()
    chat_id = envelope.chat_id
    try:
        stored, conversation, _created = relay.store.answers.queue(chat_id, envelope)
    except KeyError:
        raise ApiError(404, NO_SUCH_CONVERSATION) from None
    except AnswerRefused as refused:
        raise ApiError(409, refused.reason) from None
    if stored.delivery is not None and stored.delivery.state == DeliveryState.QUEUED:
        if conversation.status == ConversationStatus.RESOLVED:
            reopened = relay.store.conversations.set_status(chat_id, ConversationStatus.OPEN, agent_opening(agent))
            conversation = reopened or conversation
            announce(conversation, agent)
        if stored.published_at is None:
            try:
                publish_answer(stored)
            except Exception:
                log.exception("relay: %s stored but not published; the outbox will hand it over", stored.id)
        relay.broadcaster.message(stored)
        relay.broadcaster.conversation(conversation)
        relay.broadcaster.delivery(queued(stored))
    return stored


BusinessAction = Literal["answer", "edit", "delete"]


def refuse_in_business_chat(chat_id: int, action: BusinessAction) -> None:
    """409 with the reason when Telegram would refuse `action` in this conversation's business chat
    now (teledesk.business); nothing for a chat with the bot."""
    store = current_relay().store
    conversation = store.conversations.get(chat_id)
    if conversation is None or conversation.business is None:
        return
    connection = store.business_connections.get(conversation.business.connection_id)
    refusal = delete_refusal(connection) if action == "delete" else \
        reply_refusal(conversation.business, connection, time.time())
    if refusal is not None:
        raise ApiError(409, refusal)


def publish_answer(stored: Message) -> None:
    """Hand a stored, queued answer to deliver (what was stored goes out, whoever asks), and note
    that Pub/Sub has it, so the outbox's sweeper leaves it to deliver."""
    envelope = answer_envelope(stored)
    publish(envelope)
    current_relay().store.answers.mark_published(envelope.chat_id, stored.id)


def publish(envelope: Envelope) -> None:
    """Hand an answer or an action on one to deliver (on `agent-replies`). It keeps the trace id it
    has (the bot's answer, the one of the message it answers) or gets its own, from its id, which
    derives from the console's idempotency key: its path is followed by that (`teledesk.logs`)."""
    relay = current_relay()
    with traced_envelope(with_trace_id(envelope)):
        relay.publisher.publish(relay.manifest.relay_publishes, envelope)
        log.info("relay: %s → %s", describe(envelope), relay.manifest.relay_publishes)


def queued(stored: Message) -> DeliveryEvent:
    """The `delivery` event of a queued answer; `retry` (0 at first) keeps a retry's events from
    being taken for repeats of the first attempt's."""
    return DeliveryEvent(chat_id=stored.chat_id, client_id=stored.client_id, message_id=stored.id,
                         state=DeliveryState.QUEUED, reason=None, retry=stored.retries or 0)
