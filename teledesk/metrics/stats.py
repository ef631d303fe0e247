"""What `GET /api/stats` answers: the desk's figures over a window (the contract's shape, extended).

The contract's keys are `window_s`, `messages`, `deliveries`, `first_response_s`,
`conversations`, `sla_breaches`, `csat` and `hops_ms`; the others extend it for the stats page.

They are read from the ledger's hourly sums and the markers not rolled up yet
(teledesk.metrics.ledger), so a window is whole hours: from the start of the hour the window
starts in, to now. Percentiles are estimated from the distributions' buckets
(teledesk.metrics.percentiles). The conversation counts are now's.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from pydantic import BaseModel, Field

from teledesk.metrics.catalog import (
    CSAT_RATINGS,
    DEAD_LETTERS,
    DELIVERIES,
    FIRST_RESPONSE_TIME,
    HOP_LATENCY,
    MESSAGES,
    RESOLUTION_TIME,
    SLA_BREACHES,
    Metric,
)
from teledesk.metrics.census import conversation_counts
from teledesk.metrics.ledger import HOUR_S, Ledger, hour_of
from teledesk.metrics.percentiles import percentile
from teledesk.metrics.series import Distribution, Series, sum_series
from teledesk.model import ConversationStatus
from teledesk.store import Store

WINDOWS = {"1h": 3600, "24h": 86400, "7d": 604800}  # `?window=` → seconds
DEFAULT_WINDOW = "24h"


class Percentiles(BaseModel):
    """Estimated from the distribution's buckets; None while nothing was observed."""

    p50: float | None = None
    p90: float | None = None


class HopPercentiles(BaseModel):
    p50: float | None = None
    p99: float | None = None


class Deliveries(BaseModel):
    sent: int = 0
    failed: dict[str, int] = Field(default_factory=dict)  # by FailureCause


class ConversationCounts(BaseModel):
    """Now, not over the window: how many conversations are in each status."""

    open: int = 0
    pending: int = 0
    resolved: int = 0


class Csat(BaseModel):
    count: int = 0
    average: float | None = None


class HourOfMessages(BaseModel):
    hour: int  # epoch seconds at the start of the UTC hour
    messages: dict[str, int] = Field(default_factory=dict)  # by type


class Stats(BaseModel):
    window_s: int
    messages: dict[str, int] = Field(default_factory=dict)  # by type, in and out
    deliveries: Deliveries = Field(default_factory=Deliveries)
    first_response_s: Percentiles = Field(default_factory=Percentiles)
    resolution_s: Percentiles = Field(default_factory=Percentiles)
    conversations: ConversationCounts = Field(default_factory=ConversationCounts)
    sla_breaches: int = 0
    csat: Csat = Field(default_factory=Csat)
    hops_ms: dict[str, HopPercentiles] = Field(default_factory=dict)
    per_hour: list[HourOfMessages] = Field(default_factory=list)  # the window's hours, oldest first
    dead_letters: dict[str, int] = Field(default_factory=dict)  # by step
    as_of: float = 0.0  # epoch seconds the figures were read at


def read_stats(store: Store, window_s: int, now: float | None = None) -> Stats:
    """The figures of the last `window_s` seconds, from what the metrics step recorded."""
    now = time.time() if now is None else now
    hours = Ledger(store.db).hours(now - window_s)
    window = sum_series(one for hour in hours for one in hour.series)
    counted = {hour.hour: hour.series for hour in hours}
    counts = conversation_counts(store.db)
    ratings = _by_label(window, CSAT_RATINGS, "rating")
    rated = sum(ratings.values())
    failed = _by_label(window, DELIVERIES, "cause", outcome="failed")
    return Stats(
        window_s=window_s,
        messages=_by_label(window, MESSAGES, "type"),
        per_hour=[HourOfMessages(hour=hour, messages=_by_label(counted.get(hour, []), MESSAGES, "type"))
                  for hour in range(hour_of(now - window_s), hour_of(now) + 1, HOUR_S)],
        deliveries=Deliveries(sent=sum(_by_label(window, DELIVERIES, "cause", outcome="sent").values()),
                              failed=failed),
        first_response_s=_percentiles(window, FIRST_RESPONSE_TIME),
        resolution_s=_percentiles(window, RESOLUTION_TIME),
        hops_ms={hop: HopPercentiles(p50=_estimate(distribution, HOP_LATENCY, 0.5),
                                     p99=_estimate(distribution, HOP_LATENCY, 0.99))
                 for hop, distribution in _distributions(window, HOP_LATENCY, "hop").items()},
        dead_letters=_by_label(window, DEAD_LETTERS, "step"),
        sla_breaches=sum(_by_label(window, SLA_BREACHES, "").values()),
        csat=Csat(count=rated, average=sum(int(r) * n for r, n in ratings.items()) / rated if rated else None),
        conversations=ConversationCounts(**{str(status): counts.get(status, 0) for status in ConversationStatus}),
        as_of=now,
    )


def _by_label(series: Iterable[Series], metric: Metric, label: str, **only: str) -> dict[str, int]:
    """A counter's values added up by one label's value ("" for a metric without labels),
    among the series whose labels match `only`."""
    added: dict[str, int] = {}
    for one in series:
        if one.metric == metric and isinstance(one.value, int) and all(one.labels.get(k) == v for k, v in only.items()):
            value = one.labels.get(label, "")
            added[value] = added.get(value, 0) + one.value
    return added


def _distributions(series: Iterable[Series], metric: Metric, label: str) -> dict[str, Distribution]:
    """A distribution metric's series by one label's value ("" for a metric without labels)."""
    return {one.labels.get(label, ""): one.value for one in series
            if one.metric == metric and isinstance(one.value, Distribution)}


def _estimate(distribution: Distribution, metric: Metric, q: float) -> float | None:
    assert metric.buckets is not None
    estimate = percentile(distribution, metric.buckets, q)
    return round(estimate, 3) if estimate is not None else None


def _percentiles(series: Iterable[Series], metric: Metric) -> Percentiles:
    distribution = _distributions(series, metric, "").get("")
    if distribution is None:
        return Percentiles()
    return Percentiles(p50=_estimate(distribution, metric, 0.5), p90=_estimate(distribution, metric, 0.9))
