"""The load side: customers, Telegram Updates posted at a steady pace, a timed Socket.IO client.

The Update shape, the secret header and the recording Socket.IO client are the tests' own
(`tests/support.py`); this module adds the clock: when each POST left and when its `message`
event arrived.
"""

from __future__ import annotations

import importlib
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from bench import lifecycle
from teledesk.settings import ROOT

if str(ROOT / "tests") not in sys.path:
    sys.path.append(str(ROOT / "tests"))
support = importlib.import_module("support")  # tests/support.py: text_update, SECRET_HEADER, EventRecorder

FIRST_NAMES = ("Ana", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana", "Igor", "Jia")
SENDER_THREADS = 16
POST_ATTEMPTS = 3  # as Telegram does, a POST that got no answer or a 5xx is sent again
POST_RETRY_PAUSE_S = 0.5


def customers(count: int) -> list[dict[str, Any]]:
    """`count` Telegram users with stable ids (each run has fresh emulators, so ids may repeat)."""
    return [{"id": 700_000_001 + n, "is_bot": False, "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
             "last_name": f"Bench{n}", "username": f"bench_customer_{n}", "language_code": "es"}
            for n in range(count)]


def message_key(update: dict[str, Any]) -> str:
    """The envelope id the desk gives this Update (teledesk.telegram.updates): how arrivals are matched."""
    message = update["message"]
    return f"tg-{message['chat']['id']}-{message['message_id']}"


def updates_for(people: list[dict[str, Any]], count: int, rng: random.Random, spread: bool) -> list[dict[str, Any]]:
    """`count` text Updates; round robin over `people` when not `spread`, else a seeded random pick."""
    chosen = [rng.choice(people) if spread else people[n % len(people)] for n in range(count)]
    return [support.text_update(person, f"Hola, pregunta {n} sobre mi pedido") for n, person in enumerate(chosen)]


class TimedRecorder(support.EventRecorder):
    """The tests' recording client, plus the first arrival time of each `message` event by envelope
    id, and how many times each id came (more than once: a duplicate on the console)."""

    def __init__(self) -> None:
        self.arrivals: dict[str, tuple[float, dict[str, Any]]] = {}
        self.copies: Counter[str] = Counter()
        super().__init__()
        lifecycle.install_handlers()  # python-socketio put its SIGINT handler in front of the bench's

    def _recorder(self, name: str) -> Callable[[Any], None]:
        record = super()._recorder(name)

        def timed(data: Any) -> None:
            now = time.time()
            if name == "message" and isinstance(data, dict):
                key = str(data.get("id"))
                self.arrivals.setdefault(key, (now, data))
                self.copies[key] += 1
            record(data)

        return timed

    def connect(self, base_url: str, cookie: str | None = None) -> TimedRecorder:
        headers = {"Cookie": cookie} if cookie else {}
        self.client.connect(base_url.rstrip("/"), headers=headers, transports=["websocket"], wait_timeout=10)
        return self

    def close(self) -> None:
        if self.client.connected:
            with lifecycle.uninterrupted():
                self.client.disconnect()
        lifecycle.check()


def login(console_url: str, password: str) -> str:
    """Log in as admin (POST /api/login); the session cookie, as a Cookie header value."""
    session = requests.Session()
    answer = session.post(f"{console_url.rstrip('/')}/api/login",
                          json={"username": "admin", "password": password}, timeout=10)
    answer.raise_for_status()
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


@dataclass
class Sample:
    """One message: when its POST left and was answered, its status, when (and how) it arrived."""

    key: str
    sent: float
    answered: float | None = None
    status: int | None = None
    arrived: float | None = None
    trace: dict[str, float] = field(default_factory=dict)
    copies: int = 0  # `message` events seen for it: 1 is right, 2 or more a duplicate
    retries: int = 0  # POSTs sent again after no answer or a 5xx; latency counts from the first

    @property
    def latency_ms(self) -> float | None:
        return None if self.arrived is None else (self.arrived - self.sent) * 1000

    @property
    def answer_ms(self) -> float | None:
        return None if self.answered is None else (self.answered - self.sent) * 1000


class Load:
    """Posts Updates to a webhook at a steady rate, from a pool so a slow answer never delays the pace."""

    def __init__(self, webhook_url: str, secret: str, recorder: TimedRecorder | None = None):
        self.webhook_url = webhook_url
        self.secret = secret
        self.recorder = recorder
        self._local = threading.local()

    def _post(self, update: dict[str, Any]) -> Sample:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        sample = Sample(message_key(update), sent=time.time())
        for attempt in range(POST_ATTEMPTS):
            if attempt:
                sample.retries += 1
                time.sleep(POST_RETRY_PAUSE_S)
            try:
                answer = session.post(self.webhook_url, json=update, headers={support.SECRET_HEADER: self.secret},
                                      timeout=30)
                sample.status = answer.status_code
            except requests.RequestException:
                sample.status = None
            if sample.status is not None and sample.status < 500:
                break
        sample.answered = time.time()
        return sample

    def post_all(self, updates: list[dict[str, Any]], rate: float) -> list[Sample]:
        """Send every update at `rate` per second; the samples, with no arrival yet."""
        with ThreadPoolExecutor(SENDER_THREADS, thread_name_prefix="bench-post") as pool:
            futures = []
            start = time.monotonic()
            for n, update in enumerate(updates):
                lifecycle.check()
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(self._post, update))
            return [f.result() for f in futures]

    def run(self, updates: list[dict[str, Any]], rate: float, drain_timeout: float) -> list[Sample]:
        """Send every update at `rate` per second, then wait up to `drain_timeout` s for the last arrival."""
        assert self.recorder is not None
        samples = self.post_all(updates, rate)
        wanted = {s.key for s in samples if s.status == 200}
        deadline = time.monotonic() + drain_timeout
        while time.monotonic() < deadline and not wanted <= self.recorder.arrivals.keys():
            lifecycle.check()
            time.sleep(0.05)
        self.settle(samples)
        return samples

    def settle(self, samples: list[Sample]) -> None:
        """Fill in each sample's arrival, trace and copies from what the recorder has so far."""
        assert self.recorder is not None
        for sample in samples:
            arrival = self.recorder.arrivals.get(sample.key)
            if arrival is not None:
                sample.arrived = arrival[0]
                sample.trace = {**dict(arrival[1].get("trace") or {}), **sample.trace}
            sample.copies = self.recorder.copies.get(sample.key, 0)


def warm_up(load: Load, people: list[dict[str, Any]], count: int, rate: float, timeout: float, seed: int) -> None:
    """Send `count` messages, one per customer in turn, and wait for them: conversations exist and
    connections are warm before anything is measured. An error when none of them arrived."""
    warm = load.run(updates_for(people, count, random.Random(seed), spread=False), rate, timeout)
    if not any(s.arrived for s in warm):
        raise RuntimeError(f"none of the {len(warm)} warm-up messages reached the Socket.IO client "
                           f"(answers: {sorted({s.status for s in warm}, key=str)})")
