"""Moving what a step gave up on back to its input: from `<step>-dead-letter-hold` to the topic.

Two kinds of message reach a step's hold. Pub/Sub dead-letters one the step failed
`max_delivery_attempts` times, adding `CloudPubSubDeadLetterSource*` attributes (its subscription,
delivery count, first publish time); the step wrapper parks one it could not read, with only the
reason (`teledesk.pubsub.PARK_REASON`). Each is published again on the topic it came from, with its
data, its attributes (less those two annotations; an envelope's routing attributes filled in when
parking dropped them) and its ordering key (the chat), and acknowledged in the hold only once
Pub/Sub took it. What cannot be placed stays in the hold, with the reason printed.

A run moves what was in the hold when it started: what reaches the hold later (a message that
failed again at once) and data this run already moved are left for the next run, so a run ends.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from google.api_core import exceptions as gexc

from teledesk.envelope import Envelope, EnvelopeError
from teledesk.manifest import Manifest, Step
from teledesk.pubsub import PARK_REASON, PUBLISH_TIMEOUT_S
from teledesk.replay.refusals import ReplayError, refused

DEAD_LETTER_ANNOTATION = "CloudPubSubDeadLetter"  # the prefix of the attributes Pub/Sub adds when it dead-letters
SOURCE_SUBSCRIPTION = "CloudPubSubDeadLetterSourceSubscription"  # a name (emulator) or a full path
SOURCE_PUBLISH_TIME = "CloudPubSubDeadLetterSourceTopicPublishTime"  # RFC 3339
PULL_BATCH = 50


class HoldApi(Protocol):
    """What moving dead letters needs of the subscriber client."""

    def pull(self, *, request: dict[str, Any], timeout: float) -> Any: ...

    def acknowledge(self, *, request: dict[str, Any]) -> Any: ...

    def modify_ack_deadline(self, *, request: dict[str, Any]) -> Any: ...


class RepublishApi(Protocol):
    """`teledesk.pubsub.SyncPublisherClient.publish`: one message, its ordering key, its attributes."""

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attributes: str) -> Future[str]: ...


@dataclass(frozen=True)
class Move:
    """A held message placed: where it goes and as what."""

    topic: str
    data: bytes
    attributes: dict[str, str]
    ordering_key: str
    envelope_id: str


@dataclass(frozen=True)
class Left:
    """A held message that stays in the hold, and why."""

    reason: str


@dataclass
class Outcome:
    hold: str
    moved: list[Move] = field(default_factory=list)
    left: dict[str, str] = field(default_factory=dict)  # the hold's message id → why it stayed

    def describe(self, step: str) -> str:
        topics = ", ".join(sorted({m.topic for m in self.moved})) or "its input"
        stayed = f"; {len(self.left)} left in the hold" if self.left else ""
        return f"{step}: moved {len(self.moved)} from {self.hold} back to {topics}{stayed}"


def source_topic(step: Step, attributes: dict[str, str], only: str | None) -> str | Left:
    """The topic a held message came from: Pub/Sub's source subscription says; a parked message
    (no such attribute) came from `only` if given, else from the step's one input topic."""
    source = attributes.get(SOURCE_SUBSCRIPTION)
    if source is not None:
        name = source.rsplit("/", 1)[-1]
        by_subscription = {subscription: topic for topic, subscription in step.subscriptions.items()}
        if name not in by_subscription:
            return Left(f"dead-lettered by {source}, which does not feed {step.name}")
        if only is not None and by_subscription[name] != only:
            return Left(f"came from {by_subscription[name]}, not --topic {only}")
        if by_subscription[name] in step.watched_dead_letters:  # metrics watches the others' dead letters
            return Left(f"a copy of what {by_subscription[name]} holds, which {by_subscription[name]}-hold keeps too: "
                        "replay that step's dead letters instead (moving this one would make a phantom there)")
        return by_subscription[name]
    if only is not None:
        return only
    if len(step.topics_in) == 1:
        return step.topics_in[0]
    return Left(f"parked without its source, and {step.name} has several topics: say which with --topic")


def plan(step: Step, message: Any, only: str | None = None) -> Move | Left:
    """Where a held Pub/Sub message goes back to, and with what; or why it stays."""
    try:
        envelope = Envelope.from_json(bytes(message.data))
    except EnvelopeError as exc:
        return Left(f"not an envelope, so no step would take it back: {exc}")
    attributes = dict(message.attributes)
    topic = source_topic(step, attributes, only)
    if isinstance(topic, Left):
        return topic
    kept = {k: v for k, v in attributes.items() if not k.startswith(DEAD_LETTER_ANNOTATION) and k != PARK_REASON}
    return Move(topic=topic, data=bytes(message.data), attributes={**envelope.attributes(), **kept},
                ordering_key=message.ordering_key or str(envelope.chat_id), envelope_id=envelope.id)


