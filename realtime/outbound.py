"""The agents' actions on what goes out, besides answering: edit, delete, typing, uploads.

Each is published on `agent-replies` for deliver, as an AGENT envelope with `extra["action"]`:

- `edit` (of the text, or of a file's caption) / `delete` of an agent's own sent message: id
  `edit-<message_id>-<n>` / `delete-<message_id>-<n>`, `n` numbered by the store, so a redelivery
  is applied once. Deliver calls editMessageText (editMessageCaption) / deleteMessage, updates the
  stored message (`text`, `edited`, `edit_history`; or `deleted: true`) with `revision = n`, and the
  relay emits the new state as a `message` event (the broadcaster keys messages on id and revision).
- `typing`: at most once per TYPING_INTERVAL_S per chat for the whole desk; deliver calls
  sendChatAction; nothing is stored.
- `read` (a Telegram Business chat an agent marked read, when the connection grants
  `can_read_messages`): deliver calls readBusinessMessage on the customer's last message; best
  effort, like typing. In a business chat an edit Telegram would refuse (the reply window, the
  rights) or a delete without `can_delete_sent_messages` is answered 409 with the reason.
- uploads (`media`): the file is kept in the blob store, the message stored like an answer
  with `media: {kind, blob, filename, mime_type, size}`; deliver uploads it to Telegram as
  multipart and records Telegram's `file_id`, which a retry reuses.
"""

from __future__ import annotations

import mimetypes
import re
import time
import uuid

from flask import Blueprint, Response, jsonify

from realtime.answers import (
    NO_SUCH_CONVERSATION,
    agent_extra,
    answer_extra,
    publish,
    queue_answer,
    refuse_in_business_chat,
)
from realtime.apispec import CHAT, MESSAGE, answers, declare
from realtime.auth import login_required
from realtime.bodies import accepts_body_up_to
from realtime.errors import ApiError
from realtime.relay import current_relay
from realtime.schemas import ChangeAnswer, Edit, MessageAnswer, TypingAnswer, Upload
from realtime.views import message_view
from teledesk.business import may_mark_read
from teledesk.envelope import Envelope, MessageType
from teledesk.model import Agent, Conversation, Direction, Message
from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_UPLOAD_BYTES

TYPING_INTERVAL_S = 4.0
READ_LOOKBACK = 50  # of a business chat's newest messages, where its last one from the customer is looked for
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
MULTIPART_ROOM_BYTES = 64 * 1024  # an upload's other fields (caption, client_id …) and its multipart framing
MAX_UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + MULTIPART_ROOM_BYTES

outbound = Blueprint("outbound", __name__)


def _publish(envelope: Envelope) -> None:
    publish(envelope.stamp("relay"))


# -- edit and delete ----------------------------------------------------------------------------------

NOT_YOURS = "no such message of yours in this conversation"


def _is_theirs(agent: Agent, stored: Message | None) -> bool:
    """Agents change their own answers only: not a colleague's, not the bot's, not a customer's."""
    return stored is not None and stored.direction == Direction.OUT and \
        stored.agent is not None and stored.agent.username == agent.username


def _change(agent: Agent, chat_id: int, message_id: str, action: str, text: str = "",
            stored: Message | None = None) -> tuple[Response, int]:
    relay = current_relay()
    if not _is_theirs(agent, stored or relay.store.messages.get(chat_id, message_id)):
        raise ApiError(404, NOT_YOURS)
    refuse_in_business_chat(chat_id, action)
    status, message, n = relay.store.answers.request_change(chat_id, message_id)
    if status == "missing" or message is None:
        raise ApiError(404, NOT_YOURS)
    if status == "not_sent":
        raise ApiError(409, "the message is not sent yet")
    envelope = Envelope(
        id=f"{action}-{message_id}-{n}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=text,
        extra={"action": action, "target": message_id, "revision": n, "agent": agent_extra(agent)},
    )
    _publish(envelope)
    return jsonify(change={"id": envelope.id, "action": action, "message_id": message_id, "revision": n}), 202


@outbound.post(f"{MESSAGE}/edit")
@login_required
@declare(answers(202, ChangeAnswer, 401, 404, 409,
                 description="queued; the new state comes as a `message` event"))
def edit(agent: Agent, chat_id: int, message_id: str, json: Edit) -> tuple[Response, int]:
    """Edit one of my sent answers: a text (not one sent in several parts), or a file's caption"""
    stored = current_relay().store.messages.get(chat_id, message_id)
    is_caption = stored is not None and stored.media is not None
    if not is_caption and not json.text.strip():
        raise ApiError(400, "text: String should not be blank")  # a caption may be emptied, a text may not
    if is_caption and len(json.text) > MAX_CAPTION_LENGTH:
        raise ApiError(400, f"text: a caption should have at most {MAX_CAPTION_LENGTH} characters")
    if stored is None or not _is_theirs(agent, stored):
        raise ApiError(404, NOT_YOURS)
    if stored.delivery is not None and len(stored.delivery.telegram_message_ids or []) > 1:
        raise ApiError(400, "a message sent in several parts cannot be edited; delete it and send it again")
    return _change(agent, chat_id, message_id, "edit", json.text, stored)


