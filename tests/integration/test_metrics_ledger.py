"""The metrics ledger, flush lease and stats on the Firestore emulator: each event counted once,
whatever is redelivered and however many instances count; one flush per interval across them.

Each test has a Firestore project of its own, so the desk's own counting in the same session
does not mix in.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from google.api_core import exceptions as gexc

from teledesk.envelope import Envelope, MessageType
from teledesk.metrics import ledger as ledger_module
from teledesk.metrics import sources
from teledesk.metrics.catalog import CONVERSATIONS, RESOLUTION_TIME
from teledesk.metrics.flush import Flusher
from teledesk.metrics.ledger import HOURS, SEEN, STATE, TOTALS, Ledger, hour_of
from teledesk.metrics.series import Distribution, Series
from teledesk.metrics.stats import read_stats
from teledesk.model import Conversation, ConversationStatus, Resolution
from teledesk.store import Store

pytestmark = pytest.mark.integration

CHAT = 5150


@pytest.fixture
def stores(own_project: str) -> Callable[[], Store]:
    """A new Store (its own Firestore client, as another process would have) on this test's project."""
    return lambda: Store(own_project)


def message(n: int, kind: MessageType = MessageType.CLIENT) -> Envelope:
    trace = {"ingest": 1000.0, "ingest:out": 1004.0, "classify": 1050.0, "classify:out": 1060.0,
             "enrich": 1100.0, "enrich:out": 1130.0, "metrics": 1180.0}
    return Envelope(id=f"tg-{CHAT}-{n}", type=kind, chat_id=CHAT, date=1_700_000_000, trace=trace)


def answer(n: int, state: str = "sent", cause: str | None = None) -> Envelope:
    envelope = Envelope(id=f"agent-{n}", type=MessageType.AGENT, chat_id=CHAT, date=1_700_000_000,
                        trace={"relay": 5000.0, "deliver": 5040.0, "deliver:out": 5300.0, "metrics": 5350.0})
    envelope.extra["delivery"] = {"message_id": envelope.id, "state": state, "cause": cause}
    return envelope


def total(series: Sequence[Series], metric_name: str) -> int:
    return sum(one.value for one in series if one.metric.name == metric_name and isinstance(one.value, int))


def test_a_batch_whose_precondition_fails_commits_nothing(stores: Callable[[], Store]):
    """What a roll-up's exclusivity rests on, checked on the emulator itself."""
    db = stores().db
    cursor = db.collection(STATE).document("c")
    cursor.create({"to": 1})
    seen = cursor.get()
    cursor.update({"to": 2})  # another roll-up moved it meanwhile
    batch = db.batch()
    batch.update(cursor, {"to": 3}, option=db.write_option(last_update_time=seen.update_time))
    batch.set(db.collection(TOTALS).document("all"), {"written": True}, merge=True)
    with pytest.raises(gexc.FailedPrecondition):
        batch.commit()
    assert not db.collection(TOTALS).document("all").get().exists
    assert (cursor.get().to_dict() or {})["to"] == 2


def test_a_redelivered_event_is_counted_once(stores: Callable[[], Store]):
    store = stores()
    ledger = Ledger(store.db)
    now = time.time()
    assert ledger.count(sources.inbound(message(1), now)) is True
    assert ledger.count(sources.inbound(message(1), now + 5)) is False  # Pub/Sub's redelivery, later
    assert total(ledger.snapshot(), "messages") == 1
    marker = store.db.collection(SEEN).document(f"in:tg-{CHAT}-1").get().to_dict() or {}
    assert marker["expires_at"].timestamp() == pytest.approx(now + 8 * 86400, abs=60)


def test_two_instances_counting_the_same_50_events_at_once_count_each_once(stores: Callable[[], Store]):
    ledgers = [Ledger(stores().db), Ledger(stores().db)]
    now = time.time()
    events = [sources.inbound(message(n), now) for n in range(50)]
    start = threading.Barrier(2)

    def count_all(ledger: Ledger) -> int:
        start.wait()
        return sum(ledger.count(tally) for tally in events)

    with ThreadPoolExecutor(2) as pool:
        counted = list(pool.map(count_all, ledgers))
    assert sum(counted) == 50
    assert total(ledgers[0].snapshot(), "messages") == 50
    assert total(ledgers[1].snapshot(), "messages") == 50
    [hour] = ledgers[0].hours(now)
    assert total(hour.series, "messages") == 50


