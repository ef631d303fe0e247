"""What `GET /api/stats` answers: the desk's figures over a window (the contract's shape, extended).

The contract's keys are `window_s`, `messages`, `deliveries`, `first_response_s`,
`conversations`, `sla_breaches`, `csat` and `hops_ms`; the others extend it for the stats page.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

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
    raise NotImplementedError("the metrics ledger reads this (issue 10, in progress)")
