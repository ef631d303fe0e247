"""How a ledger document holds series: a field per series, named after its metric and labels.

    counters.<name;label=value;…>       an INT64 series' count
    distributions.<name;label=value;…>  {count, total, total_of_squares, buckets: {index: n}}

A marker holds what its one event added; the sums (hours and totals) are written whole by the
roll-up, which the cursor's condition keeps the only writer (teledesk.metrics.ledger).
`increments` is the same fields as a merge write that adds them (the first ledger's way).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from google.cloud import firestore

from teledesk.metrics.catalog import METRICS, Metric, ValueType
from teledesk.metrics.series import Distribution, Series, sum_series
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


def series_of_observations(observations: Iterable[Observation]) -> list[Series]:
    """What `observations` add, as series: a counter's increments summed, a distribution of the
    samples. A negative sample (clocks that disagree) counts as 0."""
    found: list[Series] = []
    for observation in observations:
        metric = observation.metric
        if metric.buckets is None:
            found.append(Series(metric, observation.labels, int(observation.value)))
            continue
        value = max(0.0, observation.value)
        counts = [0] * (metric.buckets.count + 2)
        counts[metric.buckets.index(value)] = 1
        found.append(Series(metric, observation.labels, Distribution(1, value, value * value, tuple(counts))))
    return sum_series(found)


def fields_of(series: Iterable[Series], number: Callable[[Any], Any] = lambda n: n) -> Fields:
    """A document's fields holding `series`, each number passed through `number` (`firestore.Increment`
    for a merge write that adds them to what is stored)."""
    counters: Fields = {}
    distributions: Fields = {}
    for one in series:
        name = field_name(one.metric, one.labels)
        if isinstance(one.value, int):
            counters[name] = number(one.value)
            continue
        distributions[name] = {
            "count": number(one.value.count), "total": number(one.value.total),
            "total_of_squares": number(one.value.total_of_squares),
            "buckets": {str(i): number(n) for i, n in enumerate(one.value.bucket_counts) if n},
        }
    # A map written empty by a merge replaces the stored one: a section with nothing to add is left out.
    return {section: fields for section, fields in ((COUNTERS, counters), (DISTRIBUTIONS, distributions)) if fields}


def increments(series: Iterable[Series]) -> Fields:
    """A merge write that adds `series` to a document."""
    return fields_of(series, firestore.Increment)


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
