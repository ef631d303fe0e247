"""realtime/media.py: files for logged-in agents through getFile, cached, served as `send_file` serves
them (ETag, ranges) and never run by a browser."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakeStore
from support import at_once
from werkzeug.serving import make_server

from teledesk.settings import Settings
from teledesk.telegram.files import FileUnavailable, TelegramFiles

TOKEN = "42:media-test"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"p" * 100


class FakeBotApi:
    """getFile, getUserProfilePhotos and the file route, counting what was asked (and getMe, which
    python-telegram-bot asks once when its Bot is first used)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.files: dict[str, bytes] = {}  # file_id → its bytes; any other is PHOTO
        self.delay_s = 0.0
        self.file_status = 200  # otherwise the file route fails with a page that quotes the URL
        self.app = Flask(__name__)
        self.app.post(f"/bot{TOKEN}/getMe")(self.get_me)
        self.app.post(f"/bot{TOKEN}/getFile")(self.get_file)
        self.app.post(f"/bot{TOKEN}/getUserProfilePhotos")(self.profile_photos)
        self.app.get(f"/file/bot{TOKEN}/<path:path>")(self.file)

    def get_me(self):  # type: ignore[no-untyped-def]
        return {"ok": True, "result": {"id": 42, "is_bot": True, "first_name": "Desk", "username": "desk_bot"}}

    def get_file(self):  # type: ignore[no-untyped-def]
        file_id = params()["file_id"]
        self.calls.append(f"getFile {file_id}")
        time.sleep(self.delay_s)
        if file_id == "huge":
            return {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}, 400
        return {"ok": True, "result": {"file_id": file_id, "file_unique_id": "u",
                                       "file_size": len(self.files.get(file_id, PHOTO)),
                                       "file_path": f"photos/{file_id}.jpg"}}

    def profile_photos(self):  # type: ignore[no-untyped-def]
        user = int(params()["user_id"])
        self.calls.append(f"getUserProfilePhotos {user}")
        sizes = [] if user == 404 else [[{"file_id": "small", "file_unique_id": "s", "width": 160, "height": 160},
                                         {"file_id": "avatar", "file_unique_id": "a", "width": 320, "height": 320}]]
        return {"ok": True, "result": {"total_count": len(sizes), "photos": sizes}}

    def file(self, path: str):  # type: ignore[no-untyped-def]
        self.calls.append(f"download {path}")
        if self.file_status != 200:  # as a proxy's error page might: the URL, token and all
            return f"<h1>Bad Gateway</h1><p>{request.url} ({request.full_path})</p>", self.file_status
        return self.files.get(path.removeprefix("photos/").removesuffix(".jpg"), PHOTO)


def params() -> dict:
    """A Bot API call's parameters: python-telegram-bot posts them as a form."""
    return request.get_json(silent=True) or request.form.to_dict()


