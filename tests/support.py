"""Helpers the tests share: documented Update shapes, a recording Socket.IO client, waiting."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_update_ids = itertools.count(random.randint(10_000_000, 90_000_000))


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

    def __init__(self) -> None:
        self.client = socketio.Client(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self._changed = threading.Condition()
        for name in ("message", "conversation", "delivery"):
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


def wait_until(condition: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")