def settled(db: Any) -> Ledger:
    """A ledger whose roll-up takes every marker written before it is called (no settling time:
    the emulator's clock is this machine's)."""
    return Ledger(db, settle_s=0)


def test_a_roll_up_moves_settled_markers_into_the_sums_and_every_read_stays_exact(stores: Callable[[], Store]):
    store = stores()
    ledger = settled(store.db)
    now = time.time()
    for n in range(5):
        ledger.count(sources.inbound(message(n), now))
    assert Ledger(store.db).roll_up() == 0  # written just now: left for a later roll-up
    assert total(ledger.snapshot(), "messages") == 5
    assert ledger.roll_up() == 5
    assert ledger.roll_up() == 0  # nothing new since
    totals = store.db.collection(TOTALS).document("all").get().to_dict() or {}
    assert totals["counters"] == {"messages;type=CLIENT;direction=in": 5}
    hour = store.db.collection(HOURS).document(str(hour_of(now))).get().to_dict() or {}
    assert hour["counters"] == {"messages;type=CLIENT;direction=in": 5}
    for n in range(5, 7):
        ledger.count(sources.inbound(message(n), now))
    assert ledger.count(sources.inbound(message(1), now)) is False  # a redelivery of a rolled-up event
    assert total(ledger.snapshot(), "messages") == 7
    assert total(ledger.hours(now)[0].series, "messages") == 7
    assert ledger.roll_up() == 2
    assert total(ledger.snapshot(), "messages") == 7
    hour = store.db.collection(HOURS).document(str(hour_of(now))).get().to_dict() or {}
    assert hour["counters"] == {"messages;type=CLIENT;direction=in": 7}


def test_a_backlog_is_rolled_up_a_chunk_a_commit(stores: Callable[[], Store], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ledger_module, "CHUNK_S", 0.05)
    monkeypatch.setattr(ledger_module, "ROLL_UP_BUDGET_S", 0.0)  # one chunk a call
    ledger = settled(stores().db)
    for n in range(3):
        ledger.count(sources.inbound(message(n), time.time()))
        time.sleep(0.3)
    assert [ledger.roll_up() for _ in range(4)] == [1, 1, 1, 0]
    monkeypatch.setattr(ledger_module, "ROLL_UP_BUDGET_S", 60.0)
    for n in range(3, 6):
        ledger.count(sources.inbound(message(n), time.time()))
        time.sleep(0.3)
    assert ledger.roll_up() == 3  # chunk after chunk within the budget
    assert total(ledger.snapshot(), "messages") == 6


def test_of_two_roll_ups_at_once_one_adds_and_the_other_adds_nothing(stores: Callable[[], Store]):
    first, second = settled(stores().db), settled(stores().db)
    first.count(sources.inbound(message(0), time.time()))
    assert first.roll_up() == 1  # the cursor exists: the race is on its update time
    for n in range(1, 11):
        first.count(sources.inbound(message(n), time.time()))
    read_markers, raced = second._markers, []

    def markers_after_the_other_rolled_them_up(*args: Any, **kwargs: Any) -> Any:
        if not raced:  # `second` has read the cursor; `first` rolls the same markers up and commits
            raced.append(first.roll_up())
        return read_markers(*args, **kwargs)

    second._markers = markers_after_the_other_rolled_them_up  # type: ignore[method-assign]
    assert second.roll_up() == 0
    assert raced == [10]
    totals = first.db.collection(TOTALS).document("all").get().to_dict() or {}
    assert totals["counters"]["messages;type=CLIENT;direction=in"] == 11
    assert total(first.snapshot(), "messages") == 11