@pytest.fixture
def bot_api() -> Iterator[tuple[FakeBotApi, str]]:
    fake = FakeBotApi()
    server = make_server("127.0.0.1", 0, fake.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.stop = lambda: (server.shutdown(), server.server_close())  # type: ignore[attr-defined]
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def settings(dist: Path, bot_api: tuple[FakeBotApi, str]) -> Settings:
    return Settings(desk_admin_password=ADMIN_PASSWORD, desk_session_secret="s" * 64, frontend_dist=dist,
                    telegram_bot_token=TOKEN, telegram_api_base=bot_api[1], max_download_bytes=1000,
                    media_cache_dir=dist.parent / "media-cache", media_cache_bytes=500)


def with_photo(store: FakeStore, file_id: str = "ph1", size: int | None = None, mime_type: str | None = None,
               message_id: str = "tg-1-5") -> str:
    media = {"kind": "photo", "file_id": file_id, "file_unique_id": f"uniq-{file_id}",
             **({"file_size": size} if size else {}), **({"mime_type": mime_type} if mime_type else {})}
    store.add_message(CHAT_ID, {"id": message_id, "type": "CLIENT", "chat_id": CHAT_ID, "date": 1, "text": "",
                                "media": media, "direction": "in", "stored_at": 1.0})
    return f"/api/conversations/{CHAT_ID}/messages/{message_id}/media"


def test_only_logged_in_agents_get_files(client: FlaskClient, store: FakeStore):
    assert client.get(with_photo(store)).status_code == 401


def test_a_photo_is_served_with_its_type_and_cached(agent: FlaskClient, store: FakeStore, bot_api):
    fake, _ = bot_api
    url = with_photo(store)
    first, second = agent.get(url), agent.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == PHOTO
    assert first.headers["Content-Type"] == "image/jpeg"
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert fake.calls == ["getFile ph1", "download photos/ph1.jpg"]  # the second came from the cache


def test_agents_opening_one_file_at_once_cost_one_download(agent: FlaskClient, store: FakeStore, bot_api):
    fake, _ = bot_api
    fake.delay_s = 0.3  # a slow Telegram: every request arrives while the first still fetches
    url = with_photo(store)
    answers = at_once(lambda: agent.get(url))
    assert [(a.status_code, a.data) for a in answers] == [(200, PHOTO)] * 20
    assert fake.calls == ["getFile ph1", "download photos/ph1.jpg"]


def test_agents_opening_a_file_telegram_fails_on_cost_one_try(agent: FlaskClient, store: FakeStore, bot_api):
    fake, _ = bot_api
    fake.delay_s, fake.file_status = 0.3, 502
    url = with_photo(store)
    assert [a.status_code for a in at_once(lambda: agent.get(url))] == [502] * 20  # not 20 tries, one by one
    assert fake.calls == ["getFile ph1", "download photos/ph1.jpg"]
    fake.file_status = 200
    assert agent.get(url).data == PHOTO  # a failure is not remembered


def test_a_file_bigger_than_the_cache_is_served_but_not_kept(app: Flask, agent: FlaskClient, store: FakeStore,
                                                             bot_api):
    fake, _ = bot_api
    fake.files["big"] = big = b"B" * 600  # the cache keeps 500 bytes
    fake.delay_s = 0.3
    url = with_photo(store, "big")
    answers = at_once(lambda: agent.get(url), times=5)
    assert [(a.status_code, a.data) for a in answers] == [(200, big)] * 5
    assert fake.calls == ["getFile big", "download photos/big.jpg"]  # one download for those asking at once
    relay = app.extensions["teledesk"]
    assert relay.media_cache.kept() == [] and not list(relay.settings.media_cache_dir.iterdir())
    part = agent.get(url, headers={"Range": "bytes=590-"})
    assert part.status_code == 206 and part.data == big[590:]
    assert fake.calls.count("getFile big") == 2  # not kept: asked again, fetched again


def test_the_cache_keeps_the_recently_served_within_its_bytes(app: Flask, agent: FlaskClient, store: FakeStore,
                                                             bot_api):
    fake, _ = bot_api
    cache = app.extensions["teledesk"].media_cache
    urls = {}
    for n, name in enumerate("abc"):
        fake.files[name] = name.encode() * 200  # the cache keeps 500 bytes: two of them
        urls[name] = with_photo(store, name, message_id=f"tg-1-{n}")
    for name in "abac":  # a is asked again after b, so b is the least recently served when c comes
        assert agent.get(urls[name]).data == name.encode() * 200
    assert cache.kept() == ["uniq-a", "uniq-c"] and cache.bytes_kept == 400
    assert sorted(path.name for path in cache.directory.iterdir()) == ["uniq-a", "uniq-a.json", "uniq-c",
                                                                       "uniq-c.json"]
    assert agent.get(urls["b"]).data == b"b" * 200
    assert cache.kept() == ["uniq-c", "uniq-b"]
    assert [c for c in fake.calls if c.startswith("getFile")] == ["getFile a", "getFile b", "getFile c", "getFile b"]


def test_a_file_is_served_with_an_etag_and_not_again_while_it_matches(agent: FlaskClient, store: FakeStore,
                                                                      bot_api):
    url = with_photo(store)
    first = agent.get(url)
    etag = first.headers["ETag"]
    assert etag == f'"{hashlib.sha256(PHOTO).hexdigest()}"'
    again = agent.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    assert agent.get(url, headers={"If-None-Match": '"another"'}).data == PHOTO


@pytest.mark.parametrize("kept", [False, True], ids=["as-fetched", "from-the-cache"])
def test_a_range_of_a_file_is_served_for_seeking(agent: FlaskClient, store: FakeStore, bot_api, kept):
    url = with_photo(store)
    if kept:
        agent.get(url)
    part = agent.get(url, headers={"Range": "bytes=2-9"})
    assert part.status_code == 206 and part.data == PHOTO[2:10]
    assert part.headers["Content-Range"] == f"bytes 2-9/{len(PHOTO)}"
    assert part.headers["Accept-Ranges"] == "bytes"
    assert part.headers["X-Content-Type-Options"] == "nosniff"
    past = agent.get(url, headers={"Range": f"bytes={len(PHOTO)}-"})
    assert past.status_code == 416
    assert past.headers["Content-Range"] == f"bytes */{len(PHOTO)}"


@pytest.mark.parametrize(("declared", "served", "disposition"), [
    ("image/jpeg", "image/jpeg", "inline"),
    ("video/mp4", "video/mp4", "inline"),
    ("audio/ogg; codecs=opus", "audio/ogg", "inline"),
    ("text/html", "text/html", "attachment"),
    ("image/svg+xml", "image/svg+xml", "attachment"),
    ("application/xml", "application/xml", "attachment"),
    ("application/xhtml+xml", "application/xhtml+xml", "attachment"),
    ("text/javascript", "text/javascript", "attachment"),
    ("application/pdf", "application/pdf", "attachment"),
    ("image/png, text/html", "application/octet-stream", "attachment"),  # a browser would take the last
])
def test_only_images_audio_and_video_are_shown_inline_and_nothing_is_sniffed(agent: FlaskClient,
                                                                              store: FakeStore, bot_api,
                                                                              declared, served, disposition):
    answer = agent.get(with_photo(store, mime_type=declared))
    assert answer.status_code == 200
    assert answer.mimetype == served
    assert answer.headers["Content-Disposition"] == disposition
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(("file_id", "size"), [("ph2", 5000), ("huge", None)])
def test_a_file_over_the_limit_is_too_large_to_download(agent: FlaskClient, store: FakeStore, bot_api, file_id,
                                                        size):
    answer = agent.get(with_photo(store, file_id, size))
    assert answer.status_code == 413 and answer.get_json() == {"error": "too large to download"}
    assert all("download" not in call for call in bot_api[0].calls)


def test_a_message_without_a_file_is_404(agent: FlaskClient, store: FakeStore):
    store.add_message(CHAT_ID, {"id": "tg-1-6", "type": "CLIENT", "chat_id": CHAT_ID, "date": 1, "text": "hola",
                                "media": None, "direction": "in", "stored_at": 1.0})
    assert agent.get(f"/api/conversations/{CHAT_ID}/messages/tg-1-6/media").status_code == 404


def test_the_avatar_is_fetched_once_and_a_customer_without_one_is_404(agent: FlaskClient, store: FakeStore,
                                                                        bot_api):
    fake, _ = bot_api
    url = f"/api/conversations/{CHAT_ID}/avatar"
    assert agent.get(url).data == agent.get(url).data == PHOTO
    assert fake.calls.count(f"getUserProfilePhotos {store.chats[CHAT_ID]['customer']['id']}") == 1
    assert [c for c in fake.calls if c.startswith("getFile")] == ["getFile avatar"]
    store.add_conversation(404)
    store.chats[404]["customer"]["id"] = 404
    assert agent.get("/api/conversations/404/avatar").status_code == 404


def test_messages_with_files_carry_the_url_agents_fetch_them_from(agent: FlaskClient, store: FakeStore):
    url = with_photo(store)
    shown = agent.get(f"/api/conversations/{CHAT_ID}/messages").get_json()["messages"]
    assert next(m for m in shown if m["id"] == "tg-1-5")["media"]["url"] == url


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text and quote(TOKEN) not in text


def test_a_failed_download_says_so_without_the_bot_token(agent: FlaskClient, store: FakeStore, bot_api,
                                                         caplog: pytest.LogCaptureFixture):
    fake, _ = bot_api
    fake.file_status = 502
    caplog.set_level(logging.DEBUG)
    answer = agent.get(with_photo(store))
    assert answer.status_code == 502
    assert "could not be fetched from Telegram" in answer.get_json()["error"]
    assert "Bad Gateway" in answer.get_json()["error"]  # what the server said is kept, its URL without the token
    assert_no_token(answer.get_data(as_text=True), caplog.text)


def test_no_failed_fetch_shows_the_bot_token_whatever_it_says(agent: FlaskClient, store: FakeStore, bot_api,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture):
    def failing(*_: object) -> NoReturn:
        raise FileUnavailable(f"download: {bot_api[1]}/file/bot{TOKEN}/photos/x.jpg: 502")

    monkeypatch.setattr(TelegramFiles, "download", failing)
    monkeypatch.setattr(TelegramFiles, "profile_photo_file_id", failing)
    caplog.set_level(logging.DEBUG)
    media, avatar = agent.get(with_photo(store)), agent.get(f"/api/conversations/{CHAT_ID}/avatar")
    assert media.status_code == avatar.status_code == 502
    assert "/photos/x.jpg" in media.get_json()["error"]
    assert_no_token(media.get_data(as_text=True), avatar.get_data(as_text=True), caplog.text)


def test_an_unreachable_bot_api_says_so_without_the_bot_token(agent: FlaskClient, store: FakeStore, bot_api,
                                                              caplog: pytest.LogCaptureFixture):
    fake, _ = bot_api
    fake.stop()
    caplog.set_level(logging.DEBUG)
    media, avatar = agent.get(with_photo(store)), agent.get(f"/api/conversations/{CHAT_ID}/avatar")
    assert media.status_code == avatar.status_code == 502
    assert_no_token(media.get_data(as_text=True), avatar.get_data(as_text=True), caplog.text)
