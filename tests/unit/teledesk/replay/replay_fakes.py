"""Fakes of the Pub/Sub clients a replay uses, built on the library's own message types.

The emulator seeks and dead-letters only subscriptions without message ordering (docs/replay.md),
and names a dead letter's source subscription by its short name where Google Cloud may give the
full path: these stand in for what it cannot show. Every call goes into one shared `calls` list,
so a test can tell whether a message was acknowledged before or after it was published again.
"""

from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from google import pubsub_v1 as pubsub_api

from teledesk.envelope import Envelope
from teledesk.manifest import RetryPolicy, Step

PROJECT = "desk"
NOW = datetime(2026, 5, 8, 12, 0, tzinfo=UTC)
RETRY = RetryPolicy(minimum_backoff_s=1, maximum_backoff_s=60, max_delivery_attempts=5, ack_deadline_s=60)
ENRICH = Step(name="enrich", source="functions/enrich.py", entry_point="enrich", topic_out="messages-enriched",
              topics_in=("messages-classified",), retry=RETRY)
COUNT = Step(name="count", source="functions/count.py", entry_point="count",  # fed by two topics
             topics_in=("messages-enriched", "deliveries"), retry=RETRY)


def subscription(step: Step, topic: str, *, ordered: bool = True, retain_acked: bool = False,
                 retention: timedelta = timedelta(days=7)) -> pubsub_api.Subscription:
    """A step's push subscription as the topology and Terraform make it."""
    return pubsub_api.Subscription(
        name=f"projects/{PROJECT}/subscriptions/{step.subscription(topic)}", topic=f"projects/{PROJECT}/topics/{topic}",
        push_config={"push_endpoint": "https://step.example/"}, enable_message_ordering=ordered,
        retain_acked_messages=retain_acked, message_retention_duration=retention)


def envelope_bytes(chat_id: int = 42, n: int = 1, **extra: Any) -> bytes:
    return Envelope(id=f"tg-{chat_id}-{n}", type="CLIENT", chat_id=chat_id, date=1, text=f"m{n}", extra=extra).to_json()


def held(n: int, data: bytes, attributes: dict[str, str] | None = None, ordering_key: str = "",
         reached: datetime = NOW - timedelta(minutes=5)) -> pubsub_api.ReceivedMessage:
    """A message in a dead-letter hold, which reached it at `reached`."""
    return pubsub_api.ReceivedMessage(ack_id=f"ack-{n}", message=pubsub_api.PubsubMessage(
        data=data, attributes=attributes or {}, message_id=f"held-{n}", publish_time=reached,
        ordering_key=ordering_key))


def dead_lettered(n: int, step: Step, topic: str, data: bytes, *, full_path: bool = True,
                  first_published: str = "2026-05-08T11:00:00Z", **attributes: str) -> pubsub_api.ReceivedMessage:
    """What Pub/Sub puts in the hold after `max_delivery_attempts`: the message plus its annotations."""
    name = step.subscription(topic)
    return held(n, data, {**attributes,
                          "CloudPubSubDeadLetterSourceSubscription":
                              f"projects/{PROJECT}/subscriptions/{name}" if full_path else name,
                          "CloudPubSubDeadLetterSourceSubscriptionProject": PROJECT,
                          "CloudPubSubDeadLetterSourceDeliveryCount": "5",
                          "CloudPubSubDeadLetterSourceTopicPublishTime": first_published})


@dataclass
class FakeSubscriber:
    """`SubscriberClient`: subscriptions to read and seek, and one pull subscription (a hold) in memory.

    A pulled message is outstanding until acknowledged, or given back (ack deadline 0) after which
    the next pull returns it again, as Pub/Sub does.
    """

    calls: list[tuple[str, Any]] = field(default_factory=list)
    subscriptions: dict[str, pubsub_api.Subscription] = field(default_factory=dict)
    seek_errors: dict[str, Exception] = field(default_factory=dict)  # subscription name → what seek raises
    available: list[pubsub_api.ReceivedMessage] = field(default_factory=list)
    outstanding: dict[str, pubsub_api.ReceivedMessage] = field(default_factory=dict)
    acked: list[str] = field(default_factory=list)  # message ids

    def get_subscription(self, *, request: dict[str, Any]) -> pubsub_api.Subscription:
        self.calls.append(("get_subscription", request["subscription"]))
        return self.subscriptions[request["subscription"]]

    def seek(self, *, request: dict[str, Any]) -> pubsub_api.SeekResponse:
        self.calls.append(("seek", request))
        error = self.seek_errors.get(request["subscription"].rsplit("/", 1)[-1])
        if error is not None:
            raise error
        return pubsub_api.SeekResponse()

    def pull(self, *, request: dict[str, Any], timeout: float) -> pubsub_api.PullResponse:
        self.calls.append(("pull", request["max_messages"]))
        taken, self.available = self.available[:request["max_messages"]], self.available[request["max_messages"]:]
        self.outstanding.update({m.ack_id: m for m in taken})
        return pubsub_api.PullResponse(received_messages=taken)

    def acknowledge(self, *, request: dict[str, Any]) -> None:
        for ack_id in request["ack_ids"]:
            message = self.outstanding.pop(ack_id)
            self.acked.append(message.message.message_id)
            self.calls.append(("ack", message.message.message_id))

    def modify_ack_deadline(self, *, request: dict[str, Any]) -> None:
        assert request["ack_deadline_seconds"] == 0
        for ack_id in request["ack_ids"]:
            if ack_id in self.outstanding:
                message = self.outstanding.pop(ack_id)
                self.available.append(message)
                self.calls.append(("give back", message.message.message_id))


@dataclass
class FakeTopics:
    """`PublisherClient.get_topic`: each topic with its message retention."""

    retention: timedelta = timedelta(days=7)

    def get_topic(self, *, request: dict[str, Any]) -> pubsub_api.Topic:
        return pubsub_api.Topic(name=request["topic"], message_retention_duration=self.retention)


@dataclass
class FakeRepublisher:
    """`SyncPublisherClient.publish`: records what is published, or fails for one envelope id."""

    calls: list[tuple[str, Any]]
    fail_for: str | None = None
    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attributes: str) -> Future[str]:
        future: Future[str] = Future()
        envelope_id = json.loads(data).get("id") if data.startswith(b"{") else None
        if envelope_id is not None and envelope_id == self.fail_for:
            future.set_exception(RuntimeError("503 the service is unavailable"))
            return future
        self.published.append({"topic": topic, "data": data, "ordering_key": ordering_key, "attributes": attributes})
        self.calls.append(("publish", envelope_id))
        future.set_result(f"id-{len(self.published)}")
        return future
