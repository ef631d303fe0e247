"""Percentiles estimated from a distribution's bucket counts.

The buckets keep how many values fell in each range, not the values, so a percentile is found
in its bucket and placed by linear interpolation within the bucket's bounds (as if the bucket's
values were spread evenly). In the overflow bucket, which has no upper bound, the estimate is its
lower bound.
"""

from __future__ import annotations

import math

from teledesk.metrics.catalog import ExponentialBuckets
from teledesk.metrics.series import Distribution


def percentile(distribution: Distribution, buckets: ExponentialBuckets, q: float) -> float | None:
    """The estimated q-quantile (0 < q ≤ 1); None when nothing was observed."""
    if distribution.count == 0:
        return None
    rank = q * distribution.count
    below = 0
    for index, count in enumerate(distribution.bucket_counts):
        if count and below + count >= rank:
            lower, upper = buckets.bounds(index)
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / count
        below += count
    return None  # the bucket counts add up to less than `count`: nothing to place it in