class RolledUpAfterItIsRead:
    """A ledger's cursor that another instance moves just after it is read, before the sums are."""

    def __init__(self, ledger: Ledger, other: Ledger) -> None:
        self.real, self.other, self.rolled = ledger.cursor, other, 0

    def get(self) -> Any:
        snapshot = self.real.get()
        if not self.rolled:
            self.rolled = self.other.roll_up()
        return snapshot


@pytest.mark.parametrize("read", ["snapshot", "hours"])
def test_a_read_during_a_roll_up_counts_each_marker_once(stores: Callable[[], Store], read: str):
    ledger, other = Ledger(stores().db), settled(stores().db)
    now = time.time()
    ledger.count(sources.inbound(message(0), now))
    assert other.roll_up() == 1  # the cursor exists
    for n in range(1, 11):
        ledger.count(sources.inbound(message(n), now))
    racing = RolledUpAfterItIsRead(ledger, other)
    ledger.cursor = racing  # type: ignore[assignment]
    series = ledger.snapshot() if read == "snapshot" else ledger.hours(now)[0].series
    assert total(series, "messages") == 11  # not 21: the read saw the cursor move, and read again
    assert racing.rolled == 10


def test_what_an_older_ledger_wrote_keeps_counting(stores: Callable[[], Store]):
    """Totals per shard and hours per shard, and markers without `counted_at`: read, never lost."""
    store = stores()
    now = time.time()
    counters = {"counters": {"messages;type=CLIENT;direction=in": 3}}
    store.db.collection(TOTALS).document("2").set({"shard": 2, **counters})
    store.db.collection(HOURS).document(f"{hour_of(now)}-2").set({"hour": hour_of(now), "shard": 2, **counters})
    store.db.collection(SEEN).document("in:old").set({"key": "in:old", "at": now, "expires_at": now})
    ledger = settled(store.db)
    for n in range(2):
        ledger.count(sources.inbound(message(n), now))
    assert total(ledger.snapshot(), "messages") == 5
    assert ledger.roll_up() == 2
    assert total(ledger.snapshot(), "messages") == 5
    assert total(ledger.hours(now)[0].series, "messages") == 5


class RecordingExporter:
    def __init__(self) -> None:
        self.flushes: list[tuple[list[Series], float, float]] = []
        self.lock = threading.Lock()

    def export(self, series: Sequence[Series], start_time: float, end_time: float) -> None:
        with self.lock:
            self.flushes.append((list(series), start_time, end_time))


def test_two_instances_flush_at_most_once_per_interval(stores: Callable[[], Store]):
    flush_s, run_s = 2.0, 9.0
    exporter = RecordingExporter()
    flushers = [Flusher(Ledger(stores().db)), Flusher(Ledger(stores().db))]
    flushers[0].ledger.count(sources.inbound(message(1), time.time()))
    start = threading.Barrier(2)

    def keep_flushing(flusher: Flusher) -> None:
        start.wait()
        until = time.time() + run_s
        while time.time() < until:
            flusher.maybe_flush(exporter, flush_s, time.time())
            time.sleep(0.05)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(keep_flushing, flushers))
    end_times = sorted(end for _, _, end in exporter.flushes)
    assert 2 <= len(end_times) <= run_s / flush_s + 1
    assert all(later - earlier >= flush_s for earlier, later in itertools.pairwise(end_times))
    assert len({start_time for _, start_time, _ in exporter.flushes}) == 1  # the cumulative series' one start
    assert all(total(series, "messages") == 1 for series, _, _ in exporter.flushes)


def conversation(store: Store, chat_id: int, status: ConversationStatus, created_at: float,
                 resolved_at: float | None = None) -> None:
    last = Resolution(number=1, opened_at=created_at, resolved_at=resolved_at) if resolved_at else None
    store.conversations.documents.conversation(chat_id).set(Conversation(
        chat_id=chat_id, status=status, created_at=created_at, resolved_at=resolved_at,
        last_resolution=last).complete().to_firestore())


