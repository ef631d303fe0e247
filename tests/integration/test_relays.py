"""Two relays on one Redis (a real redis-server), as `DESK_RELAYS=2` runs them: every agent gets every
message once, whichever relay their console is on and whichever relay pulled it; answers, presence
and ended sessions cross relays; a relay killed mid-stream loses nothing."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from leaks import marked_secrets
from support import (
    SECRET_HEADER,
    TEST_DESK_SETTINGS,
    TEST_OUTBOX_SWEEP_S,
    EventRecorder,
    connect_console,
    free_port_pair,
    new_agent,
    text_update,
    wait_until,
)

from devtools.runner.desk import Desk, relay_healthy
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from devtools.runner.redis_server import RedisServer
from teledesk.envelope import Envelope, MessageType
from teledesk.settings import Settings
from teledesk.store import Store

pytestmark = pytest.mark.integration

SECRETS = marked_secrets("relays")
SECRET, PASSWORD = SECRETS["telegram_webhook_secret"], SECRETS["desk_admin_password"]


@pytest.fixture(scope="module")
def relays(emulators: Emulators, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = Settings(
        project_id="teledesk-relays", **SECRETS,
        desk_port=free_port_pair(), desk_relays=2, desk_redis_url=redis_server.url,
        ingest_port=free_port(), standin_port=free_port(), **TEST_DESK_SETTINGS,
    )
    desk = Desk(settings, log_dir=tmp_path_factory.mktemp("relays-logs"), emulators=emulators).start()
    yield desk
    desk.stop()


@pytest.fixture(scope="module")
def admin(relays: Desk) -> requests.Session:
    session = requests.Session()
    assert session.post(f"{relays.console_urls[0]}api/login", json={"username": "admin", "password": PASSWORD},
                        timeout=10).status_code == 200
    return session


@pytest.fixture
def consoles() -> Iterator[Any]:
    opened: list[EventRecorder] = []

    def open_console(url: str, session: requests.Session, *events: str) -> EventRecorder:
        opened.append(connect_console(EventRecorder(*events), url, session))
        return opened[-1]

    yield open_console
    for recorder in opened:
        if recorder.client.connected:
            recorder.client.disconnect()


def customers(n: int) -> list[dict[str, Any]]:
    first = random.randint(100_000_000, 900_000_000)
    return [{"id": first + i, "is_bot": False, "first_name": f"Cliente {i}", "language_code": "es"} for i in range(n)]


def post(desk: Desk, update: dict[str, Any]) -> None:
    answer = requests.post(desk.webhook_url, json=update, headers={SECRET_HEADER: SECRET}, timeout=30)
    assert answer.status_code == 200, answer.text


def message_id(update: dict[str, Any]) -> str:
    return f"tg-{update['message']['chat']['id']}-{update['message']['message_id']}"


def shown(recorder: EventRecorder, ids: set[str]) -> Counter[str]:
    return Counter(m["id"] for m in recorder.of("message", lambda m: m["id"] in ids))


def test_each_agent_on_each_relay_gets_each_message_once(relays, admin, consoles):
    on_one, on_two = consoles(relays.console_urls[0], admin), consoles(relays.console_urls[1], admin)
    people = customers(20)
    updates = [text_update(random.choice(people), f"mensaje {n}") for n in range(200)]
    ids = {message_id(u) for u in updates}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda u: post(relays, u), updates))

    wait_until(lambda: len(shown(on_one, ids)) == len(shown(on_two, ids)) == 200, timeout=120)
    time.sleep(1.0)  # a repeat would come now
    for recorder in (on_one, on_two):
        counts = shown(recorder, ids)
        assert set(counts) == ids and set(counts.values()) == {1}


def test_an_answer_through_relay_two_is_sent_once_and_its_ticks_reach_relay_one(relays, admin, consoles):
    watcher = consoles(relays.console_urls[0], admin)
    [customer] = customers(1)
    through_telegram = requests.post(f"{relays.standin_url}standin/api/updates", timeout=10,
                                     json=text_update(customer, "¿dónde está mi pedido?"))
    assert through_telegram.status_code == 201, through_telegram.text  # the stand-in knows the chat now
    watcher.wait_for("message", lambda m: m["chat_id"] == customer["id"])

    client_id = uuid.uuid4().hex
    text = f"Ya sale, {client_id}"
    url = f"{relays.console_urls[1]}api/conversations/{customer['id']}/messages"
    for _ in range(2):  # the console retrying its POST: one answer
        assert admin.post(url, json={"text": text, "client_id": client_id}, timeout=10).status_code == 202

    sent = watcher.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent", timeout=30)
    assert sent["chat_id"] == customer["id"]
    time.sleep(1.0)
    calls = requests.get(f"{relays.standin_url}standin/api/calls", params={"method": "sendMessage"}, timeout=10)
    assert len([c for c in calls.json()["calls"] if c["params"].get("text") == text]) == 1


def test_an_answer_stored_but_never_published_is_handed_over_by_one_relay_once(relays, admin, consoles):
    # What a relay leaves when it dies (or Pub/Sub fails) between storing an answer and publishing it:
    # both relays sweep the outbox, one hands it over.
    watcher = consoles(relays.console_urls[0], admin)
    [customer] = customers(1)
    through_telegram = requests.post(f"{relays.standin_url}standin/api/updates", timeout=10,
                                     json=text_update(customer, "¿Hay alguien?"))
    assert through_telegram.status_code == 201, through_telegram.text
    watcher.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    client_id = uuid.uuid4().hex
    text = f"Sí, aquí {client_id[:6]}"
    envelope = Envelope(id=f"agent-{client_id}", type=MessageType.AGENT, chat_id=customer["id"],
                        date=int(time.time()), text=text,
                        extra={"client_id": client_id, "agent": {"username": "admin", "name": "Admin"}})
    Store(relays.settings.project_id).answers.queue(customer["id"], envelope)

    watcher.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent", timeout=30)
    time.sleep(2 * TEST_OUTBOX_SWEEP_S)  # a second hand-over, and a second send, would come now
    calls = requests.get(f"{relays.standin_url}standin/api/calls", params={"method": "sendMessage"}, timeout=10)
    assert len([c for c in calls.json()["calls"] if c["params"].get("text") == text]) == 1
    handed = sum(relays.child(name).log_path.read_text(encoding="utf-8").count(f"outbox: handed {envelope.id} ")
                 for name in relays.relay_names)
    assert handed == 1


def test_presence_typing_and_ended_sessions_cross_relays(relays, admin, consoles):
    username, bea = new_agent(relays.console_urls[0], admin, "Bea")
    typist = consoles(relays.console_urls[0], admin, "presence")
    watcher = consoles(relays.console_urls[1], bea, "presence", "session_ended")
    chat_id = random.randint(100_000_000, 999_999_999)

    typist.client.emit("presence", {"chat_id": chat_id, "typing": True})
    seen = watcher.wait_for("presence", lambda p: p["chat_id"] == chat_id, timeout=10)
    assert seen["agents"] == [{"username": "admin", "name": "Admin", "typing": True}]
    typist.client.emit("presence", {"chat_id": None, "typing": False})
    assert watcher.wait_for("presence", lambda p: p["chat_id"] == chat_id and not p["agents"], timeout=10)

    disabled = admin.post(f"{relays.console_urls[0]}api/agents/{username}/disable", timeout=10)
    assert disabled.status_code == 200
    assert watcher.wait_for("session_ended", lambda _: True, timeout=10) == {"reason": "disabled"}
    wait_until(lambda: not watcher.client.connected, timeout=10)
    assert typist.client.connected


def test_a_logout_on_one_relay_ends_the_session_and_its_sockets_on_the_other(relays, consoles):
    first, second = relays.console_urls

    def admin_browser() -> requests.Session:
        browser = requests.Session()
        answer = browser.post(f"{first}api/login", json={"username": "admin", "password": PASSWORD}, timeout=10)
        assert answer.status_code == 200, answer.text
        return browser

    leaving, staying = admin_browser(), admin_browser()
    thief = requests.Session()
    thief.cookies.update(leaving.cookies)
    assert thief.get(f"{second}api/me", timeout=10).status_code == 200  # one session, on every relay
    tab = consoles(second, leaving, "session_ended")
    other = consoles(second, staying, "session_ended")

    assert leaving.post(f"{first}api/logout", timeout=10).status_code == 204
    assert tab.wait_for("session_ended", lambda _: True, timeout=10) == {"reason": "logout"}
    wait_until(lambda: not tab.client.connected, timeout=10)
    assert thief.get(f"{second}api/me", timeout=10).status_code == 401
    assert other.client.connected and other.of("session_ended") == []
    assert staying.get(f"{second}api/me", timeout=10).status_code == 200


def test_a_relay_killed_mid_stream_loses_nothing(relays, admin, consoles):
    survivor = consoles(relays.console_urls[0], admin)
    people = customers(10)
    updates = [text_update(random.choice(people), f"durante la caída {n}") for n in range(100)]
    ids = {message_id(u) for u in updates}
    posted = threading.Event()

    def send_all() -> None:
        for n, update in enumerate(updates):
            post(relays, update)
            if n == 30:
                posted.set()
            time.sleep(0.05)

    sender = threading.Thread(target=send_all)
    sender.start()
    assert posted.wait(30)
    os.killpg(relays.child("relay-2").process.pid, signal.SIGKILL)  # what it pulled and did not ack comes back
    sender.join(60)

    wait_until(lambda: len(shown(survivor, ids)) == 100, timeout=90)
    time.sleep(1.0)
    assert set(shown(survivor, ids).values()) == {1}
    assert relays.restart_dead() == ["relay-2"]  # as `make run` (and Cloud Run) would
    wait_until(lambda: relay_healthy(relays.relay_ports[1]), timeout=60)
