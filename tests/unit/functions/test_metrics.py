"""functions/metrics.py: what each pushed event counts, by the topic it came from, and the flush after.

The ledger and the flush lease are Firestore's (tests/integration/test_metrics_ledger.py); here they
are in-memory stand-ins with the same contract: a key counts once.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from cloudevents.http import CloudEvent
from step_fakes import CHAT, envelope_event

import functions.metrics
from functions.metrics import Counting, metrics
from teledesk.envelope import Envelope, MessageType
from teledesk.metrics.catalog import DEAD_LETTERS, DELIVERIES, FIRST_RESPONSE_TIME, HOP_LATENCY, MESSAGES
from teledesk.metrics.exporters import LocalExporter
from teledesk.metrics.tally import Tally
from teledesk.model import Conversation
from teledesk.pipeline import Services
from teledesk.telegram.updates import Event

PROJECT_SUBSCRIPTIONS = "projects/teledesk-local/subscriptions/"


class FakeLedger:
    """`teledesk.metrics.ledger.Ledger.count`: each key once."""

    def __init__(self) -> None:
        self.counted: dict[str, Tally] = {}
        self.offered: list[str] = []

    def count(self, tally: Tally) -> bool:
        self.offered.append(tally.key)
        if tally.key in self.counted:
            return False
        self.counted[tally.key] = tally
        return True


class FakeFlusher:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, float, float]] = []
        self.fail = False

    def maybe_flush(self, exporter: Any, flush_s: float, now: float) -> bool:
        self.calls.append((exporter, flush_s, now))
        if self.fail:
            raise RuntimeError("Firestore is away")
        return True


@pytest.fixture
def clients(svc: Services, monkeypatch: pytest.MonkeyPatch) -> Counting:
    made = Counting(FakeLedger(), FakeFlusher(), LocalExporter())  # type: ignore[arg-type]
    monkeypatch.setattr(functions.metrics, "counting", lambda: made)
    return made


def push(cloud_event: CloudEvent, topic: str) -> None:
    """Deliver as functions-framework does a raw push: the subscription only in the request body."""
    cloud_event.data.pop("subscription", None)
    body = {**cloud_event.data, "subscription": PROJECT_SUBSCRIPTIONS + f"metrics-{topic}-push"}
    with flask.Flask("t").test_request_context(json=body):
        metrics(cloud_event)


def counted(clients: Counting) -> dict[str, Tally]:
    return clients.ledger.counted  # type: ignore[attr-defined, no-any-return]


def values(tally: Tally, metric: Any) -> list[tuple[dict[str, str], float]]:
    return [(dict(o.labels), o.value) for o in tally.observations if o.metric == metric]


def enriched(n: int = 7, **extra: Any) -> Envelope:
    """What enrich publishes: its trace as ingest, classify and enrich stamped it (epoch ms)."""
    base = time.time() * 1000 - 500
    trace = {"ingest": base, "ingest:out": base + 4, "classify": base + 40, "classify:out": base + 50,
             "enrich": base + 90, "enrich:out": base + 110}
    return Envelope(id=f"tg-{CHAT}-{n}", type=MessageType.CLIENT, chat_id=CHAT, date=1_700_000_000, text="hola",
                    trace=trace, extra={"event": Event.MESSAGE, **extra})


def settled(state: str = "sent", cause: str | None = None, kind: MessageType = MessageType.AGENT,
            retry: int | None = None, **extra: Any) -> Envelope:
    """What deliver announces on deliveries."""
    base = time.time() * 1000 - 300
    envelope = Envelope(id="agent-c1", type=kind, chat_id=CHAT, date=1_700_000_000, text="hola",
                        trace={"relay": base, "deliver": base + 60, "deliver:out": base + 200}, extra=extra)
    envelope.extra["delivery"] = {"chat_id": CHAT, "client_id": "c1", "message_id": "agent-c1", "state": state,
                                  "reason": None if state == "sent" else "blocked", "cause": cause}
    if retry:
        envelope.extra["delivery"]["retry"] = retry
    return envelope


def test_a_customer_message_counts_once_however_often_it_is_pushed(clients: Counting):
    for _ in range(3):
        push(envelope_event(enriched()), "messages-enriched")
    assert list(counted(clients)) == [f"in:tg-{CHAT}-7"]
    assert clients.ledger.offered == [f"in:tg-{CHAT}-7"] * 3  # type: ignore[attr-defined]
    tally = counted(clients)[f"in:tg-{CHAT}-7"]
    assert values(tally, MESSAGES) == [({"type": "CLIENT", "direction": "in"}, 1)]


def test_a_message_s_hops_come_from_its_trace_up_to_the_metrics_step_s_own_arrival(clients: Counting):
    push(envelope_event(enriched()), "messages-enriched")
    hops = {labels["hop"]: ms for labels, ms in values(counted(clients)[f"in:tg-{CHAT}-7"], HOP_LATENCY)}
    assert list(hops) == ["ingest", "classify", "enrich", "metrics"]
    assert (hops["ingest"], hops["classify"], hops["enrich"]) == pytest.approx((4, 46, 60))
    assert 390 - 1 < hops["metrics"] < 5000  # enrich:out was 390 ms before the push


def test_an_edit_is_not_a_new_message_and_a_reaction_is_not_a_message(clients: Counting):
    push(envelope_event(enriched()), "messages-enriched")
    push(envelope_event(enriched(event=Event.EDIT, revision=1_700_000_100)), "messages-enriched")
    reaction = enriched(event=Event.REACTION)
    reaction.id = "tg-update-99"
    push(envelope_event(reaction), "messages-enriched")
    assert list(counted(clients)) == [f"in:tg-{CHAT}-7", f"edit:tg-{CHAT}-7:1700000100", "in:tg-update-99"]
    assert [len(values(t, MESSAGES)) for t in counted(clients).values()] == [1, 0, 0]
    assert all(values(t, HOP_LATENCY) for t in counted(clients).values())


def test_a_sent_answer_counts_a_delivery_an_outgoing_message_and_its_hops(clients: Counting):
    push(envelope_event(settled(kind=MessageType.BOT)), "deliveries")
    tally = counted(clients)["delivery:agent-c1:0:sent"]
    assert values(tally, DELIVERIES) == [({"outcome": "sent", "cause": ""}, 1)]
    assert values(tally, MESSAGES) == [({"type": "BOT", "direction": "out"}, 1)]
    assert [labels["hop"] for labels, _ in values(tally, HOP_LATENCY)] == ["deliver", "metrics"]
    assert values(tally, HOP_LATENCY)[0][1] == pytest.approx(200)  # deliver:out - relay


def test_a_failed_answer_counts_by_cause_and_is_no_outgoing_message(clients: Counting):
    push(envelope_event(settled("failed", "blocked", kind=MessageType.BOT)), "deliveries")
    push(envelope_event(settled("sent", kind=MessageType.BOT, retry=1)), "deliveries")  # an agent's retry
    failed, retried = counted(clients)["delivery:agent-c1:0:failed"], counted(clients)["delivery:agent-c1:1:sent"]
    assert values(failed, DELIVERIES) == [({"outcome": "failed", "cause": "blocked"}, 1)]
    assert values(failed, MESSAGES) == []
    assert values(retried, DELIVERIES) == [({"outcome": "sent", "cause": ""}, 1)]


def test_agents_edits_and_deletes_on_deliveries_count_nothing(clients: Counting):
    push(envelope_event(settled(action="edit", target="agent-c0", revision=1)), "deliveries")
    push(envelope_event(settled(action="delete", target="agent-c0", revision=2)), "deliveries")
    assert counted(clients) == {}


def test_the_first_response_is_observed_once_per_conversation(svc: Services, clients: Counting):
    svc.store.chats[CHAT] = Conversation(chat_id=CHAT, number=2, created_at=1000.0,  # type: ignore[attr-defined]
                                         first_response_at=1090.5).to_firestore()
    push(envelope_event(settled()), "deliveries")
    second = settled()
    second.id = second.extra["delivery"]["message_id"] = "agent-c2"
    push(envelope_event(second), "deliveries")
    assert clients.ledger.offered.count(f"first-response:{CHAT}:2") == 2  # type: ignore[attr-defined]
    assert values(counted(clients)[f"first-response:{CHAT}:2"], FIRST_RESPONSE_TIME) == [({}, 90.5)]
    assert counted(clients)[f"first-response:{CHAT}:2"].at == 1090.5


def test_the_bot_s_answers_are_no_first_response(svc: Services, clients: Counting):
    svc.store.chats[CHAT] = Conversation(chat_id=CHAT, created_at=1000.0,  # type: ignore[attr-defined]
                                         first_response_at=1090.5).to_firestore()
    push(envelope_event(settled(kind=MessageType.BOT)), "deliveries")
    assert list(counted(clients)) == ["delivery:agent-c1:0:sent"]


def dead_letter(data: bytes, message_id: str) -> CloudEvent:
    return CloudEvent({"type": "google.cloud.pubsub.topic.v1.messagePublished", "source": "//pubsub", "id": message_id},
                      {"message": {"data": base64.b64encode(data).decode(), "attributes": {"error": "not JSON"},
                                   "messageId": message_id}})


def test_a_dead_letter_is_counted_by_step_and_logged_once_for_the_alert(clients: Counting,
                                                                        caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.CRITICAL, "teledesk.metrics")
    push(dead_letter(b"not an envelope", "m-81"), "enrich-dead-letter")
    push(dead_letter(b"not an envelope", "m-81"), "enrich-dead-letter")  # redelivered
    assert values(counted(clients)["dead:enrich:m-81"], DEAD_LETTERS) == [({"step": "enrich"}, 1)]
    critical = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(critical) == 1
    assert critical[0].startswith("needs reprocessing:")
    assert "step enrich" in critical[0] and "python -m teledesk.replay dead-letters --step enrich" in critical[0]


def test_the_subscription_is_also_read_from_the_event_data(clients: Counting):
    event = envelope_event(enriched())
    event.data["subscription"] = PROJECT_SUBSCRIPTIONS + "metrics-messages-enriched-push"  # as Eventarc has it
    metrics(event)
    assert list(counted(clients)) == [f"in:tg-{CHAT}-7"]


def test_a_push_from_a_subscription_the_manifest_does_not_list_is_an_error(clients: Counting):
    with pytest.raises(ValueError, match="does not list"):
        push(envelope_event(enriched()), "tg-updates")
    assert counted(clients) == {}


def test_each_event_is_followed_by_a_flush_at_the_configured_interval(svc: Services, clients: Counting):
    push(envelope_event(enriched()), "messages-enriched")
    push(dead_letter(b"x", "m-1"), "deliver-dead-letter")
    calls = clients.flusher.calls  # type: ignore[attr-defined]
    assert [(exporter, flush_s) for exporter, flush_s, _ in calls] == [(clients.exporter, 60)] * 2


def test_a_failed_flush_loses_nothing_counted_and_fails_no_event(clients: Counting, caplog: pytest.LogCaptureFixture):
    clients.flusher.fail = True  # type: ignore[attr-defined]
    push(envelope_event(enriched()), "messages-enriched")
    assert list(counted(clients)) == [f"in:tg-{CHAT}-7"]
    assert "the flush failed" in caplog.text


@pytest.fixture(autouse=True)
def fresh_counting() -> Iterator[None]:
    yield
    functions.metrics.counting.cache_clear()


def test_the_owners_typing_counts_out_and_a_business_deletion_or_connection_is_no_message(clients: Counting):
    owner, owners_checklist = enriched(8), enriched(11)
    owner.type, owners_checklist.type = MessageType.OWNER, MessageType.UNSUPPORTED
    for sent in (owner, owners_checklist):
        sent.extra["owner"] = {"id": 7000000001, "first_name": "Acme"}
    deletion, connection = enriched(9, event=Event.DELETE), enriched(10, event=Event.CONNECTION)
    deletion.id, connection.id, connection.type = "tg-update-9", "tg-update-10", MessageType.CONNECTION
    for envelope in (owner, deletion, connection, owners_checklist):
        push(envelope_event(envelope), "messages-enriched")
    assert [values(t, MESSAGES) for t in counted(clients).values()] == [
        [({"type": "OWNER", "direction": "out"}, 1)], [], [], [({"type": "UNSUPPORTED", "direction": "out"}, 1)]]


def test_what_staff_write_in_the_staff_forum_is_no_customer_message(clients: Counting):
    staff = enriched(11)
    staff.type, staff.chat_id = MessageType.STAFF, -1009000000001
    push(envelope_event(staff), "messages-enriched")
    [tally] = counted(clients).values()
    assert values(tally, MESSAGES) == [] and values(tally, HOP_LATENCY)