def test_a_flush_exports_the_conversations_now_and_counts_each_resolution_once(stores: Callable[[], Store]):
    store = stores()
    now = time.time()
    ledger = Ledger(store.db)
    ledger.start_time()
    conversation(store, 1, ConversationStatus.OPEN, now - 100)
    conversation(store, 2, ConversationStatus.PENDING, now - 100)
    conversation(store, 3, ConversationStatus.RESOLVED, now - 600, resolved_at=now - 60)
    conversation(store, 4, ConversationStatus.RESOLVED, now - 900, resolved_at=now - 30)
    # Resolved, then the customer wrote and the next conversation started before any flush: still counted.
    store.conversations.documents.conversation(5).set(Conversation(
        chat_id=5, number=2, status=ConversationStatus.OPEN, created_at=now - 5,
        last_resolution=Resolution(number=1, opened_at=now - 300, resolved_at=now - 20)).complete().to_firestore())
    exporter = RecordingExporter()
    flusher = Flusher(ledger)
    assert flusher.maybe_flush(exporter, 1.0, now) is True
    assert flusher.maybe_flush(exporter, 1.0, now + 0.5) is False  # not due yet
    assert flusher.maybe_flush(exporter, 1.0, now + 1.0) is True  # the same resolutions seen again
    for series, _, _ in exporter.flushes:
        gauges = {one.labels["status"]: one.value for one in series if one.metric == CONVERSATIONS}
        assert gauges == {"open": 2, "pending": 1, "resolved": 2}
        [resolutions] = [one.value for one in series if one.metric == RESOLUTION_TIME]
        assert isinstance(resolutions, Distribution)
        assert (resolutions.count, resolutions.total) == (3, pytest.approx(540 + 870 + 280))
    assert [end for _, _, end in exporter.flushes] == [now, now + 1.0]


def test_the_stats_are_what_was_counted_in_the_window(stores: Callable[[], Store]):
    store = stores()
    ledger = settled(store.db)
    now = time.time()
    for n in range(5):
        ledger.count(sources.inbound(message(n), now))
    ledger.count(sources.inbound(message(10), now - 3 * 3600))  # before a 1h window, inside a 24h one
    assert ledger.roll_up() == 6  # the rest is read from the markers, not yet rolled up
    ledger.count(sources.inbound(message(9, MessageType.COMMAND), now))
    for n in range(3):
        ledger.count(sources.delivery(answer(n), now))  # type: ignore[arg-type]
    ledger.count(sources.delivery(answer(3, "failed", "blocked"), now))  # type: ignore[arg-type]
    for chat_id, waited in ((1, 30.0), (2, 90.0), (3, 400.0)):
        ledger.count(sources.first_response(Conversation(chat_id=chat_id, created_at=now - 500,  # type: ignore[arg-type]
                                                         first_response_at=now - 500 + waited)))
    ledger.count(sources.dead_letter("enrich", "m-1", now))
    conversation(store, 1, ConversationStatus.OPEN, now - 500)

    stats = read_stats(store, 3600, now)
    assert stats.window_s == 3600 and stats.as_of == now
    assert stats.messages == {"CLIENT": 5, "COMMAND": 1, "AGENT": 3}
    assert stats.deliveries.sent == 3 and stats.deliveries.failed == {"blocked": 1}
    assert stats.first_response_s.p50 == pytest.approx(90, rel=0.4)
    assert stats.first_response_s.p90 == pytest.approx(400, rel=0.4)
    assert set(stats.hops_ms) == {"ingest", "classify", "enrich", "metrics", "deliver"}
    assert stats.hops_ms["deliver"].p50 == pytest.approx(300, rel=0.4)  # deliver:out - relay
    assert stats.dead_letters == {"enrich": 1}
    assert stats.conversations.model_dump() == {"open": 1, "pending": 0, "resolved": 0}
    assert [hour.hour for hour in stats.per_hour] == [hour_of(now - 3600), hour_of(now)]
    assert sum(hour.messages.get("CLIENT", 0) for hour in stats.per_hour) == 5
    assert stats.sla_breaches == 0 and stats.csat.count == 0 and stats.csat.average is None

    day = read_stats(store, 86400, now)
    assert day.messages["CLIENT"] == 6 and len(day.per_hour) == 25
