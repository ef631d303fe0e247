"""realtime/media.py: files for logged-in agents through getFile, cached, with their type."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakeStore
from werkzeug.serving import make_server

from teledesk.settings import Settings

TOKEN = "42:media-test"
PHOTO = b"\x89PNG\r\n\x1a\n" + b"p" * 100


class FakeBotApi:
    """getFile, getUserProfilePhotos and the file route, counting what was asked (and getMe, which
    python-telegram-bot asks once when its Bot is first used)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
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
        return {"ok": True, "result": {"file_id": file_id, "file_unique_id": "u", "file_size": len(PHOTO),
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
        return PHOTO


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
                    media_cache_dir=dist.parent / "media-cache")


def with_photo(store: FakeStore, file_id: str = "ph1", size: int | None = None) -> str:
    media = {"kind": "photo", "file_id": file_id, "file_unique_id": f"uniq-{file_id}",
             **({"file_size": size} if size else {})}
    store.add_message(CHAT_ID, {"id": "tg-1-5", "type": "CLIENT", "chat_id": CHAT_ID, "date": 1, "text": "",
                                "media": media, "direction": "in", "stored_at": 1.0})
    return f"/api/conversations/{CHAT_ID}/messages/tg-1-5/media"


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
    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(agent.get(url).status_code)) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 5
    assert fake.calls == ["getFile ph1", "download photos/ph1.jpg"]


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


def test_an_unreachable_bot_api_says_so_without_the_bot_token(agent: FlaskClient, store: FakeStore, bot_api,
                                                              caplog: pytest.LogCaptureFixture):
    fake, _ = bot_api
    fake.stop()
    caplog.set_level(logging.DEBUG)
    media, avatar = agent.get(with_photo(store)), agent.get(f"/api/conversations/{CHAT_ID}/avatar")
    assert media.status_code == avatar.status_code == 502
    assert_no_token(media.get_data(as_text=True), avatar.get_data(as_text=True), caplog.text)
