"""What the chaos test drives and watches: customers on the Telegram stand-in, agents answering
through the relay's API as the console does, a console that reconnects and refetches, and the
kills. Each keeps what it saw, so the test can say what was lost or doubled, where, and which
kill came before it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio

from devtools.runner.desk import Desk, relay_healthy
from devtools.runner.processes import port_open

PAGE_SIZE = 50  # the relay's history page (realtime/schemas.py); the console pages back by it
UNSETTLED_PAGES = 10  # the console's bound on paging back to answers it holds as queued (stores/messages.js)
CLIENT_RETRY_PAUSE_S = 0.2  # a console's pause before it sends a request again after a connection error
CLIENT_GIVE_UP_S = 90.0  # no answer from the relay for this long fails the test
RECONNECT_DELAY_S = 0.2  # the console's first reconnection delay (Socket.IO's client grows it)
RECONNECT_DELAY_MAX_S = 1.0
BACK_TIMEOUT_S = 90.0  # a killed process not serving again by then fails the test
BUSY_TIMEOUT_S = 10.0  # a process that logs nothing of the stream by then is killed idle
BUSY_LOG_BYTES = 1000  # what a process logs of a few messages of the stream: it is busy with it


def elapsed(since: float) -> str:
    return f"+{time.monotonic() - since:.1f} s"


# -- the kills --------------------------------------------------------------------------------------------

@dataclass
class Kill:
    name: str
    pid: int
    whole_group: bool  # the process and all it started, or the group's leader alone
    at: float  # time.monotonic()
    busy: bool  # it had logged traffic of the stream when it was killed
    back_at: float = 0.0
    new_pid: int = 0


class Chaos:
    """SIGKILLs a desk's processes, and waits for the desk's supervisor to have each serving again.

    A whole process group is an instance that dies with all it runs; the group's leader alone (the
    gunicorn arbiter of a function or of the relay) leaves its worker behind, holding the port,
    for the supervisor to sweep."""

    def __init__(self, desk: Desk, started: float) -> None:
        self.desk, self.started = desk, started
        self.kills: list[Kill] = []

    def logged(self, name: str) -> int:
        """How much `name` has logged (its JSON log, kept across its restarts)."""
        path = self.desk.child(name).log_path
        return path.stat().st_size if path.exists() else 0

    def logging(self, name: str) -> Callable[[], bool]:
        """Whether `name` has logged traffic since now: it is busy with the stream."""
        before = self.logged(name)
        return lambda: self.logged(name) >= before + BUSY_LOG_BYTES

    def kill_when(self, name: str, busy: Callable[[], bool], *, whole_group: bool = True) -> Kill:
        """Kill `name` once `busy()` (or after BUSY_TIMEOUT_S), then wait until it was started
        again and serves."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while not (was_busy := busy()) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = self.desk.child(name).process.pid
        if whole_group:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
        kill = Kill(name, pid, whole_group, time.monotonic(), was_busy)
        self.kills.append(kill)
        kill.new_pid = self._wait_back(name, pid)
        kill.back_at = time.monotonic()
        print(f"chaos: killed {name} ({'group' if whole_group else 'leader'} {pid}, "
              f"{'busy' if was_busy else 'idle'}) at {kill.at - self.started:.1f} s; back as pid {kill.new_pid} "
              f"after {kill.back_at - kill.at:.1f} s", flush=True)
        return kill

    def _wait_back(self, name: str, old_pid: int) -> int:
        """The supervisor (not this test) starts it again; then it must serve: its port, or the
        relay's health."""
        deadline = time.monotonic() + BACK_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                child = self.desk.child(name)
            except StopIteration:  # between the dead one's removal and the new one's start
                child = None
            if child is not None and child.process.pid != old_pid and child.process.poll() is None \
                    and self._serving(name):
                return child.process.pid
            time.sleep(0.1)
        raise AssertionError(f"{name} was not serving again {BACK_TIMEOUT_S:.0f} s after its kill; "
                             f"{self.desk.child(name).where}")

    def _serving(self, name: str) -> bool:
        if name in self.desk.relay_names:
            return relay_healthy(self.desk.relay_ports[self.desk.relay_names.index(name)])
        http = {step.name: self.desk.settings.ingest_port for step in self.desk.manifest.http}
        return port_open({**self.desk.step_ports, **http}[name])

    def around(self, at: float) -> str:
        """The kills just before and after a moment: what to suspect for a loss there."""
        before = [k for k in self.kills if k.at <= at]
        after = [k for k in self.kills if k.at > at]
        parts = []
        if before:
            parts.append(f"after the kill of {before[-1].name} at {before[-1].at - self.started:.1f} s")
        if after:
            parts.append(f"before the kill of {after[0].name} at {after[0].at - self.started:.1f} s")
        return ", ".join(parts) or "no kill"


