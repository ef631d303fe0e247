"""What tests need to see and steer: the log of Bot API calls and the planned failures.

The desk's delivery code must cope with 429, 403, 400 and 500 from Telegram; a real bot can't be
made to fail on demand, the stand-in can. Both classes are thread-safe because the stand-in is
served by a threaded server and the log is read while calls are in flight.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .errors import BotApiError, default_description

CALL_LOG_MAX = 10_000  # enough for any test run; keeps a long local session from growing without bound


class CallLog:
    """Every Bot API call: method, parameters, time and outcome, oldest first."""

    def __init__(self, maxlen: int = CALL_LOG_MAX) -> None:
        self._lock = threading.Lock()
        self._calls: deque[dict[str, Any]] = deque(maxlen=maxlen)

    def record(
        self, method: str, params: dict[str, Any], started: float, *, ok: bool, error_code: int | None = None
    ) -> None:
        entry: dict[str, Any] = {"method": method, "params": params, "time": started, "ok": ok}
        if error_code is not None:
            entry["error_code"] = error_code
        with self._lock:
            self._calls.append(entry)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Calls of one method (case-insensitive, as Bot API method names are) or all of them."""
        with self._lock:
            snapshot = list(self._calls)
        if method:
            snapshot = [c for c in snapshot if c["method"].lower() == method.lower()]
        return snapshot

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


@dataclass(frozen=True)
class PlannedFailure:
    """One answer to give instead of the real one, or to give late.

    With `delay` the answer waits that many seconds: alone, the call is carried out at once and
    its normal answer held back (a client with a shorter timeout gives up although Telegram did
    the work, as when a response is lost on the way); with an `error_code`, the error comes late.
    With `chat_id` only calls for that chat take it (one customer's chat flooded, or hanging,
    while the others are served).
    """

    error_code: int | None
    description: str
    retry_after: int | None = None
    delay: float | None = None
    chat_id: str | None = None

    def applies_to(self, chat_id: object) -> bool:
        return self.chat_id is None or self.chat_id == str(chat_id)

    def to_error(self) -> BotApiError | None:
        if self.error_code is None:
            return None
        parameters = {"retry_after": self.retry_after} if self.retry_after is not None else None
        return BotApiError(self.error_code, self.description, parameters)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.error_code is not None:
            body = {"error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
        if self.delay is not None:
            body["delay"] = self.delay
        if self.chat_id is not None:
            body["chat_id"] = self.chat_id
        return body


class FailurePlan:
    """Per method, a queue of failures handed out one per call until used up."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: dict[str, deque[PlannedFailure]] = {}

    def add(
        self,
        method: str,
        error_code: int | None,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        count: int = 1,
        delay: float | None = None,
        chat_id: int | str | None = None,
    ) -> int:
        """Plan `count` failures (or late answers) of `method` (for one chat's calls only, with
        `chat_id`); returns how many are now waiting for it."""
        if error_code is None and not delay:
            raise ValueError("a planned failure needs an error_code, a delay, or both")
        if error_code == 429 and retry_after is None:
            retry_after = 1  # a 429 without retry_after is not something Telegram sends
        if error_code is not None:
            description = description or default_description(error_code, retry_after)
        failure = PlannedFailure(error_code, description or "", retry_after, delay or None,
                                 str(chat_id) if chat_id is not None else None)
        with self._lock:
            queue = self._planned.setdefault(method.lower(), deque())
            queue.extend([failure] * count)
            return len(queue)

    def take(self, method: str, chat_id: object = None) -> PlannedFailure | None:
        """The next failure planned for this call of `method` (to `chat_id`), if any."""
        with self._lock:
            queue = self._planned.get(method.lower())
            failure = next((f for f in queue if f.applies_to(chat_id)), None) if queue else None
            if queue is None or failure is None:
                return None
            queue.remove(failure)
            if not queue:
                del self._planned[method.lower()]
            return failure

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        with self._lock:
            return {method: [f.to_json() for f in queue] for method, queue in self._planned.items()}

    def clear(self, method: str | None = None) -> None:
        with self._lock:
            if method:
                self._planned.pop(method.lower(), None)
            else:
                self._planned.clear()
