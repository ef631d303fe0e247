"""The webhook turns away wrong secrets and malformed bodies, publishes nothing, and lives on."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from google.cloud import pubsub_v1
from support import text_update

pytestmark = pytest.mark.integration


@pytest.fixture
def tg_updates_tap(desk):
    """A pull subscription on `tg-updates` made for this test: what ingest publishes lands here.

    The emulator hands a new subscription what the topic retained from before, so only what
    ingest stamped after the tap was made counts.
    """
    since_ms = time.time() * 1000
    subscriber = pubsub_v1.SubscriberClient()
    project = desk.settings.project_id
    path = subscriber.subscription_path(project, f"tap-{uuid.uuid4().hex[:8]}")
    subscriber.create_subscription(request={"name": path, "topic": f"projects/{project}/topics/tg-updates"})

    def published() -> list[dict]:
        found = []
        while True:
            answer = subscriber.pull(request={"subscription": path, "max_messages": 100}, timeout=3)
            if not answer.received_messages:
                return found
            found += [e for e in (json.loads(m.message.data) for m in answer.received_messages)
                      if e["trace"]["ingest"] >= since_ms]
            subscriber.acknowledge(request={"subscription": path,
                                            "ack_ids": [m.ack_id for m in answer.received_messages]})

    yield published
    subscriber.delete_subscription(request={"subscription": path})
    subscriber.close()


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_wrong_or_missing_secret_is_refused_and_publishes_nothing(post_update, tg_updates_tap, customer, secret):
    answer = post_update(text_update(customer, "sneaky"), secret=secret)
    assert answer.status_code in (401, 403)
    assert [e for e in tg_updates_tap() if e["chat_id"] == customer["id"]] == []


@pytest.mark.parametrize("body", ["{not json", "[]", '"a string"', '{"update_id": "7"}', '{"message": {}}'])
def test_malformed_body_gets_400_and_publishes_nothing(post_update, tg_updates_tap, body):
    answer = post_update(body)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and answer.json()["description"]
    assert tg_updates_tap() == []


def test_the_desk_lives_on_after_bad_input(post_update, tg_updates_tap, console_events, customer):
    post_update("{broken", secret="nope")
    post_update("{broken")
    assert post_update(text_update(customer, "still here")).status_code == 200
    assert [e["text"] for e in tg_updates_tap() if e["chat_id"] == customer["id"]] == ["still here"]
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"] and m["text"] == "still here")


def test_hostile_and_oversized_text_travels_as_data(post_update, console_events, customer):
    hostile = '<img src=x onerror=alert(1)> "quotes" & ampersands \u202e\u0000'
    assert post_update(text_update(customer, hostile)).status_code == 200
    message = console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    assert message["text"] == hostile
    assert post_update(b'{"update_id": 1, "padding": "' + b"x" * (1024 * 1024 + 1) + b'"}').status_code == 413