# -- customers ------------------------------------------------------------------------------------------

@dataclass
class Customer:
    user_id: int
    first_name: str
    said: list[str] = field(default_factory=list)

    def identity(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "first_name": self.first_name, "last_name": "Chaos",
                "username": f"chaos{self.user_id}", "language_code": "en"}


class Customers:
    """Customers typing in Telegram: the stand-in queues each message as an Update and delivers
    them to the webhook one at a time, retrying as Telegram does while ingest is down."""

    def __init__(self, standin_url: str, customers: list[Customer]) -> None:
        self.standin_url, self.customers = standin_url, customers
        self.posted_at: dict[str, float] = {}  # a text → when its customer sent it
        self.http = requests.Session()

    def say(self, customer: Customer, text: str) -> None:
        answer = self.http.post(f"{self.standin_url}customer/api/messages",
                                json={**customer.identity(), "text": text}, timeout=10)
        assert answer.status_code == 201, answer.text
        customer.said.append(text)
        self.posted_at[text] = time.monotonic()


# -- agents -----------------------------------------------------------------------------------------------

@dataclass
class Answer:
    chat_id: int
    text: str
    client_id: str
    twice: bool  # the console sends it again with the same client_id after it was taken (a lost response)
    posted_at: float = 0.0
    attempts: int = 0


class Agent:
    """An agent answering through the relay's API as the console does: an answer whose request
    failed (the relay died under it) is sent again with the same client_id until it is taken."""

    def __init__(self, console_url: str, http: requests.Session) -> None:
        self.console_url, self.http = console_url, http

    def send(self, answer: Answer) -> None:
        answer.posted_at = time.monotonic()
        self._until_taken(answer)
        if answer.twice:
            self._until_taken(answer)

    def _until_taken(self, answer: Answer) -> None:
        deadline = time.monotonic() + CLIENT_GIVE_UP_S
        while True:
            answer.attempts += 1
            try:
                reply = self.http.post(f"{self.console_url}api/conversations/{answer.chat_id}/messages",
                                       json={"text": answer.text, "client_id": answer.client_id}, timeout=10)
            except requests.RequestException:
                reply = None
            if reply is not None and reply.status_code == 202:
                return
            assert reply is None or reply.status_code >= 500, (reply.status_code, reply.text)
            assert time.monotonic() < deadline, f"the relay took no answer for {CLIENT_GIVE_UP_S} s"
            time.sleep(CLIENT_RETRY_PAUSE_S)


# -- the console ----------------------------------------------------------------------------------------

def later_delivery(held: dict[str, Any] | None, incoming: dict[str, Any]) -> Any:
    """As the console: a settled delivery state (sent, failed) never goes back to queued, but for
    a retry of the answer (stores/messages.js, laterDelivery)."""
    old, new = (held or {}).get("delivery"), incoming.get("delivery")
    if not old or not new:
        return new or old
    if (new.get("retry") or 0) != (old.get("retry") or 0):
        return new if (new.get("retry") or 0) > (old.get("retry") or 0) else old
    return old if new.get("state") == "queued" and old.get("state") != "queued" else new


