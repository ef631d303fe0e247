"""One flush's worth of figures: each series (a metric and its label values) with its value now.

The ledger (the Firestore record of what was counted) produces them; an exporter writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from teledesk.metrics.catalog import Metric


@dataclass(frozen=True)
class Distribution:
    """A distribution's running totals: `bucket_counts` has the metric's buckets.count + 2 entries
    (underflow, the finite buckets, overflow)."""

    count: int
    total: float  # the sum of the values
    total_of_squares: float
    bucket_counts: tuple[int, ...]

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    @property
    def sum_of_squared_deviation(self) -> float:
        """Σ(x - mean)², as Cloud Monitoring's Distribution takes it (never negative from rounding)."""
        if not self.count:
            return 0.0
        return max(0.0, self.total_of_squares - self.total * self.total / self.count)

    def plus(self, other: Distribution) -> Distribution:
        """Both distributions' observations together (the same buckets)."""
        return Distribution(self.count + other.count, self.total + other.total,
                            self.total_of_squares + other.total_of_squares,
                            tuple(a + b for a, b in zip(self.bucket_counts, other.bucket_counts, strict=True)))


@dataclass(frozen=True)
class Series:
    metric: Metric
    labels: Mapping[str, str]  # every label the metric declares, with its value
    value: int | Distribution


def sum_series(series: Iterable[Series]) -> list[Series]:
    """The series with the same metric and labels added together (the sums and the markers not
    rolled up yet, or hours), in first-seen order."""
    summed: dict[tuple[str, tuple[tuple[str, str], ...]], Series] = {}
    for one in series:
        identity = (one.metric.name, tuple(sorted(one.labels.items())))
        known = summed.get(identity)
        if known is None:
            summed[identity] = one
        elif isinstance(known.value, Distribution) and isinstance(one.value, Distribution):
            summed[identity] = Series(one.metric, one.labels, known.value.plus(one.value))
        elif isinstance(known.value, int) and isinstance(one.value, int):
            summed[identity] = Series(one.metric, one.labels, known.value + one.value)
        else:
            raise ValueError(f"{one.metric.name}: a count and a distribution cannot be added")
    return list(summed.values())


class Exporter(Protocol):
    """Where a flush writes the series: Cloud Monitoring (`cloud`) or nowhere further (`local`,
    where the relay reads the ledger itself)."""

    def export(self, series: Sequence[Series], start_time: float, end_time: float) -> None:
        """Write each series' value: a CUMULATIVE one over [start_time, end_time], a GAUGE one at
        end_time (epoch seconds)."""
