"""`python -m teledesk.replay` on the emulators with the whole desk: a window replayed and dead letters
moved back, twice each, and nothing stored, shown or sent twice.

The emulator seeks and dead-letters only subscriptions without message ordering (measured; see
docs/replay.md and the first test): for the others, `unordered` puts the step's push subscription
back as the manifest makes it but without ordering, for the length of one test. Same name, same push
endpoint, retry and dead-letter policy; it is the steps, Pub/Sub's seek and its dead-lettering that
run for real. The seek of an ordered subscription is tested against a fake in tests/unit.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1
from support import text_update, wait_until

from devtools.runner.desk import Desk
from devtools.runner.topology import push_subscription_request
from teledesk.manifest import Manifest
from teledesk.settings import ROOT

pytestmark = pytest.mark.integration

CUSTOMER_MESSAGES = 3


def replay(desk: Desk, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command as an operator runs it, against the desk's emulator and project."""
    env = {**os.environ, **desk.emulators.environment, "GOOGLE_CLOUD_PROJECT": desk.settings.project_id}
    return subprocess.run([sys.executable, "-m", "teledesk.replay", *argv], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


def replayed(desk: Desk, *argv: str) -> str:
    done = replay(desk, *argv)
    assert done.returncode == 0, done.stderr
    return done.stdout


def fresh(subscriber: Any, request: dict[str, Any]) -> None:
    """(Re)create a subscription that starts empty, as on Google Cloud. The emulator hands a new
    subscription every message its topic retains (measured), so it is made without its push
    endpoint, drained, and only then pointed at it."""
    with contextlib.suppress(gexc.NotFound):
        subscriber.delete_subscription(request={"subscription": request["name"]})
    subscriber.create_subscription(request={k: v for k, v in request.items() if k != "push_config"})
    while True:
        try:
            pulled = subscriber.pull(request={"subscription": request["name"], "max_messages": 1000}, timeout=2)
        except gexc.DeadlineExceeded:
            break
        if not pulled.received_messages:
            break
        subscriber.acknowledge(request={"subscription": request["name"],
                                        "ack_ids": [m.ack_id for m in pulled.received_messages]})
    if "push_config" in request:
        subscriber.modify_push_config(request={"subscription": request["name"], "push_config": request["push_config"]})


@pytest.fixture
def unordered(desk: Desk) -> Iterator[Callable[[str], None]]:
    """`unordered(step)`: the step's push subscription(s) without message ordering until the test ends."""
    subscriber = pubsub_v1.SubscriberClient()
    swapped: list[dict[str, Any]] = []

    def swap(name: str) -> None:
        step = desk.manifest.step(name)
        for topic in step.topics_in:
            endpoint = f"http://127.0.0.1:{desk.step_ports[name]}/"
            fresh(subscriber, push_subscription_request(desk.settings.project_id, step, topic, endpoint, ordered=False))
            swapped.append(push_subscription_request(desk.settings.project_id, step, topic, endpoint))

    yield swap
    for request in swapped:
        fresh(subscriber, request)


class Watch:
    """A pull subscription of the test's own on a topic: every envelope published there from now on."""

    def __init__(self, desk: Desk, topic: str):
        self.subscriber = pubsub_v1.SubscriberClient()
        self.path = self.subscriber.subscription_path(desk.settings.project_id, f"watch-{topic}-{uuid.uuid4().hex[:8]}")
        fresh(self.subscriber, {"name": self.path, "topic": f"projects/{desk.settings.project_id}/topics/{topic}"})
        self.seen: list[dict[str, Any]] = []

    def wait_for(self, enough: Callable[[list[dict[str, Any]]], bool], timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while not enough(self.seen):
            assert time.monotonic() < deadline, f"not seen within {timeout} s; seen {[e['id'] for e in self.seen]}"
            try:
                pulled = self.subscriber.pull(request={"subscription": self.path, "max_messages": 50}, timeout=2)
            except gexc.DeadlineExceeded:
                continue
            if pulled.received_messages:
                self.subscriber.acknowledge(request={"subscription": self.path,
                                                     "ack_ids": [m.ack_id for m in pulled.received_messages]})
                self.seen += [json.loads(m.message.data) for m in pulled.received_messages]
        return self.seen

    def count(self, envelope_id: str) -> int:
        return sum(1 for e in self.seen if e["id"] == envelope_id)

    def close(self) -> None:
        self.subscriber.delete_subscription(request={"subscription": self.path})


@pytest.fixture
def watch(desk: Desk) -> Iterator[Callable[[str], Watch]]:
    opened: list[Watch] = []

    def open_on(topic: str) -> Watch:
        opened.append(Watch(desk, topic))
        return opened[-1]

    yield open_on
    for one in opened:
        one.close()


def stored(desk: Desk, agent: Any, chat_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The chat's messages and its conversation, as the store holds them (through the agent API)."""
    messages = agent.get(f"{desk.console_url}api/conversations/{chat_id}/messages", timeout=10).json()["messages"]
    listed = agent.get(f"{desk.console_url}api/conversations", timeout=10).json()["conversations"]
    return messages, next(c for c in listed if c["chat_id"] == chat_id)


def test_the_emulator_cannot_seek_a_steps_ordered_subscription_and_the_command_says_why(desk):
    refused = replay(desk, "window", "--step", "enrich", "--since", "1m", "--yes")
    assert refused.returncode == 1
    assert "Pub/Sub refused to seek projects/teledesk-test/subscriptions/enrich-push" in refused.stderr
    assert "emulator does not seek a subscription with message ordering" in refused.stderr


def test_a_window_replayed_on_enrich_and_deliver_twice_stores_shows_and_sends_nothing_twice(
        desk, unordered, watch, telegram_sends, console_events, agent, customer, bot_api_calls):
    unordered("enrich")
    unordered("deliver")
    chat = customer["id"]
    since = datetime.now(UTC) - timedelta(seconds=1)
    texts = [f"replay me {n}" for n in range(CUSTOMER_MESSAGES)]
    for text in texts:  # one at a time: without ordering, Pub/Sub would not keep them in order
        telegram_sends(text_update(customer, text))
        console_events.wait_for("message", lambda m, text=text: m["chat_id"] == chat and m["text"] == text)
    client_id = uuid.uuid4().hex
    assert agent.post(f"{desk.console_url}api/conversations/{chat}/messages",
                      json={"text": "Ya está en camino.", "client_id": client_id}, timeout=10).status_code == 202
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")
    answer_id = f"agent-{client_id}"

    messages, conversation = stored(desk, agent, chat)
    assert [m["text"] for m in messages] == [*texts, "Ya está en camino."]
    sent = [c for c in bot_api_calls("sendMessage") if str(c["params"]["chat_id"]) == str(chat)]
    assert [c["params"]["text"] for c in sent] == ["Ya está en camino."]
    shown = console_events.of("message", lambda m: m["chat_id"] == chat)
    enriched, deliveries = watch("messages-enriched"), watch("deliveries")
    inbound_ids = [m["id"] for m in messages if m["direction"] == "in"]

    for round_ in (1, 2):
        out = replayed(desk, "window", "--step", "enrich", "--since", since.isoformat(), "--yes")
        assert "enrich: enrich-push sought to" in out and "is pushed to enrich again" in out
        out = replayed(desk, "window", "--step", "deliver", "--since", since.isoformat(), "--yes")
        assert "deliver: deliver-push sought to" in out
        # Enrich passes a repeat on, deliver announces it again: both steps took the window again.
        enriched.wait_for(lambda _, n=round_: all(enriched.count(i) >= n for i in inbound_ids))
        deliveries.wait_for(lambda _, n=round_: deliveries.count(answer_id) >= n)
        assert [e["delivery"]["state"] for e in deliveries.seen if e["id"] == answer_id] == ["sent"] * round_

        time.sleep(1)  # what the relay does with the repeats
        assert stored(desk, agent, chat) == (messages, conversation)
        assert [c for c in bot_api_calls("sendMessage") if str(c["params"]["chat_id"]) == str(chat)] == sent
        assert console_events.of("message", lambda m: m["chat_id"] == chat) == shown
        assert len(console_events.of("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")) == 1


def _held(subscriber: Any, hold: str, chat_id: int, timeout: float = 90) -> Any:
    """The dead letter of `chat_id` once Pub/Sub has put it in the hold, left there (pulled, given back)."""

    def look() -> Any:
        try:
            pulled = subscriber.pull(request={"subscription": hold, "max_messages": 50}, timeout=2)
        except gexc.DeadlineExceeded:
            return None
        if pulled.received_messages:
            subscriber.modify_ack_deadline(request={"subscription": hold, "ack_deadline_seconds": 0,
                                                    "ack_ids": [m.ack_id for m in pulled.received_messages]})
        return next((m.message for m in pulled.received_messages
                     if json.loads(m.message.data).get("chat_id") == chat_id), None)

    return wait_until(look, timeout=timeout, interval=0.5)


def test_a_dead_lettered_message_is_moved_back_processed_once_and_a_second_move_changes_nothing(
        desk, unordered, watch, telegram_sends, console_events, agent, customer, bot_api_calls):
    unordered("enrich")
    chat = customer["id"]
    telegram_sends(text_update(customer, "before"))
    console_events.wait_for("message", lambda m: m["chat_id"] == chat and m["text"] == "before")

    # enrich fails for real: it is down longer than its push subscription retries (the manifest's
    # 5 attempts with backoff), so Pub/Sub dead-letters the message into enrich-dead-letter-hold.
    desk.child("enrich").stop()
    try:
        started = datetime.now(UTC)
        telegram_sends(text_update(customer, "while enrich is down"))
        subscriber = pubsub_v1.SubscriberClient()
        hold = subscriber.subscription_path(desk.settings.project_id,
                                            Manifest.dead_letter_subscription(desk.manifest.step("enrich")))
        dead = _held(subscriber, hold, chat)
    finally:
        desk.restart("enrich", wait_for_port=desk.step_ports["enrich"])
    attributes = dict(dead.attributes)
    assert attributes["CloudPubSubDeadLetterSourceSubscription"] == "enrich-push"  # the emulator: a name, not a path
    assert attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert {"type": "CLIENT", "chat_id": str(chat)}.items() <= attributes.items()
    envelope_id = json.loads(dead.data)["id"]
    assert [m["text"] for m in stored(desk, agent, chat)[0]] == ["before"]

    out = replayed(desk, "dead-letters", "--step", "enrich")
    assert f"moved {envelope_id} (chat {chat}) to messages-classified" in out
    console_events.wait_for("message", lambda m: m["chat_id"] == chat and m["text"] == "while enrich is down")
    messages, conversation = stored(desk, agent, chat)  # enrich stores before it passes the message on
    assert [m["text"] for m in messages] == ["before", "while enrich is down"]
    assert conversation["unread"] == 2

    # Moved twice: Pub/Sub may dead-letter a message more than once, and an operator may run the
    # command again. Seeking the hold back (its topic keeps 7 days) puts the moved message back.
    enriched = watch("messages-enriched")
    subscriber.seek(request={"subscription": hold, "time": started})
    out = replayed(desk, "dead-letters", "--step", "enrich")
    assert f"moved {envelope_id} (chat {chat}) to messages-classified" in out
    enriched.wait_for(lambda _: enriched.count(envelope_id) >= 1)  # enrich took it again
    time.sleep(1)
    assert stored(desk, agent, chat) == (messages, conversation)
    assert [m["text"] for m in console_events.of("message", lambda m: m["chat_id"] == chat)] == [
        "before", "while enrich is down"]
    assert not [c for c in bot_api_calls("sendMessage") if str(c["params"]["chat_id"]) == str(chat)]
    assert "enrich: moved 0 from enrich-dead-letter-hold" in replayed(desk, "dead-letters", "--step", "enrich")