def first_published(message: Any) -> datetime:
    """When a held message was first published on the step's input (its order among the held)."""
    given = dict(message.attributes).get(SOURCE_PUBLISH_TIME)
    published: datetime = message.publish_time  # when it reached the hold: the fallback
    if given:
        with contextlib.suppress(ValueError):
            published = datetime.fromisoformat(given)
    return published


@dataclass
class _Run:
    """One run over a hold: what it saw, moved and left, and the ack ids to give back at the end."""

    hold: HoldApi
    path: str
    started: datetime
    outcome: Outcome
    seen: set[str] = field(default_factory=set)
    moved_data: set[str] = field(default_factory=set)
    give_back: list[str] = field(default_factory=list)

    def pull(self, count: int, wait_s: float) -> list[Any]:
        try:
            response = self.hold.pull(request={"subscription": self.path, "max_messages": count}, timeout=wait_s)
        except gexc.DeadlineExceeded:
            return []  # nothing came within wait_s: the hold is empty
        except gexc.GoogleAPICallError as exc:
            raise refused(f"pull from {self.path}", exc) from exc
        return list(response.received_messages)

    def decide(self, step: Step, received: Any, only: str | None) -> Move | Left:
        message = received.message
        if message.publish_time >= self.started:
            return Left("reached the hold after this run started (did it fail again?): the next run moves it")
        digest = hashlib.sha256(bytes(message.data)).hexdigest()
        if digest in self.moved_data:
            return Left("this run moved the same data already: the next run moves it")
        decision = plan(step, message, only)
        if isinstance(decision, Move):
            self.moved_data.add(digest)
        return decision

    def leave(self, received: Any, reason: str) -> None:
        self.outcome.left[received.message.message_id] = reason
        self.give_back.append(received.ack_id)

    def give_back_all(self) -> None:
        """What stayed is made deliverable again now rather than when its ack deadline ends."""
        if self.give_back:
            with contextlib.suppress(gexc.GoogleAPICallError):  # else it comes back when its ack deadline ends
                self.hold.modify_ack_deadline(request={"subscription": self.path, "ack_ids": self.give_back,
                                                       "ack_deadline_seconds": 0})


def move_dead_letters(hold: HoldApi, publisher: RepublishApi, project: str, step: Step, *,
                      only: str | None = None, max_messages: int | None = None, wait_s: float = 5.0,
                      report: Callable[[str], None] = print,
                      clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> Outcome:
    """Move up to `max_messages` (all when None) of what `step`'s hold keeps back to its input."""
    name = Manifest.dead_letter_subscription(step)
    run = _Run(hold, f"projects/{project}/subscriptions/{name}", clock(), Outcome(name))
    try:
        while max_messages is None or len(run.outcome.moved) < max_messages:
            wanted = PULL_BATCH if max_messages is None else min(PULL_BATCH, max_messages - len(run.outcome.moved))
            received = run.pull(wanted, wait_s)
            fresh = [r for r in received if r.message.message_id not in run.seen]
            run.give_back += [r.ack_id for r in received if r.message.message_id in run.seen]
            if not fresh:
                break
            _move_batch(run, publisher, project, step, sorted(fresh, key=lambda r: first_published(r.message)),
                        only, report)
    finally:
        run.give_back_all()
    return run.outcome


def _move_batch(run: _Run, publisher: RepublishApi, project: str, step: Step, batch: Sequence[Any],
                only: str | None, report: Callable[[str], None]) -> None:
    for index, received in enumerate(batch):
        run.seen.add(received.message.message_id)
        decision = run.decide(step, received, only)
        if isinstance(decision, Left):
            run.leave(received, decision.reason)
            report(f"left {received.message.message_id} in {run.outcome.hold}: {decision.reason}")
            continue
        try:
            publisher.publish(f"projects/{project}/topics/{decision.topic}", decision.data,
                              ordering_key=decision.ordering_key, **decision.attributes
                              ).result(timeout=PUBLISH_TIMEOUT_S)
        except Exception as exc:
            run.give_back += [r.ack_id for r in batch[index:]]
            raise ReplayError(f"could not publish {decision.envelope_id} on {decision.topic}: {exc}. "
                              f"Moved {len(run.outcome.moved)} before it; it and the rest stay in the hold") from exc
        try:
            run.hold.acknowledge(request={"subscription": run.path, "ack_ids": [received.ack_id]})
        except gexc.GoogleAPICallError as exc:
            run.give_back += [r.ack_id for r in batch[index + 1:]]
            raise refused(f"acknowledge {decision.envelope_id} in {run.outcome.hold} after it was published again "
                          "(it stays in the hold; moving it again is harmless, the steps keep it once)", exc) from exc
        run.outcome.moved.append(decision)
        report(f"moved {decision.envelope_id} (chat {decision.ordering_key}) to {decision.topic}")
