"""The agents' HTTP API under /api (the contract in ARCHITECTURE.md)."""

from __future__ import annotations

import re
import time
from typing import Any, NoReturn
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, jsonify, request, session

from realtime.auth import authenticate, login_required, public_agent
from realtime.openapi import OPENAPI
from realtime.views import conversation_view, message_view
from teledesk.envelope import Envelope, MessageType
from teledesk.model import Agent, Conversation, ConversationStatus, DeliveryState, Message
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
PAGE_SIZE = 50  # a history page; the console asks for the one before when the agent scrolls up
MAX_NOTE_LENGTH = MAX_MESSAGE_LENGTH
SEARCH_SCAN = 2_000  # how many of the newest messages (and latest conversations) a search reads
SEARCH_RESULTS = 50
SEARCH_LENGTH = (2, 100)

api = Blueprint("api", __name__, url_prefix="/api")


def relay() -> Any:
    return current_app.extensions["teledesk"]


WRITES = ("POST", "PUT", "PATCH", "DELETE")


@api.before_request
def same_origin_writes() -> tuple[Any, int] | None:
    """A change comes from the console's own origin, never from another page of the same site.

    SameSite=Lax keeps the cookie off cross-site requests, not off same-site ones (a sibling
    subdomain, another port on 127.0.0.1), and the body-less POSTs (disable, pending, retry …) need
    no preflight. Browsers say where a request comes from (`Sec-Fetch-Site`, else `Origin`);
    clients that say neither (scripts, tests) are not browsers riding an agent's cookie.
    """
    if request.method not in WRITES:
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None:
        allowed = fetch_site in ("same-origin", "none")
    else:
        allowed = origin is None or urlsplit(origin).netloc == request.host
    return None if allowed else (jsonify(error="changes are only taken from the console's own origin"), 403)


def _json_object() -> dict[str, Any] | None:
    """The JSON body as an object: {} when there is no body, None when it is anything else."""
    if not request.get_data(cache=True):
        return {}
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


NOT_AN_OBJECT = "the body must be a JSON object"


def _bad_request(error: str) -> tuple[Any, int]:
    return jsonify(error=error), 400


def _not_found() -> tuple[Any, int]:
    return jsonify(error="no such conversation"), 404


def _refuse(error: str) -> NoReturn:
    """A 400 from inside a helper, so each endpoint does not repeat the checks it shares."""
    response = jsonify(error=error)
    response.status_code = 400
    abort(response)


def _required_text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        _refuse("text is required")
    if len(value) > limit:
        _refuse(f"text is longer than {limit} characters")
    return value


def _client_id(value: Any) -> str:
    if not isinstance(value, str) or not CLIENT_ID.fullmatch(value):
        _refuse("client_id must be 8 to 64 letters, digits, '-' or '_'")
    return value


def agent_extra(agent: Agent) -> dict[str, Any]:
    """Who wrote an answer or a note, as the consoles show it."""
    return {"username": agent.username, "name": agent.name}


def answer_extra(agent: Agent, chat_id: int, client_id: Any, reply_to: Any = None) -> dict[str, Any]:
    """What an agent's answer (a text or a file) carries besides its content: the idempotency key,
    the author, and the message it quotes. Telegram quotes by its own message_id, so `reply_to`
    must name a message of this chat that Telegram has; anything else is a 400."""
    extra: dict[str, Any] = {"client_id": _client_id(client_id), "agent": agent_extra(agent)}
    if reply_to is not None:
        quoted = relay().store.messages.get(chat_id, reply_to) if isinstance(reply_to, str) and reply_to else None
        quoted_id = telegram_message_id(quoted) if quoted is not None else None
        if quoted_id is None:
            _refuse("reply_to must be the id of a message of this conversation that Telegram has")
        extra["reply_to"] = {"message_id": reply_to, "telegram_message_id": quoted_id}
    return extra


@api.get("/health")
def health() -> tuple[Any, int]:
    """200 once subscribed, 503 while a pull loop is not running (the liveness probe); with each
    pull's last error and what Telegram says of the webhook (pending updates, last error)."""
    subscriber = relay().subscriber
    subscribed = subscriber is None or subscriber.running
    body = {"status": "ok" if subscribed else "down", "subscribed": subscribed,
            "pulls": subscriber.status() if subscriber is not None else {},
            "telegram": {"mode": relay().settings.telegram_mode, **relay().webhook_health.read()}}
    return jsonify(body), 200 if subscribed else 503


@api.get("/openapi.json")
def openapi() -> Any:
    return jsonify(OPENAPI)


@api.post("/login")
def login() -> tuple[Any, int]:
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return _bad_request("username and password are required")
    agent = authenticate(username, password)
    if agent is None:
        return jsonify(error="wrong username or password"), 401
    session.clear()
    session["agent"] = agent.username
    session["epoch"] = agent.session_epoch
    session.permanent = True
    return jsonify(agent=public_agent(agent)), 200


