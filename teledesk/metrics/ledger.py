"""The ledger: what the metrics step counted, in Firestore, each event exactly once.

One batch per event (`Ledger.count`): `create()` a marker `metrics_seen/{key}`, and `Increment`
the event's series in its hour's bucket `metrics_hours/{hour}-{shard}` and in the running totals
`metrics_totals/{shard}`. A redelivered event, or the same event on another instance, finds its
marker: the create fails, and with it the whole batch, so nothing is counted twice; a batch that
did not commit counted nothing, and Pub/Sub's redelivery counts it then.

The shard (a stable hash of the key) spreads the writes over a few documents so that no single
one is written by every event. Markers carry `expires_at` for the TTL policy Terraform sets:
longer than Pub/Sub keeps a message (7 days), so no redelivery outlives its marker.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.metrics.series import Series, sum_series
from teledesk.metrics.stored import increments, series_of
from teledesk.metrics.tally import Tally

SHARDS = 4
MARKER_TTL = timedelta(days=8)
HOUR_S = 3600

SEEN = "metrics_seen"
HOURS = "metrics_hours"
TOTALS = "metrics_totals"
STATE = "metrics_state"  # `start` (when the cumulative series start) and `flush` (teledesk.metrics.flush)


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % SHARDS


def hour_of(at: float) -> int:
    """The start of the UTC hour `at` (epoch seconds) falls in."""
    return int(at // HOUR_S) * HOUR_S


def marker_id(key: str) -> str:
    """A document id for `key`: a `/` (and anything else a path would read) percent-encoded, one to one."""
    return quote(key, safe=":=")


@dataclass(frozen=True)
class HourOfSeries:
    hour: int  # epoch seconds at the start of the UTC hour
    series: list[Series]


class Ledger:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self._start_time: float | None = None

    def count(self, tally: Tally) -> bool:
        """Count `tally` once: True if this call counted it, False if it was counted before."""
        if not tally.observations:
            return False
        self.start_time()  # before the first count, so that the cumulative series hold nothing older
        shard, hour = shard_of(tally.key), hour_of(tally.at)
        added = increments(tally.observations)
        batch = self.db.batch()
        batch.create(self.db.collection(SEEN).document(marker_id(tally.key)),
                     {"key": tally.key, "at": tally.at, "expires_at": datetime.now(UTC) + MARKER_TTL})
        batch.set(self.db.collection(HOURS).document(f"{hour}-{shard}"), {"hour": hour, "shard": shard, **added},
                  merge=True)
        batch.set(self.db.collection(TOTALS).document(str(shard)), {"shard": shard, **added}, merge=True)
        try:
            batch.commit()
        except gexc.AlreadyExists:
            return False
        return True

    def snapshot(self) -> list[Series]:
        """Every series' running total, the shards added together."""
        return sum_series(one for document in self.db.collection(TOTALS).stream()
                          for one in series_of(document.to_dict() or {}))

    def hours(self, since: float) -> list[HourOfSeries]:
        """The hourly buckets from the hour `since` falls in to now, oldest first (hours with
        nothing counted are left out)."""
        query = self.db.collection(HOURS).where(filter=firestore.FieldFilter("hour", ">=", hour_of(since)))
        by_hour: dict[int, list[Series]] = {}
        for document in query.stream():
            data = document.to_dict() or {}
            by_hour.setdefault(int(data["hour"]), []).extend(series_of(data))
        return [HourOfSeries(hour, sum_series(series)) for hour, series in sorted(by_hour.items())]

    def start_time(self) -> float:
        """When the cumulative series start: set once, by whichever instance asks first."""
        if self._start_time is None:
            ref = self.db.collection(STATE).document("start")
            with contextlib.suppress(gexc.AlreadyExists):
                ref.create({"at": time.time()})
            self._start_time = float((ref.get().to_dict() or {})["at"])
        return self._start_time
