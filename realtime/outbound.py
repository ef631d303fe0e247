"""The agents' actions on what goes out, besides answering: edit, delete, typing, uploads.

Each is published on `agent-replies` for deliver, as an AGENT envelope with `extra["action"]`:

- `edit` (of the text, or of a file's caption) / `delete` of an agent's own sent message: id
  `edit-<message_id>-<n>` / `delete-<message_id>-<n>`, `n` numbered by the store, so a redelivery
  is applied once. Deliver calls editMessageText (editMessageCaption) / deleteMessage, updates the
  stored message (`text`, `edited`, `edit_history`; or `deleted: true`) with `revision = n`, and the
  relay emits the new state as a `message` event (the broadcaster keys messages on id and revision).
- `typing`: at most once per TYPING_INTERVAL_S per chat for the whole desk; deliver calls
  sendChatAction; nothing is stored.
- uploads (`media`): the file is kept in the blob store, the message stored like an answer
  with `media: {kind, blob, filename, mime_type, size}`; deliver uploads it to Telegram as
  multipart and records Telegram's `file_id`, which a retry reuses.
"""

from __future__ import annotations

import mimetypes
import re
import time
import uuid
from typing import Any

from flask import Blueprint, jsonify, request

from realtime.api import _bad_request, _not_found, agent_extra, answer_extra, api, queue_answer, relay
from realtime.auth import login_required
from teledesk.blobs import BlobStore, blob_store
from teledesk.envelope import Envelope, MessageType
from teledesk.model import Agent, Direction, Message
from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH, MAX_UPLOAD_BYTES

TYPING_INTERVAL_S = 4.0
MEDIA_KINDS = ("photo", "document", "voice", "video")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")

outbound = Blueprint("outbound", __name__)
api.register_blueprint(outbound)  # under /api, its endpoints named api.outbound.*, with the rest of the API


def _extension(relay_obj: Any, name: str, make: Any) -> Any:
    """Per-app state kept beside the relay (the blueprint owns it, not `Relay`)."""
    holder = relay_obj.__dict__.setdefault("_outbound", {})
    if name not in holder:
        holder[name] = make()
    return holder[name]


def blobs() -> BlobStore:
    return _extension(relay(), "blobs", blob_store)


def _publish(envelope: Envelope) -> None:
    relay().publisher.publish(relay().manifest.relay_publishes, envelope.stamp("relay"))


# -- edit and delete ----------------------------------------------------------------------------------

NOT_YOURS = "no such message of yours in this conversation"


def _is_theirs(agent: Agent, stored: Message | None) -> bool:
    """Agents change their own answers only: not a colleague's, not the bot's, not a customer's."""
    return stored is not None and stored.direction == Direction.OUT and \
        stored.agent is not None and stored.agent.username == agent.username


def _change(agent: Agent, chat_id: int, message_id: str, action: str, text: str = "",
            stored: Message | None = None) -> tuple[Any, int]:
    if not _is_theirs(agent, stored or relay().store.messages.get(chat_id, message_id)):
        return jsonify(error=NOT_YOURS), 404
    status, message, n = relay().store.answers.request_change(chat_id, message_id)
    if status == "missing" or message is None:
        return jsonify(error=NOT_YOURS), 404
    if status == "not_sent":
        return jsonify(error="the message is not sent yet"), 409
    envelope = Envelope(
        id=f"{action}-{message_id}-{n}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=text,
        extra={"action": action, "target": message_id, "revision": n, "agent": agent_extra(agent)},
    )
    _publish(envelope)
    return jsonify(change={"id": envelope.id, "action": action, "message_id": message_id, "revision": n}), 202


