"""Every file the stand-in holds: what the bot uploaded, what customers sent, avatars and stickers.

Each stored file gets a `file_id` (random, usable for getFile and for re-sending), a
`file_unique_id` (derived from the content, so the same bytes keep the same one, as in Telegram)
and a `file_path` in Telegram's layout (`photos/file_3.jpg`, `voice/file_4.oga`...) that the
download route `/file/bot<token>/<file_path>` serves. The bytes live in memory: a restart forgets
them, like everything else in the stand-in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from . import media
from .limits import PHOTO_THUMBNAIL_SIDE

Kind = Literal["photo", "document", "video", "voice", "audio", "animation", "sticker", "profile_photo"]

# Folders of Telegram's own file paths.
_FOLDERS: dict[str, str] = {
    "photo": "photos",
    "document": "documents",
    "video": "videos",
    "voice": "voice",
    "audio": "music",
    "animation": "animations",
    "sticker": "stickers",
    "profile_photo": "profile_photos",
}

# A first byte per kind, so ids of different kinds never look alike (Telegram's encode the type too).
_ID_TAGS = {kind: index + 1 for index, kind in enumerate(_FOLDERS)}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class StoredFile:
    """One file and what Telegram would report about it."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    mime_type: str
    file_name: str | None
    file_path: str
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    # Extra fields of the media object as Telegram fills them (performer, title, emoji...).
    extra: dict[str, Any] = field(default_factory=dict)
    # A photo's smaller sizes, smallest first; the photo itself is the last size.
    smaller: list[StoredFile] = field(default_factory=list)

    @property
    def file_size(self) -> int:
        return len(self.data)

    # --- the Bot API objects that describe it (fields in api.json's order) ---------------------------

    def as_file(self) -> dict[str, Any]:
        """`File`, as getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def as_photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width or 0,
            "height": self.height or 0,
            "file_size": self.file_size,
        }

    def as_photo(self) -> list[dict[str, Any]]:
        """Message.photo: "Available sizes of the photo", the largest last."""
        return [size.as_photo_size() for size in self.smaller] + [self.as_photo_size()]

    def as_media(self, kind: str) -> dict[str, Any] | list[dict[str, Any]]:
        """The Message field for this file sent as `kind` (photo, document, voice...)."""
        if kind == "photo":
            return self.as_photo()
        ids: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        duration = self.duration or 0
        if kind == "document":
            return ids | self._named() | {"file_size": self.file_size}
        if kind == "voice":
            return ids | {"duration": duration, "mime_type": self.mime_type, "file_size": self.file_size}
        if kind == "audio":
            tags = {key: self.extra[key] for key in ("performer", "title") if self.extra.get(key)}
            return ids | {"duration": duration} | tags | self._named() | {"file_size": self.file_size}
        if kind in ("video", "animation"):
            size = {"width": self.width or 0, "height": self.height or 0, "duration": duration}
            return ids | size | self._named() | {"file_size": self.file_size}
        if kind == "sticker":
            sticker = ids | {
                "type": "regular",
                "width": self.width or 0,
                "height": self.height or 0,
                "is_animated": False,
                "is_video": False,
            }
            if self.extra.get("emoji"):
                sticker["emoji"] = self.extra["emoji"]
            return sticker | {"file_size": self.file_size}
        raise ValueError(f"no media object for {kind}")

    def _named(self) -> dict[str, Any]:
        named: dict[str, Any] = {}
        if self.file_name:
            named["file_name"] = self.file_name
        named["mime_type"] = self.mime_type
        return named


class FileStore:
    """Thread-safe map of file_id and file_path to stored files."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._by_key: dict[str, StoredFile] = {}
        self._counter = 0

    def add(
        self,
        kind: Kind,
        data: bytes,
        *,
        mime_type: str | None = None,
        file_name: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> StoredFile:
        """Keep the bytes under a new file_id; dimensions and duration are read from them when not given."""
        mime = mime_type or media.mime_type(data, file_name, None)
        if width is None or height is None:
            size = media.image_size(data)
            if size is None and kind in ("video", "animation"):
                info = media.mp4_info(data)
                size = info[:2] if info else None
                if info and duration is None:
                    duration = info[2]
            if size is not None:
                width = size[0] if width is None else width
                height = size[1] if height is None else height
        if duration is None and kind in ("voice", "audio"):
            duration = media.ogg_duration(data)
        unique = _b64(bytes([_ID_TAGS[kind]]) + hashlib.sha256(kind.encode() + data).digest()[:11])
        file_id = _b64(bytes([_ID_TAGS[kind], 0]) + secrets.token_bytes(30))
        with self._lock:
            self._counter += 1
            path = f"{_FOLDERS[kind]}/file_{self._counter}.{media.extension(mime)}"
            stored = StoredFile(
                file_id,
                unique,
                kind,
                data,
                mime,
                file_name,
                path,
                width,
                height,
                duration,
                dict(extra or {}),
            )
            self._by_id[file_id] = stored
            self._by_path[path] = stored
        return stored

    def add_photo(self, data: bytes, *, kind: Kind = "photo", file_name: str | None = None) -> StoredFile:
        """A photo with a smaller size in front, as Telegram keeps several.

        The small size is a flat placeholder of the right proportions, tinted by the photo's
        content so different photos get different thumbnails (the stand-in cannot decode JPEG to
        scale it); the upload itself is the last, largest size.
        """
        photo = self.add(kind, data, file_name=file_name)
        width, height = photo.width or 0, photo.height or 0
        if max(width, height) > PHOTO_THUMBNAIL_SIDE:
            scale = PHOTO_THUMBNAIL_SIDE / max(width, height)
            small_w, small_h = max(1, round(width * scale)), max(1, round(height * scale))
            tint = hashlib.sha256(data).digest()
            color = (160 + tint[0] % 96, 160 + tint[1] % 96, 160 + tint[2] % 96)
            thumbnail = self.add(kind, media.flat_png(small_w, small_h, color), mime_type="image/png")
            photo.smaller = [thumbnail]
        return photo

    def add_once(self, key: str, make: Any) -> StoredFile:
        """A generated file made once per key (a sticker per emoji, an avatar per user): `make()` stores it."""
        with self._lock:
            known = self._by_key.get(key)
        if known is not None:
            return known
        stored = make()
        with self._lock:
            return self._by_key.setdefault(key, stored)

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        with self._lock:
            return self._by_path.get(file_path)
