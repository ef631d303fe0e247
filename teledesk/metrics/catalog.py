"""Every metric the desk writes, declared once: docs/metrics.md, the Cloud Monitoring descriptors,
the ledger and the stats page all read this list.

Cloud Monitoring takes user-defined metrics of kind GAUGE or CUMULATIVE (not DELTA), so the
counters and distributions are CUMULATIVE from a fixed start time, and what is "now" (how many
conversations are open) is a GAUGE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

PREFIX = "custom.googleapis.com/teledesk/"


class Kind(StrEnum):
    CUMULATIVE = "CUMULATIVE"
    GAUGE = "GAUGE"


class ValueType(StrEnum):
    INT64 = "INT64"
    DISTRIBUTION = "DISTRIBUTION"


@dataclass(frozen=True)
class ExponentialBuckets:
    """Cloud Monitoring's exponential buckets: an underflow bucket (< scale), `count` finite
    buckets, bucket i (1…count) from scale·growth^(i-1) to scale·growth^i, and an overflow bucket."""

    count: int
    growth: float
    scale: float

    def index(self, value: float) -> int:
        """Which of the count + 2 buckets `value` falls in (0: underflow, count + 1: overflow)."""
        if value < self.scale:
            return 0
        i = math.floor(math.log(value / self.scale, self.growth)) + 1
        return min(max(i, 1), self.count + 1)

    def bounds(self, index: int) -> tuple[float, float]:
        """The [lower, upper) bounds of bucket `index`; the underflow starts at 0, the overflow
        ends at infinity."""
        if index == 0:
            return 0.0, self.scale
        upper = math.inf if index > self.count else self.scale * self.growth ** index
        return self.scale * self.growth ** (index - 1), upper


# 1 ms … ~11 min in 40 steps of 40 %: Pub/Sub hops and the steps' own time.
MILLISECONDS = ExponentialBuckets(count=40, growth=1.4, scale=1.0)
# 1 s … ~8 days in 40 steps of 40 %: how long customers wait.
SECONDS = ExponentialBuckets(count=40, growth=1.4, scale=1.0)


@dataclass(frozen=True)
class Metric:
    name: str  # under PREFIX
    kind: Kind
    value_type: ValueType
    unit: str  # UCUM, as Cloud Monitoring takes it
    description: str
    labels: dict[str, str] = field(default_factory=dict)  # label → what it holds
    buckets: ExponentialBuckets | None = None  # distributions only

    @property
    def type(self) -> str:
        """The metric type Cloud Monitoring knows it by."""
        return PREFIX + self.name

    @property
    def display_name(self) -> str:
        """Its descriptor's name in Cloud Monitoring's pickers (sentence case, no final period).
        Terraform and the cloud exporter both write the descriptor: both take this one."""
        return "Teledesk " + self.name.replace("_", " ")


MESSAGES = Metric(
    "messages", Kind.CUMULATIVE, ValueType.INT64, "1",
    "Messages through the desk: the customers' (in) as enrich stored them, answers (out) once sent.",
    {"type": "the envelope's type: CLIENT, COMMAND, CALLBACK, MEMBER, UNSUPPORTED, AGENT, BOT",
     "direction": "in or out"})
DELIVERIES = Metric(
    "deliveries", Kind.CUMULATIVE, ValueType.INT64, "1",
    "Answers deliver settled: sent, or failed with the cause.",
    {"outcome": "sent or failed",
     "cause": "why it failed (teledesk.telegram.client.FailureCause); empty when sent"})
FIRST_RESPONSE_TIME = Metric(
    "first_response_time", Kind.CUMULATIVE, ValueType.DISTRIBUTION, "s",
    "From a conversation's start to its first agent answer, once per conversation.", buckets=SECONDS)
RESOLUTION_TIME = Metric(
    "resolution_time", Kind.CUMULATIVE, ValueType.DISTRIBUTION, "s",
    "From a conversation's start to its resolution, once per resolution.", buckets=SECONDS)
HOP_LATENCY = Metric(
    "hop_latency", Kind.CUMULATIVE, ValueType.DISTRIBUTION, "ms",
    "Per hop of a message, from its envelope's trace: the time from the previous part's publish "
    "to this part's, Pub/Sub's transit and the part's own work together.",
    {"hop": "the part that ends the hop: ingest, classify, enrich, deliver …"}, buckets=MILLISECONDS)
CONVERSATIONS = Metric(
    "conversations", Kind.GAUGE, ValueType.INT64, "1",
    "Conversations in each status now.", {"status": "open, pending or resolved"})
DEAD_LETTERS = Metric(
    "dead_letters", Kind.CUMULATIVE, ValueType.INT64, "1",
    "Messages a step gave up on, parked on its dead-letter topic (replay them with teledesk.replay).",
    {"step": "the step whose input it was"})
SLA_BREACHES = Metric(
    "sla_breaches", Kind.CUMULATIVE, ValueType.INT64, "1",
    "Conversations whose first-response SLA passed with no agent answer (the lifecycle's events).")
CSAT_RATINGS = Metric(
    "csat_ratings", Kind.CUMULATIVE, ValueType.INT64, "1",
    "Satisfaction ratings customers gave in the chat (the lifecycle's events).",
    {"rating": "1 to 5 stars"})

METRICS: tuple[Metric, ...] = (MESSAGES, DELIVERIES, FIRST_RESPONSE_TIME, RESOLUTION_TIME, HOP_LATENCY,
                               CONVERSATIONS, DEAD_LETTERS, SLA_BREACHES, CSAT_RATINGS)
