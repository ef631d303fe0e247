"""One call per key at a time, shared: whoever asks for a key while its call runs waits for that
call and gets its result, or its exception, instead of making the call again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Flight(Generic[T]):
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: tuple[T] | None = None  # set when the call returned
        self.error: BaseException | None = None  # set when it raised

    def outcome(self) -> T:
        if self.value is None:
            raise self.error or RuntimeError("the call ended without an outcome")
        return self.value[0]


class SingleFlight(Generic[T]):
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._flights: dict[Hashable, _Flight[T]] = {}

    def run(self, key: Hashable, work: Callable[[], T]) -> T:
        """`work()`, or the outcome of the call for `key` already under way."""
        with self._guard:
            flight = self._flights.get(key)
            leads = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leads:
            flight.done.wait()
            return flight.outcome()
        try:
            flight.value = (work(),)
            return flight.value[0]
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._guard:
                del self._flights[key]  # a later call runs afresh (a failure is not remembered)
            flight.done.set()

    def __len__(self) -> int:
        with self._guard:
            return len(self._flights)
