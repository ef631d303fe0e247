"""teledesk.replay.window against a fake subscriber: the seek of a push subscription with message
ordering (every step's), which the emulator does not implement (docs/replay.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from google.api_core import exceptions as gexc
from replay_fakes import COUNT, ENRICH, NOW, PROJECT, FakeSubscriber, FakeTopics, subscription

from teledesk.manifest import Step
from teledesk.replay.refusals import ReplayError
from teledesk.replay.since import SinceError
from teledesk.replay.window import replay_window


def subscriber_of(*steps: Step, **options) -> FakeSubscriber:
    subs = [subscription(step, topic, **options) for step in steps for topic in step.topics_in]
    return FakeSubscriber(subscriptions={s.name: s for s in subs})


def seeks(subscriber: FakeSubscriber) -> list[dict]:
    return [request for call, request in subscriber.calls if call == "seek"]


def test_a_step_is_replayed_by_seeking_its_ordered_push_subscription_to_the_time():
    subscriber = subscriber_of(ENRICH)
    since = NOW - timedelta(hours=2)
    [seeked] = replay_window(subscriber, FakeTopics(), PROJECT, ENRICH, since, clock=lambda: NOW)
    assert seeks(subscriber) == [{"subscription": "projects/desk/subscriptions/enrich-push", "time": since}]
    assert seeked.describe("enrich") == (
        "enrich: enrich-push sought to 2026-05-08T10:00:00Z: what messages-classified received from "
        "2026-05-08T10:00:00Z to now (2026-05-08T12:00:00Z) is pushed to enrich again")


def test_a_step_fed_by_several_topics_is_sought_on_each_or_on_the_one_asked_for():
    subscriber = subscriber_of(COUNT)
    since = NOW - timedelta(minutes=30)
    done = replay_window(subscriber, FakeTopics(), PROJECT, COUNT, since, clock=lambda: NOW)
    assert [s.subscription for s in done] == ["count-messages-enriched-push", "count-deliveries-push"]
    assert [r["subscription"] for r in seeks(subscriber)] == [
        "projects/desk/subscriptions/count-messages-enriched-push", "projects/desk/subscriptions/count-deliveries-push"]

    only = subscriber_of(COUNT)
    replay_window(only, FakeTopics(), PROJECT, COUNT, since, topic="deliveries", clock=lambda: NOW)
    assert [r["subscription"] for r in seeks(only)] == ["projects/desk/subscriptions/count-deliveries-push"]


def test_a_time_older_than_the_topic_retains_is_refused_and_nothing_is_sought():
    subscriber = subscriber_of(COUNT)
    with pytest.raises(SinceError, match="older than messages-enriched retains"):
        replay_window(subscriber, FakeTopics(), PROJECT, COUNT, NOW - timedelta(days=8), clock=lambda: NOW)
    assert seeks(subscriber) == []


def test_a_subscription_that_retains_acknowledged_messages_longer_reaches_further_back():
    subscriber = subscriber_of(ENRICH, retain_acked=True, retention=timedelta(days=10))
    since = NOW - timedelta(days=8)
    replay_window(subscriber, FakeTopics(), PROJECT, ENRICH, since, clock=lambda: NOW)
    assert seeks(subscriber)[0]["time"] == since


def test_without_topic_retention_or_retained_acks_there_is_nothing_to_replay():
    subscriber = subscriber_of(ENRICH)
    with pytest.raises(ReplayError, match="keeps no acknowledged messages"):
        replay_window(subscriber, FakeTopics(retention=timedelta(0)), PROJECT, ENRICH, NOW - timedelta(minutes=1),
                      clock=lambda: NOW)
    assert seeks(subscriber) == []


def test_a_subscription_fed_by_another_topic_than_the_manifest_says_is_not_sought():
    subscriber = subscriber_of(ENRICH)
    subscriber.subscriptions["projects/desk/subscriptions/enrich-push"].topic = "projects/desk/topics/tg-updates"
    with pytest.raises(ReplayError, match=r"fed by projects/desk/topics/tg-updates, not .*messages-classified"):
        replay_window(subscriber, FakeTopics(), PROJECT, ENRICH, NOW - timedelta(minutes=1), clock=lambda: NOW)
    assert seeks(subscriber) == []


def test_a_missing_subscription_says_which_and_what_to_check():
    with pytest.raises(ReplayError, match=r"read projects/desk/subscriptions/enrich-push .*GOOGLE_CLOUD_PROJECT"):
        replay_window(_Missing(), FakeTopics(), PROJECT, ENRICH, NOW - timedelta(minutes=1), clock=lambda: NOW)


def test_a_refused_seek_says_which_subscriptions_were_already_sought():
    subscriber = subscriber_of(COUNT)
    subscriber.seek_errors["count-deliveries-push"] = gexc.PermissionDenied("caller lacks pubsub.subscriptions.consume")
    with pytest.raises(ReplayError) as failed:
        replay_window(subscriber, FakeTopics(), PROJECT, COUNT, NOW - timedelta(minutes=1), clock=lambda: NOW)
    message = str(failed.value)
    assert "seek projects/desk/subscriptions/count-deliveries-push" in message
    assert "already sought: count-messages-enriched-push" in message
    assert "lacks pubsub.subscriptions.consume" in message and "docs/replay.md" in message


def test_on_the_emulator_an_unimplemented_seek_is_explained(monkeypatch):
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:8085")
    subscriber = subscriber_of(ENRICH)
    subscriber.seek_errors["enrich-push"] = gexc.MethodNotImplemented("Unimplemented")
    with pytest.raises(ReplayError, match="emulator does not seek a subscription with message ordering"):
        replay_window(subscriber, FakeTopics(), PROJECT, ENRICH, NOW - timedelta(minutes=1), clock=lambda: NOW)


class _Missing(FakeSubscriber):
    def get_subscription(self, *, request):
        raise gexc.NotFound("Subscription does not exist")
