"""The ledger: what the metrics step counted, in Firestore, each event exactly once.

Counting an event is one write (`Ledger.count`): `create()` its marker `metrics_seen/{key}`, which
holds what the event adds (its series, `teledesk.metrics.stored`), the hour it counts in, and
`counted_at`, the server's time when it took the write. A redelivered event, or the same event on
another instance, finds its marker: the create fails, so nothing is counted twice; a create that
did not commit counted nothing, and Pub/Sub's redelivery counts it then. No two events write the
same document (on the emulator, a batch of `Increment`s on shared documents per event took the
message path down at 20 msg/s).

A roll-up (`Ledger.roll_up`, run by the instance that holds the flush) adds the markers written up
to `settle_s` before the server's time into the running totals `metrics_totals/all` and the hourly
sums `metrics_hours/{hour}`, and moves the cursor `metrics_state/rolled` to that time, in one
commit conditioned on the cursor's update time: of two roll-ups at once, one commits and the other
adds nothing. It takes at most `CHUNK_S` of markers a commit, chunk after chunk for up to
`ROLL_UP_BUDGET_S`, so a backlog is caught up over a few flushes instead of never. A read adds the
markers past the cursor to the sums, between two reads of the cursor that agree, so the figures
are exact whenever they are read, rolled up or not.

Markers carry `expires_at` for the TTL policy Terraform sets: longer than Pub/Sub keeps a message
(7 days), so no redelivery outlives its marker.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.metrics.series import Series, sum_series
from teledesk.metrics.stored import fields_of, series_of, series_of_observations
from teledesk.metrics.tally import Tally
from teledesk.settings import Settings

MARKER_TTL = timedelta(days=8)
HOUR_S = 3600
# A marker's write is given up after WRITE_TIMEOUT_S; one taken SETTLE_S ago (DESK_METRICS_SETTLE_S)
# is visible to every query, so the roll-up leaves younger ones for the next (reads add them meanwhile).
WRITE_TIMEOUT_S = 10.0
SETTLE_S = Settings.desk_metrics_settle_s
CHUNK_S = 300.0  # the markers of at most this long (by counted_at) in one roll-up commit
ROLL_UP_BUDGET_S = 20.0  # a roll-up starts no new chunk after this long
CONSISTENT_READ_TRIES = 10
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

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
                COUNTED_AT: firestore.SERVER_TIMESTAMP, "expires_at": datetime.now(UTC) + MARKER_TTL,
            }, timeout=WRITE_TIMEOUT_S)
        except gexc.AlreadyExists:
            return False
        return True

    def snapshot(self) -> list[Series]:
        """Every series' running total. The whole totals collection is added up: documents an
        older version of the ledger wrote (per shard) keep counting."""
        def read(rolled_to: datetime | None) -> list[Series]:
            totals = (one for document in self.db.collection(TOTALS).stream()
                      for one in series_of(document.to_dict() or {}))
            return sum_series([*totals, *(one for marker in self._markers(after=rolled_to)
                                          for one in series_of(marker))])
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
                if (hour := _hour(marker)) >= first:
                    by_hour.setdefault(hour, []).extend(series_of(marker))
            return [HourOfSeries(hour, sum_series(series)) for hour, series in sorted(by_hour.items())]
        return self._consistent(read)

    def roll_up(self) -> int:
        """Add the settled markers to the sums, a chunk a commit, until none is left or the
        budget is spent: how many it added (0 as well when another instance rolled them up)."""
        rolled, began = 0, time.monotonic()
        while (added := self._roll_up_chunk()) is not None:
            rolled += added
            if time.monotonic() - began >= ROLL_UP_BUDGET_S:
                break
        return rolled

    def start_time(self) -> float:
        """When the cumulative series start: set once, by whichever instance asks first."""
        if self._start_time is None:
            ref = self.db.collection(STATE).document("start")
            with contextlib.suppress(gexc.AlreadyExists):
                ref.create({"at": time.time()})
            self._start_time = float((ref.get().to_dict() or {})["at"])
        return self._start_time

    def _roll_up_chunk(self) -> int | None:
        """One commit: the markers after the cursor, up to CHUNK_S past the first of them and no
        later than `settle_s` before the server's time; None when there is nothing to roll up or
        another instance moved the cursor first."""
        cursor = self.cursor.get()
        after = _rolled_to(cursor)
        first = self._first_marker_after(after)
        settled = cursor.read_time - timedelta(seconds=self.settle_s)
        if first is None or first > settled:
            return None
        upto = min(settled, first + timedelta(seconds=CHUNK_S))
        by_hour: dict[int, list[Series]] = {}
        rolled = 0
        for marker in self._markers(after=after, upto=upto):
            hour = _hour(marker)
            by_hour[hour] = sum_series([*by_hour.get(hour, []), *series_of(marker)])
            rolled += 1
        batch = self.db.batch()
        if cursor.exists:
            batch.update(self.cursor, {"to": upto}, option=self.db.write_option(last_update_time=cursor.update_time))
        else:
            batch.create(self.cursor, {"to": upto})
        # Plain sums, not Increments (Firestore takes at most 500 field transforms a document a
        # commit): the cursor's condition keeps every other writer out until this commits.
        for hour, series in by_hour.items():
            document = self.db.collection(HOURS).document(str(hour))
            summed = sum_series([*series_of(document.get().to_dict() or {}), *series])
            batch.set(document, {"hour": hour, **fields_of(summed)})
        if by_hour:
            added = (one for series in by_hour.values() for one in series)
            batch.set(self.totals, fields_of(sum_series([*series_of(self.totals.get().to_dict() or {}), *added])))
        try:
            batch.commit()
        except (gexc.FailedPrecondition, gexc.AlreadyExists):  # another instance rolled them up
            return None
        return rolled

    def _first_marker_after(self, after: datetime | None) -> datetime | None:
        """When the first marker after `after` was taken (None when there is none)."""
        query = (self.db.collection(SEEN).where(filter=firestore.FieldFilter(COUNTED_AT, ">", after or EPOCH))
                 .order_by(COUNTED_AT).limit(1))
        found = [document.to_dict() or {} for document in query.stream()]
        return found[0][COUNTED_AT] if found else None

    def _markers(self, after: datetime | None, upto: datetime | None = None) -> Iterator[dict[str, Any]]:
        """The markers taken after `after` (the first one on for None), up to `upto` if given.
        Markers without `counted_at` (an older ledger's) are none of them."""
        query = self.db.collection(SEEN).where(filter=firestore.FieldFilter(COUNTED_AT, ">", after or EPOCH))
        if upto is not None:
            query = query.where(filter=firestore.FieldFilter(COUNTED_AT, "<=", upto))
        return (document.to_dict() or {} for document in query.stream())

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


def _hour(marker: dict[str, Any]) -> int:
    return int(marker["hour"]) if "hour" in marker else hour_of(float(marker["at"]))
