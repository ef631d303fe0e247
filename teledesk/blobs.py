"""Where agents' uploads wait until deliver sends them to Telegram.

The relay writes an upload under a key; the envelope carries the key; deliver reads the bytes
and uploads them to Telegram (multipart, never by URL, so Telegram never needs to reach the
desk). Locally the blobs are files in a directory (`DESK_BLOB_DIR`, default `.teledesk/blobs`
at the project root), shared by the relay and the functions on one machine. On Google Cloud
they are objects in a bucket (`DESK_BLOB_BUCKET`), through `google-cloud-storage`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Protocol

from google.api_core import exceptions as gexc
from google.cloud import storage  # type: ignore[attr-defined]  # google-cloud-storage has no py.typed

from teledesk.settings import ROOT, merged_environment

KEY = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_.-]+)*$")


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


def _checked(key: str) -> str:
    if not KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a blob key: {key!r}")
    return key


class LocalBlobStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise KeyError(key) from exc


class GcsBlobStore:
    """Objects in a Cloud Storage bucket; the client is the process's one (`storage_client`).
    With `STORAGE_EMULATOR_HOST` set, the library talks to that server instead (the tests')."""

    def __init__(self, bucket: str):
        self.bucket = storage_client().bucket(bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.bucket.blob(_checked(key)).upload_from_string(data, content_type=content_type)

    def get(self, key: str) -> bytes:
        try:
            data: bytes = self.bucket.blob(_checked(key)).download_as_bytes()
        except gexc.NotFound as exc:
            raise KeyError(key) from exc
        return data


@functools.cache
def storage_client() -> storage.Client:
    """This process's Cloud Storage client (made once: each one opens its own connections)."""
    return storage.Client()


def blob_store(environ: dict[str, str] | None = None) -> BlobStore:
    env = environ if environ is not None else merged_environment()
    if env.get("DESK_BLOB_BUCKET"):
        return GcsBlobStore(env["DESK_BLOB_BUCKET"])
    return LocalBlobStore(Path(env.get("DESK_BLOB_DIR") or ROOT / ".teledesk" / "blobs"))