@outbound.post("/conversations/<int(signed=True):chat_id>/messages/<message_id>/edit")
@login_required
def edit(agent: Agent, chat_id: int, message_id: str) -> tuple[Any, int]:
    body = request.get_json(silent=True)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return _bad_request("text is required")
    stored = relay().store.messages.get(chat_id, message_id)
    is_caption = stored is not None and stored.media is not None
    if not is_caption and not text.strip():
        return _bad_request("text is required")  # a caption may be emptied, a text message may not
    limit = MAX_CAPTION_LENGTH if is_caption else MAX_MESSAGE_LENGTH
    if len(text) > limit:
        return _bad_request(f"an edit is at most {limit} characters")
    if not _is_theirs(agent, stored):
        return jsonify(error=NOT_YOURS), 404
    assert stored is not None  # theirs
    if stored.delivery is not None and len(stored.delivery.telegram_message_ids or []) > 1:
        return _bad_request("a message sent in several parts cannot be edited; delete it and send it again")
    return _change(agent, chat_id, message_id, "edit", text, stored)


@outbound.delete("/conversations/<int(signed=True):chat_id>/messages/<message_id>")
@login_required
def delete(agent: Agent, chat_id: int, message_id: str) -> tuple[Any, int]:
    return _change(agent, chat_id, message_id, "delete")


# -- typing -------------------------------------------------------------------------------------------

@outbound.post("/conversations/<int(signed=True):chat_id>/typing")
@login_required
def typing(agent: Agent, chat_id: int) -> tuple[Any, int]:
    if relay().store.conversations.get(chat_id) is None:
        return _not_found()
    sent = relay().state.throttle(f"typing:{chat_id}", TYPING_INTERVAL_S)
    if sent:
        _publish(Envelope(id=f"typing-{chat_id}-{uuid.uuid4().hex}", type=MessageType.AGENT, chat_id=chat_id,
                          date=int(time.time()), extra={"action": "typing", "agent": agent_extra(agent)}))
    return jsonify(sent=sent), 202


# -- uploads ------------------------------------------------------------------------------------------

def media_kind(mime_type: str, asked: str | None) -> str | None:
    if asked:
        return asked if asked in MEDIA_KINDS else None
    if mime_type in PHOTO_TYPES:
        return "photo"
    if mime_type in ("audio/ogg", "audio/opus"):
        return "voice"
    if mime_type == "video/mp4":
        return "video"
    return "document"


@outbound.post("/conversations/<int(signed=True):chat_id>/media")
@login_required
def upload(agent: Agent, chat_id: int) -> tuple[Any, int]:
    file = request.files.get("file")
    caption = request.form.get("caption", "")
    client_id = request.form.get("client_id", "")
    if file is None or not file.filename:
        return _bad_request("a file is required (multipart field `file`)")
    extra = answer_extra(agent, chat_id, client_id, request.form.get("reply_to") or None)  # 400s its own
    if len(caption) > MAX_CAPTION_LENGTH:
        return _bad_request(f"caption is longer than {MAX_CAPTION_LENGTH} characters")
    mime_type = file.mimetype or mimetypes.guess_type(file.filename)[0] or "application/octet-stream"
    kind = media_kind(mime_type, request.form.get("kind"))
    if kind is None:
        return _bad_request(f"kind must be one of {', '.join(MEDIA_KINDS)}")
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return jsonify(error=f"files are at most {MAX_UPLOAD_BYTES} bytes"), 413
    if not data:
        return _bad_request("the file is empty")
    message_id = f"agent-{client_id}"
    existing = relay().store.messages.get(chat_id, message_id)
    filename = re.sub(r"\.{2,}", ".", _SAFE_NAME.sub("_", file.filename))[-100:].lstrip(".") or "file"
    key = f"{chat_id}/{client_id}/{filename}"
    if existing is None:
        blobs().put(key, data, mime_type)  # before the message refers to it
    envelope = Envelope(
        id=message_id, type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=caption,
        media={"kind": kind, "blob": key, "filename": filename, "mime_type": mime_type, "size": len(data)},
        extra=extra,
    ).stamp("relay")
    return queue_answer(envelope)
