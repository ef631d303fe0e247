"""Fixtures shared by the integration, end-to-end and reliability tests.

One pair of official emulators and one whole desk (every function, the relay, the stand-in)
per test session, on free ports; each test uses its own customer (chat id), so tests do not
see each other's conversations.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from leaks import RecordWatch, leaks_in_files, marked_secrets, watched
from monitoring_double import MetricServiceDouble
from support import SECRET_HEADER, TEST_DESK_SETTINGS, EventRecorder, text_update

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import Child, free_port, port_open
from devtools.runner.redis_server import RedisServer
from teledesk.settings import Settings
from teledesk.store import Store


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Once the run is over: no log any desk of the run wrote (under pytest's temporary
    directories), and no log record of this process, holds a secret a desk was given (tests/leaks.py)."""
    records = RecordWatch(watched)
    logging.getLogger().addHandler(records)
    yield
    logging.getLogger().removeHandler(records)
    found = records.found + leaks_in_files(tmp_path_factory.getbasetemp(), watched)
    if found:
        pytest.fail("secrets in the logs of this run:\n" + "\n".join(found[:50]), pytrace=False)


@pytest.fixture(scope="session")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulators]:
    running = Emulators(tmp_path_factory.mktemp("emulators")).start("teledesk-test")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server (Debian's) on a free port, for the tests of several relays."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    child = Child("redis", server.argv(), {}, server.log_dir)
    child.wait_until(lambda: port_open(server.port), timeout=30)
    yield server
    child.stop()


@pytest.fixture(scope="session")
def desk_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The session desk's settings; its theme file does not exist until a test writes one. Its
    secrets are recognisable (`LEAK_MARK`): every log of the run is searched for them."""
    return Settings(
        project_id="teledesk-test",
        **marked_secrets("session"),
        desk_port=free_port(),
        ingest_port=free_port(),
        standin_port=free_port(),
        desk_theme=tmp_path_factory.mktemp("theme") / "theme.json",
        **TEST_DESK_SETTINGS,
    )


@pytest.fixture(scope="session")
def desk(emulators: Emulators, desk_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    running = Desk(desk_settings, log_dir=tmp_path_factory.mktemp("desk-logs"), emulators=emulators).start()
    yield running
    running.stop()


@pytest.fixture
def customer() -> dict[str, Any]:
    """A fresh Telegram user for this test; their private chat has the same id."""
    user_id = random.randint(100_000_000, 999_999_999)
    return {"id": user_id, "is_bot": False, "first_name": "Ana", "last_name": "García",
            "username": f"ana{user_id}", "language_code": "es"}


@pytest.fixture
def post_update(desk: Desk, desk_settings: Settings) -> Callable[..., requests.Response]:
    def post(update: Any, secret: str | None = desk_settings.telegram_webhook_secret, **kwargs: Any):
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(update, (bytes, str)):
            return requests.post(desk.webhook_url, data=update, headers={**headers, "Content-Type":
                                                                         "application/json"}, timeout=10)
        return requests.post(desk.webhook_url, json=update, headers=headers, timeout=10, **kwargs)

    return post


@pytest.fixture
def telegram_sends(desk: Desk) -> Callable[[dict[str, Any]], None]:
    """Have the Telegram stand-in deliver an Update to the webhook, as Telegram would."""

    def send(update: dict[str, Any]) -> None:
        answer = requests.post(f"{desk.standin_url}standin/api/updates", json=update, timeout=10)
        assert answer.status_code == 201, answer.text

    return send


@pytest.fixture
def failures(desk: Desk) -> Iterator[Callable[..., None]]:
    """Have the Telegram stand-in fail its next call of a method (`error_code`, `retry_after`, `description`...);
    what is still planned is cleared after the test."""
    url = f"{desk.standin_url}standin/api/failures"

    def plan(method: str, error_code: int | None, **fields: Any) -> None:
        if error_code is not None:
            fields["error_code"] = error_code
        answer = requests.post(url, json={"method": method, **fields}, timeout=10)
        assert answer.status_code < 300, answer.text

    yield plan
    requests.delete(url, timeout=10)


@pytest.fixture(scope="session")
def desk_store(desk: Desk, desk_settings: Settings) -> Store:
    """The session desk's store (on the emulator), read as every part of the desk reads it."""
    return Store(desk_settings.project_id)


@pytest.fixture
def chat(telegram_sends: Callable[[dict[str, Any]], None], console_events: EventRecorder,
         customer: dict[str, Any]) -> int:
    """A conversation the customer opened (the stand-in knows the chat)."""
    telegram_sends(text_update(customer, "Hola"))
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    return int(customer["id"])


@pytest.fixture
def agent(desk: Desk, desk_settings: Settings) -> requests.Session:
    """An HTTP session logged in as admin."""
    session = requests.Session()
    answer = session.post(f"{desk.console_url}api/login",
                          json={"username": "admin", "password": desk_settings.desk_admin_password}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session


@pytest.fixture
def console_events(desk: Desk, agent: requests.Session) -> Iterator[EventRecorder]:
    recorder = EventRecorder()
    cookie = "; ".join(f"{c.name}={c.value}" for c in agent.cookies)
    recorder.client.connect(desk.console_url.rstrip("/"), headers={"Cookie": cookie}, transports=["websocket"],
                            wait_timeout=10)
    yield recorder
    recorder.client.disconnect()


@pytest.fixture
def bot_api_calls(desk: Desk) -> Callable[[str], list[dict[str, Any]]]:
    """The calls the desk made to the Telegram stand-in's Bot API, by method."""

    def calls(method: str) -> list[dict[str, Any]]:
        answer = requests.get(f"{desk.standin_url}standin/api/calls", params={"method": method}, timeout=10)
        answer.raise_for_status()
        return answer.json()["calls"]

    return calls


@pytest.fixture
def own_project(emulators: Emulators, monkeypatch: pytest.MonkeyPatch) -> str:
    """A Firestore/Pub/Sub project of the test's own on the shared emulators (their hosts set in
    this process), so what the session's desk counts and stores does not mix in."""
    for name, value in emulators.environment.items():
        monkeypatch.setenv(name, value)
    return f"own-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def metric_service() -> Iterator[MetricServiceDouble]:
    """A real gRPC MetricService on a free local port, fresh for each test (Cloud Monitoring has
    no emulator)."""
    with MetricServiceDouble() as service:
        yield service