@api.post("/logout")
def logout() -> tuple[str, int]:
    session.clear()
    return "", 204


@api.get("/me")
@login_required
def me(agent: Agent) -> Any:
    return jsonify(agent=public_agent(agent))


@api.get("/conversations")
@login_required
def conversations(agent: Agent) -> Any:
    return jsonify(conversations=[conversation_view(c) for c in relay().store.conversations.latest()])


@api.get("/conversations/<int(signed=True):chat_id>/messages")
@login_required
def messages(agent: Agent, chat_id: int) -> Any:
    before = request.args.get("before", type=float)
    limit = min(request.args.get("limit", PAGE_SIZE, type=int), PAGE_SIZE)
    found = relay().store.messages.history(chat_id, limit=limit, before=before)
    return jsonify(messages=[message_view(m) for m in found])


@api.post("/conversations/<int(signed=True):chat_id>/messages")
@login_required
def reply(agent: Agent, chat_id: int) -> tuple[Any, int]:
    """Queue an answer. Up to MAX_ANSWER_LENGTH (ten times 4,096) characters: deliver sends a text
    over 4,096 as several messages. `reply_to` (a stored message id) quotes that message. An
    answer to a resolved conversation opens it again."""
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    text = _required_text(body.get("text"), MAX_ANSWER_LENGTH)
    extra = answer_extra(agent, chat_id, body.get("client_id"), body.get("reply_to"))
    envelope = Envelope(
        id=f"agent-{extra['client_id']}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
        text=text, extra=extra,
    ).stamp("relay")
    return queue_answer(envelope)


def queue_answer(envelope: Envelope) -> tuple[Any, int]:
    """Store an agent's answer (once per client_id), publish it for deliver, show it: 202.

    A repeat of one still queued is published again (its first publish or emit may have been
    lost): what was stored goes out, not the repeat's body; deliver sends once and the
    broadcaster emits once. Answering a resolved conversation opens it again.
    """
    chat_id = envelope.chat_id
    try:
        stored, conversation, _created = relay().store.answers.queue(chat_id, envelope.id, envelope.to_dict())
    except KeyError:
        return _not_found()
    if stored.delivery is not None and stored.delivery.state == DeliveryState.QUEUED:
        if conversation.status == ConversationStatus.RESOLVED:
            conversation = relay().store.conversations.update(chat_id, status=ConversationStatus.OPEN) or conversation
        _publish_answer(stored)
        broadcaster = relay().broadcaster
        broadcaster.message(stored)
        broadcaster.conversation(conversation)
        broadcaster.delivery(_queued(stored))
    return jsonify(message=message_view(stored)), 202


def _publish_answer(stored: Message) -> None:
    """Hand a stored, queued answer to deliver: what was stored goes out, whoever asks."""
    relay().publisher.publish(relay().manifest.relay_publishes, _stored_envelope(stored))


def _queued(stored: Message) -> dict[str, Any]:
    """The `delivery` event of a queued answer; `retry` (0 at first) keeps a retry's events from
    being taken for repeats of the first attempt's."""
    return {"chat_id": stored.chat_id, "client_id": stored.client_id, "message_id": stored.id,
            "state": DeliveryState.QUEUED, "reason": None, "retry": stored.retries or 0}


def telegram_message_id(message: Message) -> int | None:
    """The Telegram message_id of a stored message: inbound ones carry it, outbound ones got it on sending."""
    found = message.sent_as
    if found is None:
        match = re.fullmatch(r"tg--?\d+-(\d+)", message.id)
        found = int(match.group(1)) if match else None
    return found


def _stored_envelope(stored: Message) -> Envelope:
    kept = {k: v for k, v in stored.wire().items() if k not in ("direction", "stored_at", "delivery")}
    return Envelope.from_dict(kept)


def _conversation_action(chat_id: int, **changes: Any) -> tuple[Any, int]:
    return _changed(relay().store.conversations.update(chat_id, **changes))


def _changed(conversation: Conversation | None) -> tuple[Any, int]:
    """Show every console a conversation's new state, and answer it (404 when there was none)."""
    if conversation is None:
        return _not_found()
    relay().broadcaster.conversation(conversation)
    return jsonify(conversation=conversation_view(conversation)), 200


@api.post("/conversations/<int(signed=True):chat_id>/assign")
@login_required
def assign(agent: Agent, chat_id: int) -> tuple[Any, int]:
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    username = body.get("username") or agent.username
    assignee = relay().store.agents.get(username) if isinstance(username, str) else None
    if assignee is None or assignee.disabled:
        return _bad_request(f"no active agent {username!r}")
    return _conversation_action(chat_id, assignee=username)


