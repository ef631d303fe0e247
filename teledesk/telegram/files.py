"""Reading files from the Bot API: a message's media and a customer's profile photo.

`getFile` then the download URL of the configured Bot API base: Telegram's own server serves
files up to 20 MB; a self-hosted Bot API server (same protocol, `TELEGRAM_API_BASE`) lifts the
limit, which `TELEGRAM_MAX_DOWNLOAD_BYTES` then raises to match.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

import requests

TIMEOUT_S = 30


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


class TelegramFiles:
    def __init__(self, token: str, api_base: str, max_bytes: int, session: requests.Session | None = None):
        self.token = token
        self.api_base = api_base.rstrip("/")
        self.max_bytes = max_bytes
        self.http = session or requests.Session()

    def _call(self, method: str, **params: Any) -> Any:
        try:
            answer = self.http.post(f"{self.api_base}/bot{self.token}/{method}", json=params, timeout=TIMEOUT_S)
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise FileUnavailable(f"{method}: {exc}") from exc
        if not body.get("ok"):
            description = str(body.get("description", ""))
            if "too big" in description:
                raise FileTooLarge(description)
            raise FileUnavailable(f"{method}: {description or answer.status_code}")
        return body["result"]

    def download(self, file_id: str, size_hint: int | None = None, mime_type: str | None = None) -> Download:
        if size_hint is not None and size_hint > self.max_bytes:
            raise FileTooLarge(f"{size_hint} bytes is over the {self.max_bytes}-byte download limit")
        found = self._call("getFile", file_id=file_id)
        if (found.get("file_size") or 0) > self.max_bytes or "file_path" not in found:
            raise FileTooLarge("the Bot API gives no download for this file")
        path = found["file_path"]
        try:
            answer = self.http.get(f"{self.api_base}/file/bot{self.token}/{path}", timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise FileUnavailable(str(exc)) from exc
        if answer.status_code != 200:
            raise FileUnavailable(f"download answered {answer.status_code}")
        return Download(answer.content, content_type_of(path, mime_type))

    def profile_photo_file_id(self, user_id: int) -> str | None:
        """The customer's current profile photo (a small size), or None if they show none."""
        photos = self._call("getUserProfilePhotos", user_id=user_id, limit=1)
        sizes = (photos.get("photos") or [[]])[0]
        if not sizes:
            return None
        return sizes[min(1, len(sizes) - 1)]["file_id"]  # the second size is ~320px: enough for an avatar
