"""Call log and failure plan."""

from __future__ import annotations

import pytest

from devtools.standin.calls import CallLog, FailurePlan


def test_call_log_filters_case_insensitively_and_is_bounded() -> None:
    log = CallLog(maxlen=3)
    for i, method in enumerate(["getMe", "sendMessage", "sendMessage", "getUpdates"]):
        log.record(method, {"i": i}, float(i), ok=True)
    assert [c["params"]["i"] for c in log.calls()] == [1, 2, 3]  # oldest dropped
    assert [c["params"]["i"] for c in log.calls("SENDMESSAGE")] == [1, 2]


def test_failure_plan_defaults() -> None:
    plan = FailurePlan()
    plan.add("sendMessage", 429)
    plan.add("sendMessage", 403)
    throttled = plan.take("sendmessage")
    assert throttled is not None
    error = throttled.to_error()
    assert error is not None
    assert (error.error_code, error.description, error.parameters) == (
        429,
        "Too Many Requests: retry after 1",
        {"retry_after": 1},
    )
    blocked = plan.take("sendMessage")
    assert blocked is not None and blocked.description == "Forbidden: bot was blocked by the user"
    assert plan.take("sendMessage") is None
    assert plan.pending() == {}


def test_failure_plan_delays() -> None:
    plan = FailurePlan()
    plan.add("sendMessage", None, delay=3)
    plan.add("sendMessage", 500, delay=1.5)
    late = plan.take("sendMessage")
    assert late is not None and (late.delay, late.to_error()) == (3, None)
    failing = plan.take("sendMessage")
    assert failing is not None and failing.delay == 1.5
    error = failing.to_error()
    assert error is not None and error.error_code == 500
    with pytest.raises(ValueError):
        plan.add("sendMessage", None)
