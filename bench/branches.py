"""The steps off the message's path (the metrics step): when each got the messages, from its ledger.

A branch is fed by a topic of the path but feeds nothing the relay waits for, so it cannot add to
the customer → console latency; the stage table shows it beside the path to make that visible.
The figures are the metrics step's own `hop_latency{hop="metrics"}` (its arrival after the
previous part's publish), read back through `read_stats`: bucket estimates, within ±40 %.
"""

from __future__ import annotations

import time
from typing import Any

from teledesk.envelope import MessageType
from teledesk.metrics.stats import read_stats
from teledesk.store import Store

METRICS_HOP = "metrics"
WINDOW_S = 3600


def branch_figures(project_id: str, expected: int, timeout_s: float = 60.0) -> dict[str, Any]:
    """Wait (up to `timeout_s`) until the metrics step counted the `expected` customer messages,
    then its hop figures and how many it counted."""
    store = Store(project_id)
    deadline = time.monotonic() + timeout_s
    while True:
        stats = read_stats(store, WINDOW_S)
        counted = stats.messages.get(MessageType.CLIENT, 0)
        if counted >= expected or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    hop = stats.hops_ms.get(METRICS_HOP)
    return {"counted": counted, "expected": expected,
            METRICS_HOP: hop.model_dump() if hop is not None else {}}
