"""Percentiles of the samples, and the per-stage times read from each message's trace map."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from bench.chain import Path
from bench.client import Sample

Stage = tuple[str, Callable[[Sample], float | None]]


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); `values` need not be sorted."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Iterable[float | None], points: tuple[int, ...] = (50, 90, 99)) -> dict[str, float | int]:
    found = [v for v in values if v is not None]
    if not found:
        return {"count": 0}
    return {"count": len(found), **{f"p{q}": round(percentile(found, q), 1) for q in points},
            "max": round(max(found), 1)}


def _between(later: str, earlier: str) -> Callable[[Sample], float | None]:
    def measure(sample: Sample) -> float | None:
        if later in sample.trace and earlier in sample.trace:
            return sample.trace[later] - sample.trace[earlier]
        return None

    return measure


def stages(path: Path) -> list[Stage]:
    """Webhook leg, each step's own time, each Pub/Sub hop, and the relay leg, in path order.

    A step stamps `X` when its handler starts and `X:out` just before it publishes, so a hop
    holds the publish (until the emulator acks it), the delivery, and the next step's framework
    up to its handler.
    """
    names = [path.webhook.name, *(s.name for s in path.steps)]
    result: list[Stage] = [
        (f"webhook POST -> {names[0]} handler",
         lambda s: s.trace[names[0]] - s.sent * 1000 if names[0] in s.trace else None),
    ]
    for n, name in enumerate(names):
        result.append((f"{name} (own time)", _between(f"{name}:out", name)))
        if n + 1 < len(names):
            result.append((f"hop {path.topics[n]} -> {names[n + 1]}", _between(names[n + 1], f"{name}:out")))
    last = f"{names[-1]}:out"
    result.append((f"relay leg {path.relay_topic} -> client",
                   lambda s: (s.arrived * 1000 - s.trace[last]) if s.arrived and last in s.trace else None))
    return result


def scenario_figures(samples: list[Sample]) -> dict[str, Any]:
    return {
        "sent": len(samples),
        "answered_200": sum(1 for s in samples if s.status == 200),
        "received": sum(1 for s in samples if s.arrived is not None),
        "duplicated": duplicated(samples),
        "latency_ms": summary(s.latency_ms for s in samples),
        "webhook_answer_ms": summary(s.answer_ms for s in samples),
    }


def duplicated(samples: list[Sample]) -> int:
    """How many messages the Socket.IO client saw more than once."""
    return sum(1 for s in samples if s.copies > 1)


def stage_figures(samples: list[Sample], path: Path) -> dict[str, dict[str, float | int]]:
    received = [s for s in samples if s.arrived is not None]
    return {label: summary((measure(s) for s in received), points=(50, 99)) for label, measure in stages(path)}


def ratio(numerator: dict[str, Any], denominator: dict[str, Any], point: str) -> float | None:
    top, bottom = numerator["latency_ms"].get(point), denominator["latency_ms"].get(point)
    return round(top / bottom, 1) if top is not None and bottom else None
