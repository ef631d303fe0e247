"""What one event adds to the metrics, and the key that makes it count once however often it arrives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from teledesk.metrics.catalog import Metric


@dataclass(frozen=True)
class Observation:
    metric: Metric
    labels: Mapping[str, str]  # every label the metric declares, with its value
    value: float = 1  # a counter's increment, or one sample of a distribution (in the metric's unit)

    def __post_init__(self) -> None:
        if set(self.labels) != set(self.metric.labels):
            raise ValueError(f"{self.metric.name} takes the labels {sorted(self.metric.labels)}, "
                             f"not {sorted(self.labels)}")


@dataclass(frozen=True)
class Tally:
    """`key` names the event (the same on every redelivery, from every instance); `at` (epoch
    seconds) is when it happened, which picks the hour it is counted in."""

    key: str
    at: float
    observations: tuple[Observation, ...]
