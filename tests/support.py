"""Helpers the tests share: documented Update shapes, a recording Socket.IO client, waiting, asking at once."""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests
import socketio
from requests.adapters import HTTPAdapter

from devtools.runner.processes import free_port_run

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The workplace's shared data (the Bot API as data, real Updates): ../shared beside the repository, or the
# workplace's own for a clone made elsewhere (a clean-clone check in /tmp).
SHARED = next((p for p in (Path(__file__).resolve().parents[1].parent / "shared", Path("/work/shared")) if p.is_dir()),
              Path("/work/shared"))
T = TypeVar("T")
_update_ids = itertools.count(random.randint(10_000_000, 90_000_000))

TEST_SEND_LEASE_S = 20  # the session desk's sender lease, short so a test sees one expire (production: 90)
TEST_OUTBOX_SWEEP_S = 2  # the session desk's outbox sweep (production: 10)
# What every test desk sets beside its ports and secrets: login limits no test trips by logging in often (the limits'
# own tests set theirs), and the short lease and sweep above.
TEST_DESK_SETTINGS: dict[str, Any] = {
    "desk_login_limit_per_username": "1000/minute", "desk_login_limit_per_address": "10000/minute",
    "desk_login_concurrency": 16, "desk_send_lease_s": TEST_SEND_LEASE_S, "desk_outbox_sweep_s": TEST_OUTBOX_SWEEP_S,
}


def text_update(customer: dict[str, Any], text: str, message_id: int | None = None) -> dict[str, Any]:
    """An Update as the Bot API documents it: a private text message from `customer`."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id or update_id % 1_000_000,
            "from": customer,
            "chat": {"id": customer["id"], "type": "private", "first_name": customer["first_name"],
                     "last_name": customer.get("last_name"), "username": customer.get("username")},
            "date": int(time.time()),
            "text": text,
        },
    }


class EventRecorder:
    """A real Socket.IO client that keeps every event it receives."""

    def __init__(self, *more_events: str) -> None:
        """Records the contract's events, and `more_events` (e.g. presence, session_ended)."""
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._changed = threading.Condition()
        for name in ("message", "conversation", "delivery", *more_events):
            self.client.on(name, self._recorder(name))

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return record

    def of(self, name: str, where: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        with self._changed:
            return [data for event, data in self.events if event == name and where(data)]

    def wait_for(self, name: str, where: Callable[[Any], bool], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [data for event, data in self.events if event == name and where(data)]
                if found:
                    return found[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {name!r} event matched within {timeout} s; got {self.events[-5:]}")
                self._changed.wait(remaining)


def connect_console(recorder: EventRecorder, console_url: str, session: requests.Session) -> EventRecorder:
    """Connect `recorder` as the console of a logged-in HTTP session (websocket, the session cookie)."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    recorder.client.connect(console_url.rstrip("/"), headers={"Cookie": cookie}, transports=["websocket"],
                            wait_timeout=10)
    return recorder


def new_agent(console_url: str, admin: requests.Session, name: str) -> tuple[str, requests.Session]:
    """An agent added by the admin (a fresh username: a desk may live for the whole test session), logged in."""
    username, password = f"{name.lower()}-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    created = admin.post(f"{console_url}api/agents", timeout=10,
                         json={"username": username, "name": name, "role": "agent", "password": password})
    assert created.status_code == 201, created.text
    assert created.json()["agent"] == {"username": username, "name": name, "role": "agent", "disabled": False,
                                       "telegram_id": None}
    session = requests.Session()
    login = session.post(f"{console_url}api/login", json={"username": username, "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    return username, session


class _FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_at(address: str) -> requests.Session:
    """An HTTP client whose requests come from `address`, one of the loopback addresses (all of
    127.0.0.0/8 on Linux): a client address of a test's own, as the relay sees it."""
    session = requests.Session()
    session.mount("http://", _FromAddress(address))
    return session


def own_loopback_address() -> str:
    """A loopback address no other test uses (the desks listen on 127.0.0.1)."""
    return f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"


def free_port_pair() -> int:
    """A free port whose next port is free too (two relays listen on DESK_PORT and DESK_PORT + 1)."""
    return free_port_run(2)


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def at_once(ask: Callable[[], T], times: int = 20) -> list[T | Exception]:
    """`ask()` from `times` threads started together; what each got (its answer, or what it raised)."""
    answers: list[T | Exception] = []

    def one() -> None:
        try:
            answers.append(ask())
        except Exception as exc:
            answers.append(exc)

    threads = [threading.Thread(target=one) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers



def reply(desk: Any, agent: requests.Session, chat_id: int, text: str, **body: Any) -> str:
    """An agent's answer through the API (202); its client_id."""
    client_id = uuid.uuid4().hex
    answer = agent.post(f"{desk.console_url}api/conversations/{chat_id}/messages",
                        json={"text": text, "client_id": client_id, **body}, timeout=10)
    assert answer.status_code == 202, answer.text
    return client_id


def being_sent(store: Any, chat_id: int, message_id: str) -> bool:
    """Whether a sender holds a lease on an answer (`delivery.sending`): its send is under way."""
    stored = store.messages.get(chat_id, message_id)
    return stored is not None and stored.delivery is not None and stored.delivery.sending is not None


def held_by_the_standin(standin_url: str, chat_id: int) -> bool:
    """Whether the stand-in took what was planned for `chat_id`'s calls: a call for that chat reached
    it (with a planned delay, its answer is being held back). A lease alone does not say the call left."""
    planned = requests.get(f"{standin_url}standin/api/failures", timeout=10).json()["failures"]
    return not any(failure.get("chat_id") == chat_id for queue in planned.values() for failure in queue)
