"""The ledger: what the metrics step counted, in Firestore, each event exactly once.

Counting an event is one write (`Ledger.count`): `create()` its marker `metrics_seen/{key}`, which
holds what the event adds (its series, `teledesk.metrics.stored`), the hour it falls in, and
`counted_at`, the commit's own time. A redelivered event, or the same event on another instance,
finds its marker: the create fails, so nothing is counted twice; a create that did not commit
counted nothing, and Pub/Sub's redelivery counts it then. No two events write the same document,
so counting stays one small write however fast events come (on the emulator, a batch of
`Increment`s on shared documents per event took the message path down at 20 msg/s).

A roll-up (`Ledger.roll_up`, run by the instance that holds the flush) adds the markers committed
up to `SETTLE_S` ago into the running totals `metrics_totals/all` and the hourly sums
`metrics_hours/{hour}`, and moves the cursor `metrics_state/rolled` to that time, in one commit
conditioned on the cursor's update time: two roll-ups never add the same markers. A read adds the
markers past the cursor to the sums, between two reads of the cursor that agree, so the figures
are exact whenever they are read, rolled up or not.

Markers carry `expires_at` for the TTL policy Terraform sets: longer than Pub/Sub keeps a message
(7 days), so no redelivery outlives its marker.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.metrics.series import Series, sum_series
from teledesk.metrics.stored import fields_of, increments, series_of, series_of_observations
from teledesk.metrics.tally import Tally

MARKER_TTL = timedelta(days=8)
HOUR_S = 3600
# A marker committed this long ago is visible to every query: the roll-up leaves younger ones for
# the next (reads add them in meanwhile). Far above a commit's duration and the clocks' skew.
SETTLE_S = 60.0
CONSISTENT_READ_TRIES = 10

SEEN = "metrics_seen"
HOURS = "metrics_hours"
TOTALS = "metrics_totals"
STATE = "metrics_state"  # `start` (when the cumulative series start), `rolled` (the cursor), `flush` (the lease)
COUNTED_AT = "counted_at"

T = TypeVar("T")


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
    def __init__(self, db: firestore.Client, settle_s: float = SETTLE_S) -> None:
        self.db = db
        self.settle_s = settle_s
        self.cursor = db.collection(STATE).document("rolled")
        self.totals = db.collection(TOTALS).document("all")
        self._start_time: float | None = None

    def count(self, tally: Tally) -> bool:
        """Count `tally` once: True if this call counted it, False if it was counted before."""
        if not tally.observations:
            return False
        self.start_time()  # before the first count, so that the cumulative series hold nothing older
        try:
            self.db.collection(SEEN).document(marker_id(tally.key)).create({
                "key": tally.key, "at": tally.at, "hour": hour_of(tally.at),
                **fields_of(series_of_observations(tally.observations)),
                COUNTED_AT: firestore.SERVER_TIMESTAMP, "expires_at": datetime.now(UTC) + MARKER_TTL})
        except gexc.AlreadyExists:
            return False
        return True

    def snapshot(self) -> list[Series]:
        """Every series' running total."""
        def read(rolled_to: datetime | None) -> list[Series]:
            return sum_series([*series_of(self.totals.get().to_dict() or {}),
                               *(one for marker in self._markers(after=rolled_to) for one in series_of(marker))])
        return self._consistent(read)

    def hours(self, since: float) -> list[HourOfSeries]:
        """The hourly sums from the hour `since` falls in to now, oldest first (hours with nothing
        counted are left out)."""
        first = hour_of(since)

        def read(rolled_to: datetime | None) -> list[HourOfSeries]:
            by_hour: dict[int, list[Series]] = {}
            query = self.db.collection(HOURS).where(filter=firestore.FieldFilter("hour", ">=", first))
            for data in (document.to_dict() or {} for document in query.stream()):
                by_hour.setdefault(int(data["hour"]), []).extend(series_of(data))
            for marker in self._markers(after=rolled_to):
                if int(marker.get("hour", 0)) >= first:
                    by_hour.setdefault(int(marker["hour"]), []).extend(series_of(marker))
            return [HourOfSeries(hour, sum_series(series)) for hour, series in sorted(by_hour.items())]
        return self._consistent(read)

    def roll_up(self, now: float) -> int:
        """Add the markers committed up to `settle_s` before `now` to the sums: how many it added
        (0 as well when another instance rolled them up first). `now` is never ahead of the clock:
        markers committed later would be taken for rolled up."""
        upto = datetime.fromtimestamp(now - self.settle_s, UTC)
        cursor = self.cursor.get()
        after = _rolled_to(cursor)
        if after is not None and after >= upto:
            return 0
        markers = list(self._markers(after=after, upto=upto))
        by_hour: dict[int, list[Series]] = {}
        for marker in markers:
            by_hour.setdefault(int(marker["hour"]), []).extend(series_of(marker))
        batch = self.db.batch()
        if cursor.exists:
            batch.update(self.cursor, {"to": upto}, option=self.db.write_option(last_update_time=cursor.update_time))
        else:
            batch.create(self.cursor, {"to": upto})
        for hour, series in by_hour.items():
            added = increments(sum_series(series))
            batch.set(self.db.collection(HOURS).document(str(hour)), {"hour": hour, **added}, merge=True)
        if markers:
            batch.set(self.totals, increments(sum_series(one for ones in by_hour.values() for one in ones)), merge=True)
        try:
            batch.commit()
        except (gexc.FailedPrecondition, gexc.AlreadyExists):  # another instance rolled them up
            return 0
        return len(markers)

    def start_time(self) -> float:
        """When the cumulative series start: set once, by whichever instance asks first."""
        if self._start_time is None:
            ref = self.db.collection(STATE).document("start")
            with contextlib.suppress(gexc.AlreadyExists):
                ref.create({"at": time.time()})
            self._start_time = float((ref.get().to_dict() or {})["at"])
        return self._start_time

    def _markers(self, after: datetime | None, upto: datetime | None = None) -> list[dict[str, Any]]:
        """The markers committed after `after` (all of them for None), up to `upto` if given."""
        query: Any = self.db.collection(SEEN)
        if after is not None:
            query = query.where(filter=firestore.FieldFilter(COUNTED_AT, ">", after))
        if upto is not None:
            query = query.where(filter=firestore.FieldFilter(COUNTED_AT, "<=", upto))
        return [document.to_dict() or {} for document in query.stream()]

    def _consistent(self, read: Callable[[datetime | None], T]) -> T:
        """`read(cursor)` between two reads of the cursor that agree: no roll-up moved markers into
        the sums while it read, so none is counted in both or in neither."""
        for _ in range(CONSISTENT_READ_TRIES):
            cursor = self.cursor.get()
            result = read(_rolled_to(cursor))
            if self.cursor.get().update_time == cursor.update_time:
                return result
        raise RuntimeError(f"the metrics ledger was rolled up during each of {CONSISTENT_READ_TRIES} reads")


def _rolled_to(cursor: Any) -> datetime | None:
    """Where a roll-up left the cursor (None before the first)."""
    return (cursor.to_dict() or {}).get("to") if cursor.exists else None
