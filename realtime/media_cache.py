"""The relay's files from the Bot API, kept on disk up to a number of bytes, least recently used out first.

A file is kept under its key (Telegram's `file_unique_id`, which never changes for a file) with
its content type and ETag (its SHA-256) in a JSON file beside it. The files kept add up to at
most `max_bytes` (`DESK_MEDIA_CACHE_BYTES`): keeping one evicts the least recently served until
it fits, and a file bigger than the whole bound is served from memory but not kept. On Cloud
Run the disk is memory, so this bounds the relay's memory too.

However many agents ask for a file at once, it is fetched once and all of them get it (or the
same error). A kept file is handed to the caller's `send` under the cache's lock, so no eviction
removes it before `send` has it open.

On start the cache counts what its directory (its own) already holds, so a relay restarted on
the same machine keeps its files and its bound: they rank by when they were fetched (recency is
not written to disk), and the oldest are evicted if they are over the bound. A half-written file,
or a file without its JSON, is removed.

The cache is per process, as Cloud Run's disk is per instance. Relays on one machine sharing a
directory (`make run` with `DESK_RELAYS` > 1) each count what they keep and what they found on
start; a file another relay removed is fetched again.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TypeVar

from teledesk.single_flight import SingleFlight
from teledesk.telegram.files import Download

log = logging.getLogger(__name__)

T = TypeVar("T")
PARTIAL = ".partial"  # a file being written (never a kept file's name: those have no dot)
NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class CachedFile:
    """What is served with a file's bytes."""

    content_type: str
    etag: str
    size: int


Send = Callable[[Path | IO[bytes], CachedFile], T]


def _name(key: str) -> str:
    return NOT_IN_A_NAME.sub("", key)


class MediaCache:
    def __init__(self, directory: Path, max_bytes: int):
        self.directory = directory
        self.max_bytes = max_bytes
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._files: OrderedDict[str, CachedFile] = OrderedDict()  # by name, least recently served first
        self._bytes = 0
        self._fetching: SingleFlight[tuple[bytes, CachedFile]] = SingleFlight()
        self.avatars: dict[int, str] = {}  # customer id → file_id, or realtime.media.NO_AVATAR
        self._count_what_is_there()

    @property
    def bytes_kept(self) -> int:
        with self._lock:
            return self._bytes

    def kept(self) -> list[str]:
        """The names of the files kept, least recently served first."""
        with self._lock:
            return list(self._files)

    def serve(self, key: str, fetch: Callable[[], Download], send: Send[T]) -> T:
        """`send(file, its description)`: the kept file's path, or (a file too big to keep) its
        bytes; `fetch` makes the download when the file is not kept (once for all who ask)."""
        name = _name(key)
        sent = self._send_kept(name, send)
        if sent is None:
            content, cached = self._fetching.run(name, lambda: self._fetch(name, fetch))
            sent = self._send_kept(name, send)
            if sent is None:
                sent = send(io.BytesIO(content), cached)
        return sent

    def _data(self, name: str) -> Path:
        return self.directory / name

    def _meta(self, name: str) -> Path:
        return self.directory / f"{name}.json"

    def _send_kept(self, name: str, send: Send[T]) -> T | None:
        with self._lock:
            cached = self._files.get(name)
            if cached is None:
                return None
            self._files.move_to_end(name)
            try:
                return send(self._data(name), cached)
            except FileNotFoundError:  # removed by another relay sharing the directory
                self._drop(name)
                return None

    def _fetch(self, name: str, fetch: Callable[[], Download]) -> tuple[bytes, CachedFile]:
        download = fetch()
        cached = CachedFile(download.content_type, hashlib.sha256(download.content).hexdigest(),
                            len(download.content))
        if cached.size <= self.max_bytes:
            try:
                self._keep(name, download.content, cached)
            except OSError as exc:  # a full disk: the file is served all the same
                log.warning("media cache: %s not kept: %s", name, exc)
        return download.content, cached

    def _keep(self, name: str, content: bytes, cached: CachedFile) -> None:
        handle, partial = tempfile.mkstemp(dir=self.directory, suffix=PARTIAL)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            with self._lock:
                self._meta(name).write_text(json.dumps(asdict(cached)))
                os.replace(partial, self._data(name))  # readers never see half a file
                self._add(name, cached)
        finally:
            Path(partial).unlink(missing_ok=True)

    def _add(self, name: str, cached: CachedFile) -> None:
        previous = self._files.pop(name, None)
        self._bytes += cached.size - (previous.size if previous is not None else 0)
        self._files[name] = cached
        while self._bytes > self.max_bytes:
            self._drop(next(iter(self._files)))

    def _drop(self, name: str) -> None:
        cached = self._files.pop(name, None)
        if cached is not None:
            self._bytes -= cached.size
        self._data(name).unlink(missing_ok=True)
        self._meta(name).unlink(missing_ok=True)

    def _count_what_is_there(self) -> None:
        found: list[tuple[float, str, CachedFile]] = []
        for path in list(self.directory.iterdir()):
            half_written = path.name.endswith(PARTIAL)
            orphan = path.suffix == ".json" and not self._data(path.stem).is_file()
            if half_written or orphan:
                path.unlink(missing_ok=True)
            elif path.name == _name(path.name) and path.is_file():
                cached = self._described(path)
                if cached is None:
                    self._drop(path.name)
                else:
                    found.append((path.stat().st_mtime, path.name, cached))
        with self._lock:
            for _, name, cached in sorted(found, key=lambda one: one[:2]):
                self._add(name, cached)

    def _described(self, data: Path) -> CachedFile | None:
        try:
            said = json.loads(self._meta(data.name).read_text())
            return CachedFile(str(said["content_type"]), str(said["etag"]), data.stat().st_size)
        except (OSError, ValueError, KeyError, TypeError):
            return None
