"""workflows/conversation.yaml on the workflows-emulator (devtools/runner/workflows_emulator_app.py): the loop
that watches one opening of a conversation. Started by a push, as its Eventarc trigger starts it,
it sleeps until the first thing can come due (the opening's `wait_s`), asks the timers step (an
endpoint here that answers as the step does) and sleeps as long as
the step says. It asks again with the same run id, rides out a 503 (retried) and a 500 (rested on,
then asked again), and ends when the step says the watch is over, or when the step refuses the
call (a 4xx: asking again would not mend it). The YAML calls the step with
OIDC, as Google Cloud needs; the local server sends calls to this machine without a token."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from support import wait_until
from workflows_support import Endpoint, push_body, workflows_server

from teledesk.settings import ROOT

WORKFLOW = ROOT / "workflows" / "conversation.yaml"
SLEEP_S = 2
WAIT_S = 2  # the opening's: nothing can come due before
REST_S = 1  # DESK_LIFECYCLE_REST_S
CHAT, OPENED_AT = 5_550_001, 1_764_000_000.5
OPENING = {"chat_id": CHAT, "opened_at": OPENED_AT}


def as_the_step_answers(body: dict[str, Any], calls_before: int) -> tuple[int, Any]:
    if calls_before == 0:
        return 503, {"error": "starting"}  # the function's instance not ready yet: the workflow retries
    if calls_before == 1:
        return 500, {"error": "a bug"}  # not retried: the watch rests REST_S and asks again
    if calls_before == 2:
        return 200, {"done": False, "sleep_s": SLEEP_S}
    return 200, {"done": True, "sleep_s": 0, "why": "resolved"}


@pytest.fixture
def step() -> Iterator[Endpoint]:
    endpoint = Endpoint(as_the_step_answers)
    yield endpoint
    endpoint.close()


def test_the_watch_asks_the_step_sleeps_as_told_and_ends_when_told(step: Endpoint, tmp_path: Path):
    with workflows_server({"conversation": WORKFLOW}, tmp_path, env={"DESK_TIMERS_URL": step.url,
                                                                   "DESK_LIFECYCLE_REST_S": str(REST_S)}) as url:
        answer = requests.post(f"{url}/triggers/conversation?topic=lifecycle", timeout=10,
                               json=push_body({**OPENING, "wait_s": WAIT_S}, "opened-1"))
        triggered = time.monotonic()
        assert answer.status_code == 204, answer.text
        wait_until(lambda: len(step.got) >= 4 or None, timeout=30)
        wait_until(lambda: "succeeded" in (tmp_path / "workflows.out").read_text(), timeout=10)
    times = [at for at, _ in step.got]
    bodies = [body for _, body in step.got]
    assert len(bodies) == 4  # the 503, the 500, the answer that said sleep, the one that ended the watch
    assert all((body["chat_id"], body["opened_at"]) == (CHAT, OPENED_AT) for body in bodies)
    assert len({body["run"] for body in bodies}) == 1  # one run id for the whole watch
    assert times[0] - triggered >= WAIT_S  # the first look waited for the first thing that can be due
    assert times[2] - times[1] >= REST_S  # rested after the failure the retries could not mend
    assert times[3] - times[2] >= SLEEP_S  # slept as told before asking again
    lines = (tmp_path / "workflows.out").read_text().splitlines()
    logged = [json.loads(line) for line in lines if line.startswith("{")]
    [ended] = [entry["message"] for entry in logged if "succeeded" in entry["message"]]
    assert '"why": "resolved"' in ended  # the execution returned the step's last answer


def test_the_step_s_refusal_ends_the_watch_and_a_403_is_rested_on(tmp_path: Path):
    """A 400 is the step refusing the call (asking again would not mend it); a 403 is Cloud Run's
    IAM while a grant settles after a deploy, which will mend."""
    calls = {"refused": Endpoint(lambda body, n: (400, {"error": "expected {chat_id, opened_at, run}"})),
             "forbidden": Endpoint(lambda body, n: (403, {"error": "forbidden"}) if n == 0 else (200, {"done": True}))}
    try:
        with workflows_server({"conversation": WORKFLOW}, tmp_path, env={
                "DESK_TIMERS_URL": calls["refused"].url, "DESK_LIFECYCLE_REST_S": "1"}) as url, \
             workflows_server({"conversation": WORKFLOW}, tmp_path / "forbidden", env={
                "DESK_TIMERS_URL": calls["forbidden"].url, "DESK_LIFECYCLE_REST_S": "1"}) as forbidden_url:
            for base, message_id in ((url, "opened-2"), (forbidden_url, "opened-3")):
                answer = requests.post(f"{base}/triggers/conversation?topic=lifecycle", timeout=10,
                                       json=push_body({**OPENING, "wait_s": 1}, message_id))
                assert answer.status_code == 204, answer.text
            wait_until(lambda: "failed" in (tmp_path / "workflows.out").read_text(), timeout=30)
            wait_until(lambda: "succeeded" in (tmp_path / "forbidden" / "workflows.out").read_text(), timeout=30)
            time.sleep(2.5)  # more than the rest it would have taken before asking again
            assert len(calls["refused"].got) == 1  # not rested on and asked again
            assert len(calls["forbidden"].got) == 2  # rested on, asked again, told the watch is over
    finally:
        for endpoint in calls.values():
            endpoint.close()
