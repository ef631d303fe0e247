"""teledesk/single_flight.py: one call per key at a time, its outcome shared by all who asked meanwhile."""

from __future__ import annotations

import time

from support import at_once

from teledesk.single_flight import SingleFlight


def test_who_asks_while_a_call_runs_gets_its_result_or_its_error():
    flight: SingleFlight[str] = SingleFlight()
    calls: list[str] = []

    def slow(outcome: str) -> str:
        calls.append(outcome)
        time.sleep(0.3)
        if outcome == "fail":
            raise LookupError("gone")
        return outcome

    assert at_once(lambda: flight.run("a", lambda: slow("done"))) == ["done"] * 20
    failures = at_once(lambda: flight.run("b", lambda: slow("fail")))
    assert {type(f) for f in failures} == {LookupError} and len(failures) == 20
    assert calls == ["done", "fail"] and len(flight) == 0


def test_a_call_after_one_ended_runs_afresh_and_keys_do_not_wait_for_each_other():
    flight: SingleFlight[int] = SingleFlight()
    assert flight.run("a", lambda: 1) == 1 and flight.run("a", lambda: 2) == 2
    started = time.monotonic()
    assert sorted(at_once(lambda: flight.run(time.monotonic_ns(), lambda: time.sleep(0.3) or 3), 5)) == [3] * 5
    assert time.monotonic() - started < 1
