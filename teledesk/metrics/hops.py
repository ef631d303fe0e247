"""The hops of a message, read from its envelope's trace (`teledesk.envelope`).

Each part stamps `name` when a message reaches it and `name:out` when it publishes it. A hop is
named after the part that ends it, and lasts from the previous part's publish (its `:out` stamp,
or its only stamp) to this part's: Pub/Sub's transit and the part's own work together. The first
part's hop is its own work (arrival to publish), when it stamped both. The parts are ordered by
their first stamp.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

OUT = ":out"


def hop_latencies(trace: Mapping[str, float]) -> dict[str, float]:
    """hop → milliseconds, in the order the message went."""
    arrivals = {name: at for name, at in trace.items() if not name.endswith(OUT)}
    publishes = {name.removesuffix(OUT): at for name, at in trace.items() if name.endswith(OUT)}
    parts = sorted(arrivals.keys() | publishes.keys(),
                   key=lambda part: min(arrivals.get(part, math.inf), publishes.get(part, math.inf)))
    hops: dict[str, float] = {}
    previous_end: float | None = None
    for part in parts:
        end = publishes.get(part, arrivals.get(part))
        assert end is not None  # every part has a stamp
        if previous_end is not None:
            hops[part] = end - previous_end
        elif part in arrivals and part in publishes:
            hops[part] = end - arrivals[part]
        previous_end = end
    return hops
