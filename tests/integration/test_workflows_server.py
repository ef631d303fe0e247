"""devtools/runner/workflows_emulator_app.py: the PyPI workflows-emulator serving a workflow on 127.0.0.1 as
Google Cloud would. An execution is started by a Pub/Sub push, the way an Eventarc trigger starts
it, and gets the CloudEvent as its one parameter. Many executions may be asleep at once: the
emulator's own server ran 40 at a time, and the 41st waited for one of them to end.
"""

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

EMULATOR_THREADS = 40  # anyio's default thread pool, which the emulator's own server runs executions in
EXECUTIONS = 100
SLEEP_S = 8  # longer than posting a hundred pushes takes on a loaded machine

WORKFLOW = """
main:
  params: [event]
  steps:
    - read:
        assign:
          - payload: ${json.decode(base64.decode(event.data.message.data))}
    - awake:
        call: http.post
        args:
          url: ${payload.report_to}
          body:
            n: ${payload.n}
            asleep: ${0}
    - nap:
        call: sys.sleep
        args:
          seconds: ${payload.sleep}
    - report:
        call: http.post
        args:
          url: ${payload.report_to}
          body:
            n: ${payload.n}
            asleep: ${1}
            run: ${uuid.generate()}
            type: ${event.type}
            source: ${event.source}
            id: ${event.id}
    - done:
        return: ${payload.n}
"""


@pytest.fixture
def reports() -> Iterator[Endpoint]:
    endpoint = Endpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def workflows(tmp_path: Path) -> Iterator[str]:
    source = tmp_path / "sleepy.yaml"
    source.write_text(WORKFLOW, encoding="utf-8")
    with workflows_server({"sleepy": source}, tmp_path) as url:
        yield url


def sleepy(n: int, report_to: str, sleep_s: float) -> dict[str, Any]:
    return push_body({"n": n, "sleep": sleep_s, "report_to": report_to}, f"m-{n}")


def test_a_hundred_executions_sleep_at_once_each_started_by_a_push_as_eventarc_starts_it(workflows, reports):
    began = time.monotonic()
    for n in range(EXECUTIONS):
        answer = requests.post(f"{workflows}/triggers/sleepy?topic=lifecycle", json=sleepy(n, reports.url, SLEEP_S),
                               timeout=10)
        assert answer.status_code == 204, answer.text  # at once: the execution runs on
    wait_until(lambda: len(reports.got) >= 2 * EXECUTIONS or None, timeout=SLEEP_S * 10)
    fell_asleep = [at for at, body in reports.got if body["asleep"] == 0]
    woke = [at for at, body in reports.got if body["asleep"] == 1]
    # All asleep at once: every execution fell asleep before the first woke. With 40 threads the
    # 41st could not start before one of the first 40 had woken and ended.
    assert len(fell_asleep) == len(woke) == EXECUTIONS > EMULATOR_THREADS
    assert max(fell_asleep) < min(woke), (max(fell_asleep) - began, min(woke) - began)
    by_n = {body["n"]: body for _, body in reports.got if body["asleep"] == 1}
    assert sorted(by_n) == list(range(EXECUTIONS))
    assert by_n[7]["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert by_n[7]["source"] == "//pubsub.googleapis.com/projects/teledesk-test/topics/lifecycle"
    assert by_n[7]["id"] == "m-7"
    assert len({body["run"] for body in by_n.values()}) == EXECUTIONS  # uuid.generate(): an id of each run's own


def test_the_emulator_s_own_execution_route_runs_one_to_its_end(workflows, reports):
    event = {"data": sleepy(1, reports.url, 0), "type": "t", "source": "s", "id": "e-1"}
    answer = requests.post(f"{workflows}/v1/projects/teledesk-test/locations/local/workflows/sleepy/executions",
                           json={"argument": json.dumps({"event": event})}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == 1
    assert [body.get("id") for _, body in reports.got] == [None, "e-1"]  # awake, then done


def test_what_is_not_a_push_or_not_a_workflow_is_refused(workflows):
    def trigger(workflow: str, **body: Any) -> int:
        return requests.post(f"{workflows}/triggers/{workflow}?topic=t", timeout=10, **body).status_code

    assert trigger("sleepy", data=b"{") == 400
    assert trigger("sleepy", json={"no": "message"}) == 400
    assert trigger("other", json=sleepy(0, "x", 0)) == 404
