"""Files for logged-in agents: a message's media and a customer's avatar, cached on disk.

The relay fetches each file from the Bot API once (by Telegram's `file_unique_id`, which never
changes for a file) and serves it from its cache after that. A file over the download limit
answers 413 with `{"error": "too large to download"}`, which the console shows as such.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from flask import Blueprint, Response

from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.errors import ApiError
from realtime.relay import current_relay
from teledesk.keyed_locks import KeyedLocks
from teledesk.model import Agent
from teledesk.telegram.files import Download, FileTooLarge, FileUnavailable, TelegramFiles

media = Blueprint("media", __name__)
TOO_LARGE = "too large to download"
NO_AVATAR = "-"


class MediaCache:
    """Downloads kept on disk by key, with their content type beside them.

    The disk is this relay's own (Cloud Run's in-memory disk is per instance), so the single
    flight of a download is per process too: another relay waiting on it would find nothing in
    its own cache afterwards and download all the same."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.downloading = KeyedLocks()  # held by a file's key while it is fetched
        self.avatars: dict[int, str] = {}  # customer id → file_id, or NO_AVATAR
        self.hits = 0

    def _paths(self, key: str) -> tuple[Path, Path]:
        safe = "".join(c for c in key if c.isalnum() or c in "-_")
        return self.directory / safe, self.directory / f"{safe}.json"

    def get(self, key: str) -> Download | None:
        data, meta = self._paths(key)
        if not data.is_file() or not meta.is_file():
            return None
        self.hits += 1
        return Download(data.read_bytes(), json.loads(meta.read_text())["content_type"])

    def put(self, key: str, download: Download) -> None:
        data, meta = self._paths(key)
        with self._lock:
            data.write_bytes(download.content)
            meta.write_text(json.dumps({"content_type": download.content_type}))


def media_url(chat_id: int, message_id: str) -> str:
    return f"/api/conversations/{chat_id}/messages/{message_id}/media"


def _files() -> TelegramFiles:
    settings = current_relay().settings
    return TelegramFiles(settings.telegram_bot_token, settings.telegram_api_base, settings.max_download_bytes)


def _serve(key: str, file_id: str, size: int | None = None, mime: str | None = None) -> Response:
    cache = current_relay().media_cache
    found = cache.get(key)
    if found is None:
        # Single flight: agents opening one photo at once cost Telegram one download, not one each.
        with cache.downloading.hold(key):
            found = cache.get(key)
            if found is None:
                try:
                    found = _files().download(file_id, size, mime)
                except FileTooLarge:
                    raise ApiError(413, TOO_LARGE) from None
                except FileUnavailable as exc:
                    raise ApiError(502, f"the file could not be fetched from Telegram: {exc}") from exc
                cache.put(key, found)
    response = Response(found.content, content_type=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


FILE = "the file, with its content type"


@media.get("/conversations/<int(signed=True):chat_id>/messages/<message_id>/media")
@login_required
@declare(answers(200, None, 401, 404, 413, 502, description=FILE))
def message_media(agent: Agent, chat_id: int, message_id: str) -> Response:
    """A message's file (through getFile, cached); 413 over the download limit"""
    message = current_relay().store.messages.get(chat_id, message_id)
    item = message.media if message is not None else None
    if item is None or not item.file_id:
        raise ApiError(404, "this message has no file")
    return _serve(item.file_unique_id or item.file_id, item.file_id, item.file_size, item.mime_type)


@media.get("/conversations/<int(signed=True):chat_id>/avatar")
@login_required
@declare(answers(200, None, 401, 404, 502, description=FILE))
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
            raise ApiError(502, f"the profile photo could not be fetched: {exc}") from exc
    file_id = cache.avatars[user_id]
    if file_id == NO_AVATAR:
        raise ApiError(404, "the customer shows no profile photo")
    return _serve(f"avatar-{user_id}-{file_id[-16:]}", file_id)
