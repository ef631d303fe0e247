"""Reading files from the Bot API: a message's media and a customer's profile photo.

`getFile` then the download URL of the configured Bot API base, both through the process's one
`Bot` (`teledesk.telegram.bot`): Telegram's own server serves files up to 20 MB; a self-hosted
Bot API server (same protocol, `TELEGRAM_API_BASE`) lifts the limit, which
`TELEGRAM_MAX_DOWNLOAD_BYTES` then raises to match.

A download URL holds the bot token, and so may what python-telegram-bot says about a failed
request: what these errors say is redacted (`teledesk.redaction.redact`), since the relay
shows it to agents.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram import Bot
from telegram.error import TelegramError

from teledesk.redaction import redact
from teledesk.telegram.bot import shared_bot

TIMEOUT_S = 30

T = TypeVar("T")


class FileTooLarge(Exception):
    """The Bot API will not hand this file out (over its download limit)."""


class FileUnavailable(Exception):
    """Telegram does not know the file (any more), or could not be reached."""


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str


def content_type_of(file_path: str, declared: str | None = None) -> str:
    return declared or mimetypes.guess_type(file_path)[0] or "application/octet-stream"


def _said(exc: TelegramError) -> str:
    """What went wrong: Telegram's description, or the HTTP status of an answer that was not the
    Bot API's JSON (PTB quotes such a page whole after ". Parsing the server response"); no token."""
    said = exc.message.split(". Parsing the server response", 1)[0]
    return redact(said) or type(exc).__name__


class TelegramFiles:
    def __init__(self, token: str, api_base: str, max_bytes: int):
        self.telegram = shared_bot(token, api_base)
        self.max_bytes = max_bytes

    def _read(self, method: str, work: Callable[[Bot], Awaitable[T]]) -> T:
        try:
            return self.telegram.run(work)
        except TelegramError as exc:
            if "too big" in exc.message.lower():
                raise FileTooLarge(_said(exc)) from exc
            raise FileUnavailable(f"{method}: {_said(exc)}") from exc

    def download(self, file_id: str, size_hint: int | None = None, mime_type: str | None = None) -> Download:
        if size_hint is not None and size_hint > self.max_bytes:
            raise FileTooLarge(f"{size_hint} bytes is over the {self.max_bytes}-byte download limit")

        async def fetch(bot: Bot) -> Download:
            found = await bot.get_file(file_id, read_timeout=TIMEOUT_S)
            url_prefix = f"{bot.base_file_url}/"
            if (found.file_size or 0) > self.max_bytes or not found.file_path:
                raise FileTooLarge("the Bot API gives no download for this file")
            if not found.file_path.startswith(url_prefix):
                # PTB leaves a file_path that names a file on this machine as it is (for a local
                # Bot API server) and would read it from disk: the desk only downloads.
                raise FileUnavailable("getFile: the Bot API gave no download URL for this file")
            path = found.file_path.removeprefix(url_prefix)
            try:
                content = await found.download_as_bytearray(read_timeout=TIMEOUT_S)
            except TelegramError as exc:
                raise FileUnavailable(f"download: {_said(exc)}") from exc
            return Download(bytes(content), content_type_of(path, mime_type))

        return self._read("getFile", fetch)

    def profile_photo_file_id(self, user_id: int) -> str | None:
        """The customer's current profile photo (a small size), or None if they show none."""

        async def first_photo(bot: Bot) -> str | None:
            photos = await bot.get_user_profile_photos(user_id, limit=1, read_timeout=TIMEOUT_S)
            sizes = photos.photos[0] if photos.photos else ()
            if not sizes:
                return None
            return sizes[min(1, len(sizes) - 1)].file_id  # the second size is ~320px: enough for an avatar

        return self._read("getUserProfilePhotos", first_photo)
