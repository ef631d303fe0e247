"""The metrics step end to end: two real metrics function processes (functions-framework, as two
Cloud Functions instances) fed Pub/Sub push bodies over HTTP, counting in Firestore on the
emulator and writing Cloud Monitoring's MetricService (tests/monitoring_double.py).

Every event reaches both instances and some are redelivered, over several flush intervals; the
double then holds the exact descriptors, each series counted once, no request over 200 series, no
series written more often than the flush interval, no refused call, one start time per CUMULATIVE
series; and the ledger the stats page reads holds the same figures.
"""

from __future__ import annotations

import base64
import functools
import itertools
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from google.api import metric_pb2
from monitoring_double import MAX_SERIES_PER_REQUEST, MetricServiceDouble, SeriesKey, WrittenPoint

from devtools.runner.emulators import Emulators
from devtools.runner.processes import Child, free_port, port_open
from teledesk.envelope import Envelope, MessageType
from teledesk.manifest import load_manifest
from teledesk.metrics.catalog import METRICS, PREFIX, Kind
from teledesk.metrics.ledger import Ledger
from teledesk.metrics.series import Distribution
from teledesk.metrics.stats import read_stats
from teledesk.model import Conversation, ConversationStatus, Resolution
from teledesk.settings import ROOT
from teledesk.store import Store

pytestmark = pytest.mark.integration

MetricDescriptor = metric_pb2.MetricDescriptor

FLUSH_S = 5  # DESK_METRICS_FLUSH_S: Cloud Monitoring's (and the double's) sampling period, the shortest it takes
FEED_S = 18.0  # events keep arriving over this long: several flush intervals
SETTLE_S = 2  # DESK_METRICS_SETTLE_S: roll-ups happen while events arrive, so the points cross them
CUSTOMERS = 12  # N customer messages (CLIENT, on messages-enriched)
SENT = 5  # M - 1 answers Telegram took, and one that failed (on deliveries)
FAILED_CAUSE = "blocked"
DEAD_STEP = "classify"  # one message parked on classify-dead-letter
CHAT = 7_300_001
RESOLVED_CHAT = 7_300_002
# Deterministic hops (ms) in the envelopes' traces; the `metrics` hop is the step's own arrival.
INGEST_MS, CLASSIFY_MS, ENRICH_MS, DELIVER_MS = 4.0, 56.0, 70.0, 300.0
INSTANCES = 2
READY_S = 120.0  # a functions-framework start on a loaded 2-core machine
POST_S = 60.0  # how long one push is retried, as Pub/Sub would, before the test gives up
FINAL_FLUSH_S = 120.0


# --- the two metrics instances ----------------------------------------------------------------

@dataclass
class Instance:
    child: Child
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@pytest.fixture
def instances(emulators: Emulators, metric_service: MetricServiceDouble, own_project: str,
              tmp_path: Path) -> Iterator[list[Instance]]:
    """Two metrics function processes, as two Cloud Functions instances: stopped by their own
    process groups however the test ends."""
    env = {**os.environ, **emulators.environment,
           "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
           "GOOGLE_CLOUD_PROJECT": own_project,
           "DESK_METRICS": "cloud",
           "DESK_MONITORING_ENDPOINT": metric_service.endpoint,
           "DESK_METRICS_FLUSH_S": str(FLUSH_S), "DESK_METRICS_SETTLE_S": str(SETTLE_S)}
    step = load_manifest().step("metrics")
    started: list[Instance] = []
    try:
        for n in range(INSTANCES):
            port = free_port()
            child = Child(f"metrics-{n + 1}", [
                sys.executable, "-m", "functions_framework", "--source", str(step.source_path),
                "--target", step.entry_point, "--host", "127.0.0.1", "--port", str(port)],
                env, tmp_path / "logs", cwd=ROOT)
            started.append(Instance(child, port))
        for instance in started:
            instance.child.wait_until(functools.partial(port_open, instance.port), timeout=READY_S)
        yield started
    finally:
        for instance in started:
            instance.child.stop()


# --- what Pub/Sub pushes ----------------------------------------------------------------------

def push_body(subscription: str, project: str, data: bytes, attributes: dict[str, str],
              message_id: str) -> dict[str, Any]:
    """A push subscription's request body, as the emulator (and Pub/Sub) send it."""
    return {"subscription": f"projects/{project}/subscriptions/{subscription}",
            "message": {"data": base64.b64encode(data).decode("ascii"), "attributes": attributes,
                        "messageId": message_id, "message_id": message_id,
                        "publishTime": datetime.now(UTC).isoformat().replace("+00:00", "Z")}}


