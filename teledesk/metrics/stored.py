"""How a ledger document holds series: a field per series, named after its metric and labels.

    counters.<name;label=value;…>       an INT64 series' count
    distributions.<name;label=value;…>  {count, total, total_of_squares, buckets: {index: n}}

Every number is written with `Increment`, so writers never read first and never fight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from google.cloud import firestore

from teledesk.metrics.catalog import METRICS, Metric, ValueType
from teledesk.metrics.series import Distribution, Series
from teledesk.metrics.tally import Observation
from teledesk.open_data import Fields

COUNTERS = "counters"
DISTRIBUTIONS = "distributions"

_BY_NAME = {metric.name: metric for metric in METRICS}
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # kept out of label values, so a field name parses back


def field_name(metric: Metric, labels: Mapping[str, str]) -> str:
    """`messages;type=CLIENT;direction=in`: the metric, then its labels in declared order."""
    return ";".join([metric.name, *(f"{label}={_UNSAFE.sub('_', labels[label])}" for label in metric.labels)])


def parse_field_name(name: str) -> tuple[Metric, dict[str, str]] | None:
    """The series a field holds; None for a metric this version does not declare."""
    metric_name, *pairs = name.split(";")
    metric = _BY_NAME.get(metric_name)
    if metric is None:
        return None
    labels = dict(pair.split("=", 1) for pair in pairs)
    return (metric, labels) if set(labels) == set(metric.labels) else None


def increments(observations: Iterable[Observation]) -> Fields:
    """A merge write that adds `observations` to a document. A negative sample (clocks that
    disagree) counts as 0."""
    counters: dict[str, float] = {}
    distributions: dict[str, dict[str, Any]] = {}
    for observation in observations:
        metric, name = observation.metric, field_name(observation.metric, observation.labels)
        if metric.buckets is None:
            counters[name] = counters.get(name, 0) + observation.value
            continue
        value = max(0.0, observation.value)
        added = distributions.setdefault(name, {"count": 0, "total": 0.0, "total_of_squares": 0.0, "buckets": {}})
        added["count"] += 1
        added["total"] += value
        added["total_of_squares"] += value * value
        index = str(metric.buckets.index(value))
        added["buckets"][index] = added["buckets"].get(index, 0) + 1
    write: Fields = {}
    # A map written empty by a merge replaces the stored one: a section with nothing to add is left out.
    if counters:
        write[COUNTERS] = {name: firestore.Increment(int(n)) for name, n in counters.items()}
    if distributions:
        write[DISTRIBUTIONS] = {name: {
            "count": firestore.Increment(added["count"]), "total": firestore.Increment(added["total"]),
            "total_of_squares": firestore.Increment(added["total_of_squares"]),
            "buckets": {index: firestore.Increment(n) for index, n in added["buckets"].items()},
        } for name, added in distributions.items()}
    return write


def series_of(document: Mapping[str, Any]) -> list[Series]:
    """The series a stored document holds."""
    found: list[Series] = []
    for name, count in (document.get(COUNTERS) or {}).items():
        parsed = parse_field_name(name)
        if parsed is not None and parsed[0].value_type == ValueType.INT64:
            found.append(Series(parsed[0], parsed[1], int(count)))
    for name, stored in (document.get(DISTRIBUTIONS) or {}).items():
        parsed = parse_field_name(name)
        buckets = parsed[0].buckets if parsed is not None else None
        if parsed is None or buckets is None:
            continue
        counted = stored.get("buckets") or {}
        counts = tuple(int(counted.get(str(i), 0)) for i in range(buckets.count + 2))
        found.append(Series(parsed[0], parsed[1], Distribution(
            int(stored.get("count", 0)), float(stored.get("total", 0)), float(stored.get("total_of_squares", 0)),
            counts)))
    return found
