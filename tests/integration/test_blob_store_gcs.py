"""teledesk.blobs.GcsBlobStore against the PyPI gcp-storage-emulator, started here: agents' uploads
kept in a bucket as on Google Cloud (`DESK_BLOB_BUCKET`), read back whole, a missing one a
KeyError (deliver then fails the answer with the reason), a bad key refused before any call."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.runner.processes import Child, free_port, port_open
from teledesk import blobs
from teledesk.blobs import GcsBlobStore, blob_store

pytestmark = pytest.mark.integration

BUCKET = "teledesk-uploads-test"


@pytest.fixture
def gcs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The emulator on a free port, with the bucket Terraform would make; the library pointed at it."""
    executable = str(Path(sys.executable).parent / "gcp-storage-emulator")  # installed beside pytest (.[dev])
    port = free_port()
    child = Child("gcs", [executable, "start", "--host", "127.0.0.1", "--port", str(port), "--in-memory",
                          "--default-bucket", BUCKET], {"PATH": "/usr/bin:/bin"}, tmp_path)
    try:
        child.wait_until(lambda: port_open(port), timeout=30)
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
        blobs.storage_client.cache_clear()
        yield BUCKET
    finally:
        blobs.storage_client.cache_clear()
        child.stop()


def test_an_upload_is_kept_whole_with_its_type_and_read_back(gcs: str):
    store = GcsBlobStore(gcs)
    data = bytes(range(256)) * 4096  # 1 MiB, every byte value
    store.put("4242/k1/factura.pdf", data, "application/pdf")
    assert store.get("4242/k1/factura.pdf") == data
    stored = blobs.storage_client().bucket(gcs).get_blob("4242/k1/factura.pdf")
    assert stored is not None and stored.content_type == "application/pdf" and stored.size == len(data)


def test_a_missing_upload_is_a_key_error_and_a_bad_key_is_refused_before_any_call(gcs: str):
    store = GcsBlobStore(gcs)
    with pytest.raises(KeyError):
        store.get("4242/never/put.png")
    for key in ("../etc/passwd", "4242/../x", "/abs", "a b"):
        with pytest.raises(ValueError, match="not a blob key"):
            store.put(key, b"x", "text/plain")


def test_the_bucket_setting_chooses_cloud_storage_and_one_client_serves_the_process(gcs: str, tmp_path: Path):
    chosen = blob_store({"DESK_BLOB_BUCKET": gcs})
    assert isinstance(chosen, GcsBlobStore)
    chosen.put("7/k2/nota.txt", "¡hola!".encode(), "text/plain; charset=utf-8")
    assert blob_store({"DESK_BLOB_BUCKET": gcs}).get("7/k2/nota.txt") == "¡hola!".encode()
    assert blobs.storage_client() is blobs.storage_client()
    assert not isinstance(blob_store({"DESK_BLOB_DIR": str(tmp_path)}), GcsBlobStore)  # no bucket: local files