def customer_message(n: int, at_ms: float) -> Envelope:
    """What enrich publishes on messages-enriched: ingest's, classify's and enrich's stamps."""
    ingest = at_ms - 200
    trace = {"ingest": ingest, "ingest:out": ingest + INGEST_MS,
             "classify": ingest + INGEST_MS + 20, "classify:out": ingest + INGEST_MS + CLASSIFY_MS,
             "enrich": ingest + INGEST_MS + CLASSIFY_MS + 10,
             "enrich:out": ingest + INGEST_MS + CLASSIFY_MS + ENRICH_MS}
    return Envelope(id=f"tg-{CHAT}-{100 + n}", type=MessageType.CLIENT, chat_id=CHAT, date=int(at_ms // 1000),
                    text=f"pregunta {n}", customer={"id": CHAT, "first_name": "Ana"}, trace=trace)


def settled_answer(n: int, at_ms: float, cause: str | None = None) -> Envelope:
    """What deliver publishes on deliveries once Telegram took (or refused) an agent's answer."""
    relay = at_ms - 400
    envelope = Envelope(id=f"agent-{uuid.uuid4().hex}", type=MessageType.AGENT, chat_id=CHAT,
                        date=int(at_ms // 1000), text=f"respuesta {n}",
                        trace={"relay": relay, "deliver": relay + 30, "deliver:out": relay + DELIVER_MS})
    state = "failed" if cause else "sent"
    envelope.extra["delivery"] = {"chat_id": CHAT, "client_id": uuid.uuid4().hex, "message_id": envelope.id,
                                  "state": state, "reason": "blocked by the user" if cause else None,
                                  "cause": cause}
    return envelope


@dataclass(frozen=True)
class Push:
    at: float  # seconds after the feed starts
    instance: int
    body: dict[str, Any]


def feed_plan(project: str, started_at: float) -> list[Push]:
    """Every event to both instances, a third of them redelivered later; customers' messages,
    answers and a dead letter interleaved, arriving all through FEED_S."""
    subscriptions = load_manifest().step("metrics").subscriptions
    causes: list[str | None] = [*[None] * SENT, FAILED_CAUSE]
    events: list[tuple[str, Callable[[float], Envelope]]] = []
    for n in range(CUSTOMERS):
        events.append(("messages-enriched", functools.partial(customer_message, n)))
        if n % 2 == 1 and causes:
            events.append(("deliveries", functools.partial(settled_answer, n, cause=causes.pop(0))))
    events += [("deliveries", functools.partial(settled_answer, 100 + i, cause=c)) for i, c in enumerate(causes)]
    events.insert(len(events) // 2, (f"{DEAD_STEP}-dead-letter", functools.partial(customer_message, 999)))

    plan: list[Push] = []
    gap = FEED_S / len(events)
    for i, (topic, make) in enumerate(events):
        at = i * gap
        envelope = make((started_at + at) * 1000)  # stamped as if published just before it arrives
        body = push_body(subscriptions[topic], project, envelope.to_json(), envelope.attributes(),
                         str(9_000_000 + i))
        plan.append(Push(at, i % INSTANCES, body))
        plan.append(Push(at + 0.05, (i + 1) % INSTANCES, body))  # the same message on the other instance
        if i % 3 == 0:
            plan.append(Push(at + 2.5, i % INSTANCES, body))  # Pub/Sub's redelivery, later
    return sorted(plan, key=lambda push: push.at)


def post(instance: Instance, body: dict[str, Any]) -> None:
    """Push until the instance takes it (2xx), as Pub/Sub would redeliver an error."""
    deadline = time.monotonic() + POST_S
    while True:
        try:
            answer = requests.post(instance.url, json=body, timeout=30)
            if answer.status_code < 300:
                return
            problem = f"{answer.status_code} {answer.text[:200]}"
        except requests.RequestException as exc:
            problem = repr(exc)
        if time.monotonic() > deadline:
            raise AssertionError(f"{instance.child.name} never took a push ({problem}); {instance.child.where}")
        time.sleep(0.5)


def feed(instances: list[Instance], plan: list[Push], started_at: float) -> None:
    with ThreadPoolExecutor(4) as pool:
        futures = []
        for push in plan:
            time.sleep(max(0.0, started_at + push.at - time.time()))
            futures.append(pool.submit(post, instances[push.instance], push.body))
        for future in futures:
            future.result()


# --- what the double received -----------------------------------------------------------------

def series_name(key: SeriesKey) -> str:
    name: str = key.metric_type.removeprefix(PREFIX)
    return name + "".join(f";{k}={v}" for k, v in key.metric_labels)


def latest(points: dict[SeriesKey, list[WrittenPoint]]) -> dict[str, WrittenPoint]:
    return {series_name(key): max(written, key=lambda p: p.end_time) for key, written in points.items()}


def value_of(point: WrittenPoint) -> int | tuple[int, float, list[int]]:
    """An INT64 point's value, or a distribution's (count, mean, bucket counts)."""
    distribution = point.value.distribution_value
    if "distribution_value" in point.value:
        return distribution.count, distribution.mean, list(distribution.bucket_counts)
    return int(point.value.int64_value)


def wait_for_a_flush_after(metric_service: MetricServiceDouble, instances: list[Instance], plan: list[Push],
                           after: float) -> None:
    """Until a flush whose end time is after `after` reached the double. A flush only follows an
    event, so Pub/Sub keeps redelivering what was already counted (which counts nothing)."""
    messages = f"{PREFIX}messages"
    deadline = time.monotonic() + FINAL_FLUSH_S
    for tick in itertools.count():
        if any(point.end_time > after for key, written in metric_service.points_by_series().items()
               if key.metric_type == messages for point in written):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"no flush after the last event within {FINAL_FLUSH_S} s; calls: "
                                 f"{[(c.method, c.error) for c in metric_service.calls][-10:]}")
        post(instances[tick % INSTANCES], plan[tick % len(plan)].body)
        time.sleep(1.0)


def problems_logged(instances: list[Instance]) -> list[str]:
    """The instances' ERROR and CRITICAL lines (a failed flush is logged, not raised), but the one
    `needs reprocessing` line of the dead letter, which must be there once."""
    lines = [json.loads(line) for instance in instances if instance.child.log_path.exists()
             for line in instance.child.log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    serious = [line for line in lines if line.get("severity") in ("ERROR", "CRITICAL")]
    parked = [line for line in serious if str(line.get("message", "")).startswith("needs reprocessing:")]
    assert len(parked) == 1, f"the dead letter logged {len(parked)} times"
    return [str(line.get("message", "")).splitlines()[0] + " … " + str(line.get("message", "")).splitlines()[-1]
            for line in serious if line not in parked]


def test_two_metrics_instances_write_each_event_once_to_cloud_monitoring(
        instances: list[Instance], metric_service: MetricServiceDouble, own_project: str) -> None:
    project = own_project
    store = Store(project)
    now = time.time()
    # The conversation the answers belong to (its first response 42 s after it started), and
    # another, resolved a minute ago after 600 s, that the flush's census finds.
    store.conversations.documents.conversation(CHAT).set(Conversation(
        chat_id=CHAT, status=ConversationStatus.OPEN, created_at=now - 100, first_response_at=now - 58,
    ).complete().to_firestore())
    store.conversations.documents.conversation(RESOLVED_CHAT).set(Conversation(
        chat_id=RESOLVED_CHAT, status=ConversationStatus.RESOLVED, created_at=now - 660, resolved_at=now - 60,
        last_resolution=Resolution(number=1, opened_at=now - 660, resolved_at=now - 60),
    ).complete().to_firestore())

    started_at = time.time() + 0.5
    plan = feed_plan(project, started_at)
    feed(instances, plan, started_at)
    all_counted_at = time.time()
    wait_for_a_flush_after(metric_service, instances, plan, all_counted_at)
    for instance in instances:
        assert instance.child.process.poll() is None, f"{instance.child.name} exited; {instance.child.where}"

    # No flush failed (a failed one is only logged), and the service's rules: no call refused (a
    # refusal is a rule the desk broke), no request over 200 series.
    assert problems_logged(instances) == []
    refused = [(call.method, call.error) for call in metric_service.calls if call.error is not None]
    assert refused == []
    writes = metric_service.calls_to("CreateTimeSeries")
    assert writes and all(len(call.request.time_series) <= MAX_SERIES_PER_REQUEST for call in writes)
    assert all(call.request.name == f"projects/{project}" for call in writes)

    # The exact descriptors: every metric of the catalog, made before the first point.
    kept = metric_service.descriptors
    assert set(kept) == {metric.type for metric in METRICS}
    for metric in METRICS:
        descriptor = kept[metric.type]
        assert (MetricDescriptor.MetricKind.Name(descriptor.metric_kind),
                MetricDescriptor.ValueType.Name(descriptor.value_type), descriptor.unit, descriptor.description,
                descriptor.display_name) == (metric.kind, metric.value_type, metric.unit, metric.description,
                                             metric.display_name)
        assert [label.key for label in descriptor.labels] == list(metric.labels)
        assert all(label.value_type == label.STRING for label in descriptor.labels)
    first_write = min(call.received_at for call in writes)
    made = [call for call in metric_service.calls_to("CreateMetricDescriptor") if call.received_at < first_write]
    assert {call.request.metric_descriptor.type for call in made} == set(kept)
    assert len(metric_service.calls_to("ListMetricDescriptors")) <= INSTANCES  # once per instance at most

    # Every series: its kind and value type as declared, the `global` resource of this project.
    points = metric_service.points_by_series()
    declared = {metric.type: metric for metric in METRICS}
    for key, written in points.items():
        metric = declared[key.metric_type]
        assert (key.resource_type, dict(key.resource_labels)) == ("global", {"project_id": project})
        assert set(key.labels) == set(metric.labels)
        for point in written:
            assert (MetricDescriptor.MetricKind.Name(point.series.metric_kind),
                    MetricDescriptor.ValueType.Name(point.series.value_type)) == (metric.kind, metric.value_type)

    # The final points: each event counted once, whatever both instances and the redeliveries did.
    final = {name: value_of(point) for name, point in latest(points).items()}
    distributions = {name: value for name, value in final.items() if isinstance(value, tuple)}
    counts = {name: value for name, value in final.items() if isinstance(value, int)}
    assert counts == {
        "messages;direction=in;type=CLIENT": CUSTOMERS,
        "messages;direction=out;type=AGENT": SENT,
        "deliveries;cause=;outcome=sent": SENT,
        f"deliveries;cause={FAILED_CAUSE};outcome=failed": 1,
        f"dead_letters;step={DEAD_STEP}": 1,
        "conversations;status=open": 1,
        "conversations;status=pending": 0,
        "conversations;status=resolved": 1,
    }
    assert {name: count for name, (count, _, _) in distributions.items()} == {
        "hop_latency;hop=ingest": CUSTOMERS, "hop_latency;hop=classify": CUSTOMERS,
        "hop_latency;hop=enrich": CUSTOMERS, "hop_latency;hop=deliver": SENT + 1,
        "hop_latency;hop=metrics": CUSTOMERS + SENT + 1,
        "first_response_time": 1, "resolution_time": 1,
    }
    means = {name: mean for name, (_, mean, _) in distributions.items()}
    assert means["hop_latency;hop=ingest"] == pytest.approx(INGEST_MS)
    assert means["hop_latency;hop=classify"] == pytest.approx(CLASSIFY_MS)
    assert means["hop_latency;hop=enrich"] == pytest.approx(ENRICH_MS)
    assert means["hop_latency;hop=deliver"] == pytest.approx(DELIVER_MS)
    assert means["first_response_time"] == pytest.approx(42.0, abs=0.01)
    assert means["resolution_time"] == pytest.approx(600.0, abs=0.01)
    assert all(sum(buckets) == count for count, _, buckets in distributions.values())

    # Flushes all through the feed, no series written more often than the flush interval
    # (whichever instance wrote), and the counts never went past the final ones.
    [customers] = [written for key, written in points.items()
                   if series_name(key) == "messages;direction=in;type=CLIENT"]
    assert len([point for point in customers if point.end_time <= all_counted_at]) >= FEED_S // FLUSH_S - 1
    for key, written in points.items():
        ends = sorted(point.end_time for point in written)
        too_close = [(a, b) for a, b in itertools.pairwise(ends) if b - a < FLUSH_S]
        assert too_close == [], f"{series_name(key)} written twice within {FLUSH_S} s"
        if declared[key.metric_type].value_type == "INT64" and declared[key.metric_type].kind is Kind.CUMULATIVE:
            values = [value_of(point) for point in sorted(written, key=lambda p: p.end_time)]
            assert values == sorted(values) and values[-1] == counts[series_name(key)], series_name(key)

    # Every CUMULATIVE series keeps one start time, the ledger's one start; GAUGE points have none.
    starts = {series_name(key): {point.start_time for point in written} for key, written in points.items()}
    for key in points:
        if declared[key.metric_type].kind is Kind.CUMULATIVE:
            assert len(starts[series_name(key)]) == 1 and None not in starts[series_name(key)], series_name(key)
        else:
            assert starts[series_name(key)] == {None}
    [start] = {start for named in starts.values() for start in named} - {None}
    assert start == pytest.approx(Ledger(store.db).start_time(), abs=1e-5)

    # The ledger, which the stats page reads, counts what Cloud Monitoring got.
    snapshot = {series_name(SeriesKey(f"{PREFIX}{one.metric.name}", tuple(sorted(one.labels.items())), "", ())):
                (one.value.count if isinstance(one.value, Distribution) else one.value)
                for one in Ledger(store.db).snapshot()}
    assert snapshot == {name: value if isinstance(value, int) else value[0] for name, value in final.items()
                        if not name.startswith("conversations;")}
    stats = read_stats(store, 3600)
    assert stats.messages == {"CLIENT": CUSTOMERS, "AGENT": SENT}
    assert stats.deliveries.sent == SENT and stats.deliveries.failed == {FAILED_CAUSE: 1}
    assert stats.dead_letters == {DEAD_STEP: 1}
    assert stats.conversations.model_dump() == {"open": 1, "pending": 0, "resolved": 1}
    assert set(stats.hops_ms) == {"ingest", "classify", "enrich", "deliver", "metrics"}
    assert stats.first_response_s.p50 == pytest.approx(42.0, rel=0.4)

