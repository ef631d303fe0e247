"""The desk's figures for the stats page: `GET /api/stats?window=1h|24h|7d`.

What the metrics step recorded, read by `teledesk.metrics.stats.read_stats`, answered as its
`Stats`. Each window's answer is kept CACHE_S (10) seconds in this relay's `StatsCache`
(`Relay.stats`): consoles refresh the page every 30 seconds, so a room of them costs the store at
most one read per window per CACHE_S, however many are open. Consoles asking at once while a
window's read is under way wait for that one read rather than each starting their own. Figures
that are CACHE_S old are news enough: the metrics step itself writes a series once per
`DESK_METRICS_FLUSH_S` (60 s by default).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Blueprint, Response, jsonify

from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.relay import current_relay
from realtime.schemas import StatsQuery
from teledesk.metrics.stats import WINDOWS, Stats, read_stats
from teledesk.model import Agent

CACHE_S = 10.0

stats = Blueprint("stats", __name__)


class StatsCache:
    """The last answer of each window, for CACHE_S seconds; one read at a time per window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._held: dict[int, tuple[float, Stats]] = {}
        self._reading = {seconds: threading.Lock() for seconds in WINDOWS.values()}

    def get(self, window_s: int, read: Callable[[int], Stats]) -> Stats:
        """The window's figures: the held ones while fresh, else `read(window_s)` (a failed read is not kept)."""
        with self._reading.setdefault(window_s, threading.Lock()):
            held = self._held.get(window_s)
            if held is not None and self.clock() - held[0] < CACHE_S:
                return held[1]
            figures = read(window_s)
            self._held[window_s] = (self.clock(), figures)
            return figures


@stats.get("/stats")
@login_required
@declare(answers(200, Stats, 400, 401))
def desk_stats(agent: Agent, query: StatsQuery) -> Response:
    """The desk's figures over a window (any agent): messages, deliveries, response times, hops, conversations now

    Messages by type, in total and per UTC hour; deliveries sent and failed by cause; first-response and
    resolution times (p50, p90; null while none was observed); per-hop latency (p50, p99, ms); messages
    parked as dead letters, by step; SLA breaches and satisfaction ratings (0 until the conversation
    lifecycle runs). `conversations` counts are now, not over the window. Kept 10 s per window by each
    relay: `as_of` says when the figures were read.
    """
    relay = current_relay()
    figures = relay.stats.get(WINDOWS[query.window], lambda window_s: read_stats(relay.store, window_s))
    return jsonify(figures.model_dump(mode="json"))
