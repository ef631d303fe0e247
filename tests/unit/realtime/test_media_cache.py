"""realtime/media_cache.py: files kept on disk within a number of bytes, least recently served out
first, and counted again when a relay starts on the same directory. (One fetch however many ask at
once: test_media.py, through the routes, and tests/unit/teledesk/test_single_flight.py.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from realtime.media_cache import CachedFile, MediaCache
from teledesk.telegram.files import Download


class Telegram:
    """Downloads of `<key>` as that key's letter repeated `size` times, counted."""

    def __init__(self, size: int = 40):
        self.size = size
        self.fetched: list[str] = []

    def fetch(self, key: str, size: int | None = None) -> Callable[[], Download]:
        def download() -> Download:
            self.fetched.append(key)
            return Download(key[0].encode() * (size or self.size), "image/jpeg")

        return download


def read(file: Path | IO[bytes], cached: CachedFile) -> bytes:
    """A `send` that reads what it is given, as send_file would."""
    return file.read_bytes() if isinstance(file, Path) else file.read()


def on_disk(cache: MediaCache) -> int:
    return sum(path.stat().st_size for path in cache.directory.iterdir() if path.suffix != ".json")


def test_the_files_kept_never_add_up_to_more_than_the_bound(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram(size=30)
    sizes = {"e": 90}  # e alone leaves room for nothing else
    for key in "abcdefabca":
        assert cache.serve(key, telegram.fetch(key, sizes.get(key)), read) == key.encode() * sizes.get(key, 30)
        assert cache.bytes_kept == on_disk(cache) <= 100
    assert cache.kept() == ["b", "c", "a"] and telegram.fetched == list("abcdefabc")


def test_the_least_recently_served_goes_first(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram()
    for key in "aba":
        cache.serve(key, telegram.fetch(key), read)
    cache.serve("c", telegram.fetch("c"), read)
    assert cache.kept() == ["a", "c"] and not (tmp_path / "b").exists() and not (tmp_path / "b.json").exists()
    assert cache.serve("a", telegram.fetch("a"), read) == b"a" * 40
    assert telegram.fetched == ["a", "b", "c"]


def test_a_file_bigger_than_the_bound_is_served_but_not_kept(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram()
    cache.serve("a", telegram.fetch("a"), read)
    assert cache.serve("b", telegram.fetch("b", 101), read) == b"b" * 101
    assert cache.kept() == ["a"] and sorted(p.name for p in tmp_path.iterdir()) == ["a", "a.json"]


def test_a_restarted_relay_counts_what_its_directory_holds(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram()
    for n, key in enumerate("ab"):
        cache.serve(key, telegram.fetch(key), read)
        os.utime(tmp_path / key, (1000 + n, 1000 + n))  # fetched in that order, whatever the clock's grain
    (tmp_path / "tmp123.partial").write_bytes(b"half")  # a relay stopped while writing
    (tmp_path / "c").write_bytes(b"c" * 10)  # without what it is
    (tmp_path / "d.json").write_text('{"content_type": "image/jpeg", "etag": "x"}')  # without its file
    (tmp_path / "e").write_bytes(b"e" * 10)
    (tmp_path / "e.json").write_text("not JSON")

    again = MediaCache(tmp_path, max_bytes=100)
    assert again.kept() == ["a", "b"] and again.bytes_kept == 80
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "a.json", "b", "b.json"]
    assert again.serve("a", telegram.fetch("a"), lambda file, cached: cached) == cache.serve(
        "a", telegram.fetch("a"), lambda file, cached: cached)  # the same type and ETag
    assert telegram.fetched == ["a", "b"]

    smaller = MediaCache(tmp_path, max_bytes=50)  # the bound lowered: the least recently fetched go
    assert smaller.kept() == ["b"] and on_disk(smaller) == 40


@pytest.mark.parametrize(("key", "name"), [("../escape", "escape"), ("a/b", "ab"), ("a.json", "ajson")])
def test_a_key_names_a_file_in_the_directory_only(tmp_path: Path, key: str, name: str):
    cache = MediaCache(tmp_path / "cache", max_bytes=100)
    assert cache.serve(key, Telegram().fetch(key), read) == key[0].encode() * 40
    assert sorted(os.listdir(tmp_path)) == ["cache"]
    assert sorted(os.listdir(tmp_path / "cache")) == [name, f"{name}.json"]


def test_a_file_evicted_while_it_is_being_sent_is_sent_whole(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram(size=60)

    def open_it(file: Path | IO[bytes], cached: CachedFile) -> IO[bytes]:
        return file.open("rb") if isinstance(file, Path) else file  # as send_file does, streaming afterwards

    cache.serve("a", telegram.fetch("a"), read)
    streaming = cache.serve("a", telegram.fetch("a"), open_it)  # an agent's download of a, still going
    cache.serve("b", telegram.fetch("b"), read)  # keeping b evicts a
    assert cache.kept() == ["b"] and not (tmp_path / "a").exists()
    with streaming:
        assert streaming.read() == b"a" * 60


def test_a_kept_file_removed_behind_the_cache_is_fetched_again(tmp_path: Path):
    cache, telegram = MediaCache(tmp_path, max_bytes=100), Telegram()
    cache.serve("a", telegram.fetch("a"), read)
    (tmp_path / "a").unlink()  # another relay on the same directory evicted it
    assert cache.serve("a", telegram.fetch("a"), read) == b"a" * 40
    assert telegram.fetched == ["a", "a"]
    assert cache.kept() == ["a"] and cache.bytes_kept == on_disk(cache) == 40
