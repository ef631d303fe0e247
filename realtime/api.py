"""The agents' HTTP API under /api (the contract in ARCHITECTURE.md)."""

from __future__ import annotations

import re
import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request, session

from realtime.auth import authenticate, login_required, public_agent
from realtime.openapi import OPENAPI
from realtime.views import conversation_view, message_view
from teledesk.envelope import Envelope, MessageType
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
PAGE_SIZE = 100

api = Blueprint("api", __name__, url_prefix="/api")


def relay() -> Any:
    return current_app.extensions["teledesk"]


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


@api.get("/health")
def health() -> tuple[Any, int]:
    """200 once subscribed; with what Telegram says of the webhook (pending updates, last error)."""
    subscribed = relay().subscriber is None or relay().subscriber.running
    body = {"status": "ok" if subscribed else "starting", "subscribed": subscribed,
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
    session["agent"] = agent["username"]
    session.permanent = True
    return jsonify(agent=public_agent(agent)), 200


@api.post("/logout")
def logout() -> tuple[str, int]:
    session.clear()
    return "", 204


@api.get("/me")
@login_required
def me(agent: dict) -> Any:
    return jsonify(agent=public_agent(agent))


@api.get("/conversations")
@login_required
def conversations(agent: dict) -> Any:
    return jsonify(conversations=[conversation_view(c) for c in relay().store.conversations()])


@api.get("/conversations/<int(signed=True):chat_id>/messages")
@login_required
def messages(agent: dict, chat_id: int) -> Any:
    before = request.args.get("before", type=float)
    limit = min(request.args.get("limit", PAGE_SIZE, type=int), PAGE_SIZE)
    found = relay().store.messages(chat_id, limit=limit, before=before)
    return jsonify(messages=[message_view(m) for m in found])


@api.post("/conversations/<int(signed=True):chat_id>/messages")
@login_required
def reply(agent: dict, chat_id: int) -> tuple[Any, int]:
    """Queue an answer. Up to MAX_ANSWER_LENGTH (ten times 4,096) characters: deliver sends a text
    over 4,096 as several messages. `reply_to` (a stored message id) quotes that message. An
    answer to a resolved conversation opens it again."""
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    text, client_id, reply_to = body.get("text"), body.get("client_id"), body.get("reply_to")
    if not isinstance(text, str) or not text.strip():
        return _bad_request("text is required")
    if len(text) > MAX_ANSWER_LENGTH:
        return _bad_request(f"text is longer than {MAX_ANSWER_LENGTH} characters")
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        return _bad_request("client_id must be 8 to 64 letters, digits, '-' or '_'")
    extra: dict[str, Any] = {"client_id": client_id,
                             "agent": {"username": agent["username"], "name": agent.get("name")}}
    if reply_to is not None:
        quoted = relay().store.message(chat_id, reply_to) if isinstance(reply_to, str) and reply_to else None
        quoted_id = telegram_message_id(quoted) if quoted else None
        if quoted_id is None:
            return _bad_request("reply_to must be the id of a message of this conversation that Telegram has")
        extra["reply_to"] = {"message_id": reply_to, "telegram_message_id": quoted_id}
    envelope = Envelope(
        id=f"agent-{client_id}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=text,
        extra=extra,
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
        stored, conversation, _created = relay().store.queue_outbound(chat_id, envelope.id, envelope.to_dict())
    except KeyError:
        return _not_found()
    if (stored.get("delivery") or {}).get("state") == "queued":
        if conversation.get("status") == "resolved":
            conversation = relay().store.update_conversation(chat_id, status="open") or conversation
        relay().publisher.publish(relay().manifest.relay_publishes, _stored_envelope(stored))
        broadcaster = relay().broadcaster
        broadcaster.message(stored)
        broadcaster.conversation(conversation)
        broadcaster.delivery({"chat_id": chat_id, "client_id": stored.get("client_id"), "message_id": envelope.id,
                              "state": "queued", "reason": None})
    return jsonify(message=message_view(stored)), 202


def telegram_message_id(message: dict[str, Any]) -> int | None:
    """The Telegram message_id of a stored message: inbound ones carry it, outbound ones got it on sending."""
    found = message.get("telegram_message_id") or (message.get("delivery") or {}).get("telegram_message_id")
    if found is None:
        match = re.fullmatch(r"tg--?\d+-(\d+)", str(message.get("id", "")))
        found = int(match.group(1)) if match else None
    return int(found) if found is not None else None


def _stored_envelope(stored: dict[str, Any]) -> Envelope:
    return Envelope.from_dict({k: v for k, v in stored.items() if k not in ("direction", "stored_at", "delivery")})


def _conversation_action(chat_id: int, **changes: Any) -> tuple[Any, int]:
    conversation = relay().store.update_conversation(chat_id, **changes)
    if conversation is None:
        return _not_found()
    relay().broadcaster.conversation(conversation)
    return jsonify(conversation=conversation_view(conversation)), 200


@api.post("/conversations/<int(signed=True):chat_id>/assign")
@login_required
def assign(agent: dict, chat_id: int) -> tuple[Any, int]:
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    username = body.get("username") or agent["username"]
    assignee = relay().store.agent(username) if isinstance(username, str) else None
    if assignee is None or assignee.get("disabled"):
        return _bad_request(f"no active agent {username!r}")
    return _conversation_action(chat_id, assignee=username)


@api.post("/conversations/<int(signed=True):chat_id>/resolve")
@login_required
def resolve(agent: dict, chat_id: int) -> tuple[Any, int]:
    return _conversation_action(chat_id, status="resolved")


@api.post("/conversations/<int(signed=True):chat_id>/reopen")
@login_required
def reopen(agent: dict, chat_id: int) -> tuple[Any, int]:
    return _conversation_action(chat_id, status="open")


@api.post("/conversations/<int(signed=True):chat_id>/read")
@login_required
def read(agent: dict, chat_id: int) -> tuple[Any, int]:
    conversation = relay().store.mark_read(chat_id)
    if conversation is None:
        return _not_found()
    relay().broadcaster.conversation(conversation)
    return jsonify(conversation=conversation_view(conversation)), 200