@api.post("/conversations/<int(signed=True):chat_id>/resolve")
@login_required
def resolve(agent: Agent, chat_id: int) -> tuple[Any, int]:
    return _conversation_action(chat_id, status="resolved")


@api.post("/conversations/<int(signed=True):chat_id>/reopen")
@login_required
def reopen(agent: Agent, chat_id: int) -> tuple[Any, int]:
    return _conversation_action(chat_id, status="open")


@api.post("/conversations/<int(signed=True):chat_id>/pending")
@login_required
def pending(agent: Agent, chat_id: int) -> tuple[Any, int]:
    return _conversation_action(chat_id, status="pending")


@api.post("/conversations/<int(signed=True):chat_id>/start")
@login_required
def start(agent: Agent, chat_id: int) -> tuple[Any, int]:
    """A new conversation with a customer who wrote before (the next `number`), assigned to me; only
    from a resolved one (409 otherwise, so a repeat starts nothing)."""
    started, conversation = relay().store.conversations.start_next(chat_id, agent.username)
    if conversation is not None and not started:
        return jsonify(error="only a resolved conversation makes way for a new one"), 409
    return _changed(conversation)


@api.post("/conversations/<int(signed=True):chat_id>/read")
@login_required
def read(agent: Agent, chat_id: int) -> tuple[Any, int]:
    return _changed(relay().store.conversations.mark_read(chat_id))


# -- private notes, retries, search ----------------------------------------------------------------

@api.post("/conversations/<int(signed=True):chat_id>/notes")
@login_required
def note(agent: Agent, chat_id: int) -> tuple[Any, int]:
    """A private note for the other agents: stored and shown, never published, so nothing can send
    it to Telegram. Once per client_id, like an answer."""
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    text = _required_text(body.get("text"), MAX_NOTE_LENGTH)
    client_id = _client_id(body.get("client_id"))
    envelope = Envelope(
        id=f"note-{client_id}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=text,
        extra={"client_id": client_id, "agent": agent_extra(agent)},
    ).stamp("relay")
    try:
        stored, _created = relay().store.messages.add_note(chat_id, envelope.id, envelope.to_dict())
    except KeyError:
        return _not_found()
    relay().broadcaster.message(stored)  # a repeat emits again only if the first emit failed
    return jsonify(message=message_view(stored)), 202


@api.post("/conversations/<int(signed=True):chat_id>/messages/<message_id>/retry")
@login_required
def retry(agent: Agent, chat_id: int, message_id: str) -> tuple[Any, int]:
    """Send a failed answer again: the same message, back to queued, published as it was stored.

    If the publish fails, the answer goes back to failed, so the agent can retry once more
    instead of it waiting, queued, for a publish that never happened.
    """
    status, stored = relay().store.answers.requeue_failed(chat_id, message_id)
    if status == "missing" or stored is None:
        return jsonify(error="no such outgoing message in this conversation"), 404
    if status == "not_failed":
        return jsonify(error="only a failed message can be sent again"), 409
    try:
        _publish_answer(stored)
    except Exception:
        reason = "could not be queued again; try again"
        relay().store.answers.set_delivery(chat_id, message_id, DeliveryState.FAILED, reason)
        relay().broadcaster.delivery({**_queued(stored), "state": "failed", "reason": reason})  # every console
        raise
    relay().broadcaster.delivery(_queued(stored))
    return jsonify(message=message_view(stored)), 202


def _customer_text(conversation: Conversation) -> str:
    customer = conversation.customer
    name = " ".join(part or "" for part in (customer.first_name, customer.last_name)).strip()
    return f"{name}\n@{customer.username or ''}".casefold()


@api.get("/search")
@login_required
def search(agent: Agent) -> tuple[Any, int]:
    """Conversations by the customer's name or @username, and messages by text (case-insensitive).

    Firestore has no substring search, so the scan is bounded: the SEARCH_SCAN (2,000)
    conversations with the latest activity, and the SEARCH_SCAN newest messages of all
    conversations (one collection group query on `messages`), filtered here. Anything older is
    not found; at most SEARCH_RESULTS of each, newest first.
    """
    query = request.args.get("q", "").strip()
    if not SEARCH_LENGTH[0] <= len(query) <= SEARCH_LENGTH[1]:
        return _bad_request(f"q must be {SEARCH_LENGTH[0]} to {SEARCH_LENGTH[1]} characters")
    needle = query.casefold()
    store = relay().store
    conversations = [c for c in store.conversations.latest(limit=SEARCH_SCAN) if needle in _customer_text(c)]
    messages = [m for m in store.messages.recent(SEARCH_SCAN)
                if not m.deleted and needle in m.text.casefold()]
    return jsonify(conversations=[conversation_view(c) for c in conversations[:SEARCH_RESULTS]],
                   messages=[message_view(m) for m in messages[:SEARCH_RESULTS]]), 200