class ConsoleView:
    """What one agent's console holds: messages by id, from its socket and from the refetch it does
    on every (re)connect (ARCHITECTURE.md, frontend/src/socket/reconnect.js): the conversation
    list, then each watched chat's newest page, and, when that page starts after the newest
    message it held (a hole), the pages before it until the hole is filled, as the agent
    scrolling up would (frontend/src/stores/messages.js, skipHole and loadOlder); then the pages
    back to the answers it still holds as queued (refreshUnsettled).
    """

    def __init__(self, console_url: str, http: requests.Session, chats: Iterable[int]) -> None:
        self.console_url, self.http = console_url, http
        self.held: dict[int, dict[str, dict[str, Any]]] = {chat: {} for chat in chats}
        self.received: Counter[str] = Counter()  # message id → `message` events with it (repeats included)
        self.deliveries: dict[str, list[str]] = {}  # message id → the delivery states its events said
        self.connects = 0
        self.refetches = 0
        self._lock = threading.Lock()
        self._up = threading.Event()  # between a `connect` and a `disconnect` (the client's own flag lags)
        self.client = socketio.Client(reconnection=True, reconnection_attempts=0,
                                      reconnection_delay=RECONNECT_DELAY_S,
                                      reconnection_delay_max=RECONNECT_DELAY_MAX_S)
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", lambda *_: self._up.clear())
        self.client.on("message", self._on_message)
        self.client.on("delivery", self._on_delivery)

    def connect(self) -> None:
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        self.client.connect(self.console_url.rstrip("/"), headers={"Cookie": cookie}, transports=["websocket"],
                            wait_timeout=10)

    def close(self) -> None:
        self.client.disconnect()

    def _on_connect(self) -> None:
        with self._lock:
            self.connects += 1
        self._up.set()
        threading.Thread(target=self._refetch, name="console-refetch", daemon=True).start()

    def _on_message(self, message: dict[str, Any]) -> None:
        with self._lock:
            self.received[message["id"]] += 1
            self._hold(message)

    def _on_delivery(self, delivery: dict[str, Any]) -> None:
        with self._lock:
            self.deliveries.setdefault(str(delivery.get("message_id")), []).append(str(delivery.get("state")))

    def _hold(self, message: dict[str, Any]) -> None:
        chat = self.held.get(message.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            return
        held = chat.get(message["id"])
        if held is None or (message.get("revision") or 0) >= (held.get("revision") or 0):
            chat[message["id"]] = {**message, "delivery": later_delivery(held, message)}

    def _refetch(self) -> None:
        """As the console: a failed fetch while the socket is up is asked again; one that fails
        because the relay died is done again on the next connect."""
        deadline = time.monotonic() + CLIENT_GIVE_UP_S
        while self._up.is_set() and time.monotonic() < deadline:
            try:
                self._fetch_all()
            except (requests.RequestException, ValueError):
                time.sleep(CLIENT_RETRY_PAUSE_S)
                continue
            with self._lock:
                self.refetches += 1
            return

    def _get(self, path: str, **params: Any) -> Any:
        answer = self.http.get(f"{self.console_url}api/{path}", params=params, timeout=10)
        if answer.status_code >= 500:
            raise requests.RequestException(f"{answer.status_code} from {path}")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def _fetch_all(self) -> None:
        self._get("conversations")
        for chat_id in list(self.held):
            with self._lock:
                stamps = [m.get("stored_at") or 0 for m in self.held[chat_id].values()]
            newest_held = max(stamps) if stamps else None
            page = self._get(f"conversations/{chat_id}/messages")["messages"]
            self._hold_all(page)
            while newest_held is not None and len(page) >= PAGE_SIZE:  # a hole: the agent scrolls up
                oldest = min(m["stored_at"] for m in page)
                if oldest <= newest_held:
                    break
                page = self._get(f"conversations/{chat_id}/messages", before=oldest)["messages"]
                self._hold_all(page)
            for _ in range(UNSETTLED_PAGES):  # refreshUnsettled: answers held as queued the page missed
                oldest = min(m["stored_at"] for m in page) if len(page) >= PAGE_SIZE else None
                if oldest is None or not self._queued_before(chat_id, oldest):
                    break
                page = self._get(f"conversations/{chat_id}/messages", before=oldest)["messages"]
                self._hold_all(page)

    def _queued_before(self, chat_id: int, stamp: float) -> bool:
        with self._lock:
            return any((m.get("delivery") or {}).get("state") == "queued" and (m.get("stored_at") or stamp) < stamp
                       for m in self.held[chat_id].values())

    def _hold_all(self, messages: list[dict[str, Any]]) -> None:
        with self._lock:
            for message in messages:
                self._hold(message)

    def shown_failed(self, chat_id: int, message_id: str) -> bool:
        """An answer the console shows as failed: a `delivery` event said so, or the refetch did."""
        with self._lock:
            refetched = (self.held[chat_id].get(message_id) or {}).get("delivery") or {}
            return "failed" in self.deliveries.get(message_id, []) or refetched.get("state") == "failed"

    def texts(self, chat_id: int) -> Counter[str]:
        """How many held messages of a chat carry each text (two ids for one text: a duplicate)."""
        with self._lock:
            return Counter(m.get("text") or "" for m in self.held[chat_id].values())

    def events(self) -> int:
        with self._lock:
            return sum(self.received.values()) + sum(len(states) for states in self.deliveries.values())
