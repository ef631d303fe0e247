"""teledesk.metrics.percentiles: a percentile placed within its bucket by linear interpolation."""

from __future__ import annotations

import random

import pytest

from teledesk.metrics.catalog import MILLISECONDS, ExponentialBuckets
from teledesk.metrics.percentiles import percentile
from teledesk.metrics.series import Distribution

# Buckets [0,1) [1,2) [2,4) [4,8) [8,∞).
DOUBLING = ExponentialBuckets(count=3, growth=2.0, scale=1.0)


def distribution(buckets: ExponentialBuckets, values: list[float]) -> Distribution:
    counts = [0] * (buckets.count + 2)
    for value in values:
        counts[buckets.index(value)] += 1
    return Distribution(len(values), sum(values), sum(v * v for v in values), tuple(counts))


def test_a_percentile_is_interpolated_within_its_bucket():
    two_by_two = Distribution(4, 0, 0, (0, 2, 2, 0, 0))
    assert percentile(two_by_two, DOUBLING, 0.5) == pytest.approx(2.0)  # the top of [1,2): 2 of 4 below
    assert percentile(two_by_two, DOUBLING, 0.25) == pytest.approx(1.5)  # halfway through [1,2)
    assert percentile(two_by_two, DOUBLING, 0.9) == pytest.approx(3.6)  # 1.6 of the 2 values in [2,4)


def test_the_underflow_bucket_starts_at_zero_and_the_overflow_gives_its_lower_bound():
    assert percentile(Distribution(2, 0, 0, (2, 0, 0, 0, 0)), DOUBLING, 0.5) == pytest.approx(0.5)
    assert percentile(Distribution(2, 0, 0, (0, 0, 0, 0, 2)), DOUBLING, 0.99) == 8.0


def test_nothing_observed_has_no_percentile():
    assert percentile(Distribution(0, 0, 0, (0,) * 5), DOUBLING, 0.5) is None


def test_the_estimate_is_within_one_bucket_of_the_true_percentile():
    rng = random.Random(10)
    values = [rng.lognormvariate(4, 1) for _ in range(5000)]  # latencies around 55 ms with a long tail
    observed = distribution(MILLISECONDS, values)
    for q in (0.5, 0.9, 0.99):
        true = sorted(values)[int(q * len(values)) - 1]
        assert percentile(observed, MILLISECONDS, q) == pytest.approx(true, rel=MILLISECONDS.growth - 1)