@outbound.delete(MESSAGE)
@login_required
@declare(answers(202, ChangeAnswer, 401, 404, 409,
                 description="queued; the new state (`deleted: true`) comes as a `message` event"))
def delete(agent: Agent, chat_id: int, message_id: str) -> tuple[Response, int]:
    """Delete one of my sent answers for the customer (every part of a split one)"""
    return _change(agent, chat_id, message_id, "delete")


# -- typing -------------------------------------------------------------------------------------------

@outbound.post(f"{CHAT}/typing")
@login_required
@declare(answers(202, TypingAnswer, 401, 404))
def typing(agent: Agent, chat_id: int) -> tuple[Response, int]:
    """Show 'typing…' to the customer; at most once per TYPING_INTERVAL_S per chat for the whole desk"""
    relay = current_relay()
    if relay.store.conversations.get(chat_id) is None:
        raise ApiError(404, NO_SUCH_CONVERSATION)
    sent = relay.state.throttle(f"typing:{chat_id}", TYPING_INTERVAL_S)
    if sent:
        _publish(Envelope(id=f"typing-{chat_id}-{uuid.uuid4().hex}", type=MessageType.AGENT, chat_id=chat_id,
                          date=int(time.time()), extra={"action": "typing", "agent": agent_extra(agent)}))
    return jsonify(sent=sent), 202


def mark_read_in_telegram(conversation: Conversation, agent: Agent) -> None:
    """An agent read a business chat: mark it read in the account's Telegram too, when the
    connection lets the bot (`can_read_messages`), up to the customer's last message."""
    relay = current_relay()
    business = conversation.business
    if business is None or not may_mark_read(relay.store.business_connections.get(business.connection_id)):
        return
    last = next((m.telegram_message_id for m in reversed(relay.store.messages.history(conversation.chat_id,
                                                                                        limit=READ_LOOKBACK))
                 if m.direction == Direction.IN and m.telegram_message_id is not None), None)
    if last is not None:
        _publish(Envelope(id=f"read-{conversation.chat_id}-{last}", type=MessageType.AGENT,
                          chat_id=conversation.chat_id, date=int(time.time()),
                          extra={"action": "read", "telegram_message_id": last, "agent": agent_extra(agent)}))


# -- uploads ------------------------------------------------------------------------------------------

def media_kind(mime_type: str) -> str:
    if mime_type in PHOTO_TYPES:
        return "photo"
    if mime_type in ("audio/ogg", "audio/opus"):
        return "voice"
    if mime_type == "video/mp4":
        return "video"
    return "document"


@outbound.post(f"{CHAT}/media")
@accepts_body_up_to(MAX_UPLOAD_BODY_BYTES)
@login_required
@declare(answers(202, MessageAnswer, 401, 404, 409, 413, description="queued for delivery"))
def upload(agent: Agent, chat_id: int, form: Upload) -> tuple[Response, int]:
    """Send a photo, document, voice note or video; `kind` follows the MIME type unless given"""
    if not isinstance(form, Upload):  # not multipart: spectree had no form to check
        raise ApiError(400, "the body must be multipart/form-data with a `file`")
    file = form.file
    filename_given = file.filename or "file"
    extra = answer_extra(agent, chat_id, form.client_id, form.reply_to)
    mime_type = file.mimetype or mimetypes.guess_type(filename_given)[0] or "application/octet-stream"
    kind = form.kind or media_kind(mime_type)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApiError(413, f"file: files are at most {MAX_UPLOAD_BYTES} bytes")
    if not data:
        raise ApiError(400, "file: the file is empty")
    relay = current_relay()
    message_id = f"agent-{form.client_id}"
    existing = relay.store.messages.get(chat_id, message_id)
    filename = re.sub(r"\.{2,}", ".", _SAFE_NAME.sub("_", filename_given))[-100:].lstrip(".") or "file"
    key = f"{chat_id}/{form.client_id}/{filename}"
    if existing is None:
        relay.blobs.put(key, data, mime_type)  # before the message refers to it
    envelope = Envelope(
        id=message_id, type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=form.caption,
        media={"kind": kind, "blob": key, "filename": filename, "mime_type": mime_type, "size": len(data)},
        extra=extra,
    ).stamp("relay")
    return jsonify(message=message_view(queue_answer(envelope, agent))), 202
