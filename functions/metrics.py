"""metrics: count what goes through the desk, each event once, and flush the counts.

Fed by `messages-enriched`, `deliveries`, `conversation-changes` (the lifecycle's SLA breaches)
and every other step's dead-letter topic (the manifest's
`watch_dead_letters`), one push subscription each; it publishes nothing. What an event counts is
`teledesk.metrics.sources`; the ledger (`teledesk.metrics.ledger`) counts it once whatever Pub/Sub
redelivers and however many instances run; then, at most once per `DESK_METRICS_FLUSH_S` across
the instances, the totals go to the exporter `DESK_METRICS` chooses. See docs/metrics.md.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

import functions_framework

from teledesk import pipeline
from teledesk.envelope import Envelope, MessageType
from teledesk.logs import configure
from teledesk.manifest import Step
from teledesk.metrics import sources
from teledesk.metrics.exporters import check_settings, exporter_for
from teledesk.metrics.flush import Flusher
from teledesk.metrics.ledger import Ledger
from teledesk.metrics.series import Exporter
from teledesk.pipeline import Services, event_step
from teledesk.pubsub import push_body_field
from teledesk.settings import Settings

STEP = "metrics"
configure(STEP)
check_settings(Settings.from_env())  # a wrong DESK_METRICS* stops the step here, said plainly
ENRICHED = "messages-enriched"
DELIVERIES = "deliveries"
CHANGES = "conversation-changes"

log = logging.getLogger("teledesk.metrics")
_topic: contextvars.ContextVar[str] = contextvars.ContextVar("metrics_topic")


@dataclass(frozen=True)
class Counting:
    """This process's ledger, flush lease and exporter."""

    ledger: Ledger
    flusher: Flusher
    exporter: Exporter


@functools.cache
def counting() -> Counting:
    """Made once per process; `counting.cache_clear()` gives a test fresh ones."""
    svc = pipeline.services()  # looked up per call, as event_step does
    ledger = Ledger(svc.store.db, svc.settings.desk_metrics_settle_s)
    return Counting(ledger, Flusher(ledger), exporter_for(svc.settings))


def topic_of(step: Step, cloud_event: Any) -> str:
    """The topic a push came from, by its subscription (the push body's `subscription`)."""
    subscription = push_body_field(cloud_event, "subscription")
    name = str(subscription or "").rsplit("/", 1)[-1]
    topic = next((topic for topic, fed_by in step.subscriptions.items() if fed_by == name), None)
    if topic is None:  # not wired by the manifest: answer an error, so it is kept on the dead-letter topic
        raise ValueError(f"{STEP}: a push from subscription {subscription!r}, which the manifest does not list")
    return topic


@event_step(STEP)
def _count_envelope(envelope: Envelope, svc: Services) -> None:
    now, ledger = time.time(), counting().ledger
    topic = _topic.get()
    if topic == ENRICHED:
        ledger.count(sources.inbound(envelope, now))
        rated = sources.rating(envelope)
        if rated is not None:
            ledger.count(rated)
    elif topic == CHANGES:
        breach = sources.sla_breach(envelope, now)
        if breach is not None:
            ledger.count(breach)
    elif topic == DELIVERIES:
        tally = sources.delivery(envelope, now)
        if tally is not None:
            ledger.count(tally)
        if tally is not None and envelope.type == MessageType.AGENT:
            conversation = svc.store.conversations.get(envelope.chat_id)
            first = sources.first_response(conversation) if conversation is not None else None
            if first is not None:
                ledger.count(first)


def _count_dead_letter(step: str, cloud_event: Any) -> None:
    message = (getattr(cloud_event, "data", None) or {}).get("message") or {}
    message_id = str(message.get("messageId") or cloud_event["id"])
    if counting().ledger.count(sources.dead_letter(step, message_id, time.time())):
        log.critical("needs reprocessing: step %s gave up on message %s (on %s-dead-letter); replay it with "
                     "`python -m teledesk.replay dead-letters --step %s`", step, message_id, step, step)


def _flush(svc: Services) -> None:
    """After counting. What was counted is kept whatever happens here: a failed flush is logged,
    not retried through this event, and the next one writes the totals."""
    clients = counting()
    try:
        clients.flusher.maybe_flush(clients.exporter, svc.settings.desk_metrics_flush_s, time.time())
    except Exception:
        log.exception("%s: the flush failed; the next one writes the totals", STEP)


@functions_framework.cloud_event
def metrics(cloud_event: Any) -> None:
    svc = pipeline.services()  # looked up per call, as event_step does
    step = svc.manifest.step(STEP)
    topic = topic_of(step, cloud_event)
    parked_by = step.watched_dead_letters
    if topic in parked_by:
        _count_dead_letter(parked_by[topic], cloud_event)
    else:
        token = _topic.set(topic)
        try:
            _count_envelope(cloud_event)
        finally:
            _topic.reset(token)
    _flush(svc)
