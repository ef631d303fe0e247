"""Replaying a time window of a step's input: seek its push subscription(s) back to a time.

Seek marks every message the subscription retains that was published after the time as not
acknowledged, and Pub/Sub pushes them to the step again. Acknowledged messages are retained by
the topic's message retention (or by the subscription's, with `retain_acked_messages`), which
also reaches back before the subscription existed. There is no end to a seek: what was published
from `since` up to now comes again, and the steps keep each message once (by its id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from google.api_core import exceptions as gexc

from teledesk.manifest import Step
from teledesk.replay.refusals import ReplayError, refused
from teledesk.replay.since import check_within, iso


class SubscriberApi(Protocol):
    """What a window replay needs of `pubsub_v1.SubscriberClient`."""

    def get_subscription(self, *, request: dict[str, Any]) -> Any: ...

    def seek(self, *, request: dict[str, Any]) -> Any: ...


class TopicApi(Protocol):
    """What a window replay needs of `pubsub_v1.PublisherClient`."""

    def get_topic(self, *, request: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class Seeked:
    """One subscription sought back: what `topic` received from `since` to `until` comes again."""

    topic: str
    subscription: str
    since: datetime
    until: datetime

    def describe(self, step: str) -> str:
        return (f"{step}: {self.subscription} sought to {iso(self.since)}: what {self.topic} received from "
                f"{iso(self.since)} to now ({iso(self.until)}) is pushed to {step} again")


def replayable_s(subscription: Any, topic: Any) -> int:
    """How far back a seek finds acknowledged messages: the topic's retention, or the subscription's
    when it retains acknowledged messages, whichever is longer (0: nothing can be replayed)."""
    spans = [topic.message_retention_duration.total_seconds()]
    if subscription.retain_acked_messages:
        spans.append(subscription.message_retention_duration.total_seconds())
    return int(max(spans))


def replay_window(subscriber: SubscriberApi, topics: TopicApi, project: str, step: Step, since: datetime,
                  topic: str | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
                  ) -> list[Seeked]:
    """Seek `step`'s push subscription from `topic` (every one of its topics when None) to `since`.

    Every subscription is checked first (it exists, feeds from its topic, retains back to `since`),
    so a refusal seeks none of them.
    """
    chosen = [topic] if topic is not None else list(step.topics_in)
    paths = {t: f"projects/{project}/subscriptions/{step.subscription(t)}" for t in chosen}
    for name, path in paths.items():
        topic_path = f"projects/{project}/topics/{name}"
        try:
            found = subscriber.get_subscription(request={"subscription": path})
            kept = topics.get_topic(request={"topic": topic_path})
        except gexc.GoogleAPICallError as exc:
            raise refused(f"read {path} and {topic_path}", exc) from exc
        if found.topic != topic_path:
            raise ReplayError(f"{path} is fed by {found.topic}, not {topic_path} as the manifest says: not seeking it")
        retained = replayable_s(found, kept)
        if retained == 0:
            raise ReplayError(f"{name} keeps no acknowledged messages and {step.subscription(name)} does not "
                              "retain them either: there is nothing to replay (the manifest's message_retention "
                              "is what makes a window replayable)")
        check_within(since, clock(), retained, name)
    done: list[Seeked] = []
    for name, path in paths.items():
        try:
            subscriber.seek(request={"subscription": path, "time": since})
        except gexc.GoogleAPICallError as exc:
            sought = "; ".join(s.subscription for s in done) or "none"
            raise refused(f"seek {path} to {iso(since)} (already sought: {sought})", exc) from exc
        done.append(Seeked(name, step.subscription(name), since, clock()))
    return done
