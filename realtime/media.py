"""Files for logged-in agents: a message's media and a customer's avatar, cached on disk.

The relay fetches each file from the Bot API once and serves it from its cache after that
(realtime/media_cache.py). A file over the download limit answers 413 with
`{"error": "too large to download"}`, which the console shows as such; a failed fetch 502, its
reason without the bot token.

Files are served as `send_file` serves them, from the cache's disk: an ETag (If-None-Match → 304)
and byte ranges (206, or 416 past the end) for seeking audio and video. Each carries
`X-Content-Type-Options: nosniff` and a sandboxing Content-Security-Policy, and is inline only if
it is an image, audio or video that is not XML: anything else (HTML, SVG, XML, JavaScript, PDF …)
is an attachment, so a browser opening its URL never runs it. Agents' own uploads are served here
too once Telegram has them (by their file_id), with the type the agent's browser declared: the
same rules apply; the blob store itself is never served.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from flask import Blueprint, Response, send_file

from realtime.apispec import CHAT, MESSAGE, answers, declare
from realtime.auth import login_required
from realtime.errors import ApiError
from realtime.media_cache import CachedFile
from realtime.relay import current_relay
from teledesk.model import Agent
from teledesk.redaction import redact
from teledesk.telegram.files import Download, FileTooLarge, FileUnavailable, TelegramFiles

media = Blueprint("media", __name__)
TOO_LARGE = "too large to download"
NO_AVATAR = "-"
A_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
SHOWN_INLINE = ("image/", "audio/", "video/")
UNKNOWN_TYPE = "application/octet-stream"


def media_url(chat_id: int, message_id: str) -> str:
    return f"/api/conversations/{chat_id}/messages/{message_id}/media"


def _files() -> TelegramFiles:
    settings = current_relay().settings
    return TelegramFiles(settings.telegram_bot_token, settings.telegram_api_base, settings.max_download_bytes)


def _serve(key: str, file_id: str, size: int | None = None, mime: str | None = None) -> Response:
    def fetch() -> Download:
        try:
            return _files().download(file_id, size, mime)
        except FileTooLarge:
            raise ApiError(413, TOO_LARGE) from None
        except FileUnavailable as exc:
            raise ApiError(502, f"the file could not be fetched from Telegram: {redact(str(exc))}") from None

    return current_relay().media_cache.serve(key, fetch, _send)


def served_type(declared: str) -> str:
    """The media type a file is served as: the declared one without its parameters, if it is
    one (a list, which a browser would read its own way, is not)."""
    essence = declared.split(";", 1)[0].strip().lower()
    return essence if A_MEDIA_TYPE.fullmatch(essence) else UNKNOWN_TYPE


def shown_inline(content_type: str) -> bool:
    """An image, audio or video a browser shows and never runs (SVG is XML, and may script)."""
    return content_type.startswith(SHOWN_INLINE) and not content_type.endswith("xml")


def _send(file: Path | IO[bytes], cached: CachedFile) -> Response:
    content_type = served_type(cached.content_type)
    response = send_file(file, mimetype=content_type, conditional=True, etag=cached.etag)
    response.headers["Content-Disposition"] = "inline" if shown_inline(content_type) else "attachment"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


FILE = "the file, with its content type (206 for a Range, 304 for a matching If-None-Match)"


@media.get(f"{MESSAGE}/media")
@login_required
@declare(answers(200, None, 401, 404, 413, 416, 502, description=FILE))
def message_media(agent: Agent, chat_id: int, message_id: str) -> Response:
    """A message's file (through getFile, cached); 413 over the download limit"""
    message = current_relay().store.messages.get(chat_id, message_id)
    item = message.media if message is not None else None
    if item is None or not item.file_id:
        raise ApiError(404, "this message has no file")
    return _serve(item.file_unique_id or item.file_id, item.file_id, item.file_size, item.mime_type)


@media.get(f"{CHAT}/avatar")
@login_required
@declare(answers(200, None, 401, 404, 416, 502, description=FILE))
def avatar(agent: Agent, chat_id: int) -> Response:
    """The customer's profile photo (cached)"""
    relay = current_relay()
    cache = relay.media_cache
    conversation = relay.store.conversations.get(chat_id)
    user_id = conversation.customer.id if conversation is not None else None
    if user_id is None:
        raise ApiError(404, "no such conversation")
    if user_id not in cache.avatars:
        try:
            cache.avatars[user_id] = _files().profile_photo_file_id(user_id) or NO_AVATAR
        except FileUnavailable as exc:
            raise ApiError(502, f"the profile photo could not be fetched: {redact(str(exc))}") from None
    file_id = cache.avatars[user_id]
    if file_id == NO_AVATAR:
        raise ApiError(404, "the customer shows no profile photo")
    return _serve(f"avatar-{user_id}-{file_id[-16:]}", file_id)
