"""A flush: the census counted, the ledger rolled up, and its totals and the census's gauges written
to the exporter, at most once per flush interval across every metrics instance.

The instances share one lease, `metrics_state/flush`: a write conditioned on the lease's update
time claims the flush when its `next_at` has passed and moves `next_at` one interval on, so one
instance flushes and the others learn when to ask next. Each instance remembers that time, so the
lease's document is read about once per interval per instance, never on every event.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.api_core import exceptions as gexc

from teledesk.metrics import sources
from teledesk.metrics.census import conversation_counts, conversation_gauges, resolved_since
from teledesk.metrics.ledger import STATE, Ledger
from teledesk.metrics.series import Exporter

CENSUS_MARGIN_S = 300.0  # a resolution's write lands a little after its resolved_at; overlaps count once


@dataclass(frozen=True)
class Claim:
    claimed: bool
    next_at: float  # when the next flush is due
    census_at: float | None  # when the last census was taken


class Flusher:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.lease = ledger.db.collection(STATE).document("flush")
        self._not_before = 0.0  # the lease's next_at as this instance last read it

    def maybe_flush(self, exporter: Exporter, flush_s: float, now: float) -> bool:
        """Flush if it is due and no other instance took it: True if this call flushed."""
        if now < self._not_before:
            return False
        claim = self._claim(flush_s, now)
        self._not_before = claim.next_at
        if not claim.claimed:
            return False
        since = (claim.census_at if claim.census_at is not None else self.ledger.start_time()) - CENSUS_MARGIN_S
        for conversation in resolved_since(self.ledger.db, since):
            tally = sources.resolution(conversation)
            if tally is not None:
                self.ledger.count(tally)
        self.lease.set({"census_at": now}, merge=True)  # the resolutions are counted, whatever the export does
        self.ledger.roll_up()
        gauges = conversation_gauges(conversation_counts(self.ledger.db))
        exporter.export([*self.ledger.snapshot(), *gauges], self.ledger.start_time(), now)
        return True

    def _claim(self, flush_s: float, now: float) -> Claim:
        """Move `next_at` one interval on if it has passed, unless another instance did first.

        A write conditioned on the lease's update time, not a transaction: instances that ask at
        the same moment must not wait on each other (on the emulator, contended transactions on one
        document stall for seconds, and a stalled claim would flush a point older than another's).
        """
        snapshot = self.lease.get()
        state = snapshot.to_dict() or {}
        census_at = state.get("census_at")
        next_at = float(state.get("next_at") or 0.0)
        if now < next_at:
            return Claim(False, next_at, census_at)
        try:
            if snapshot.exists:
                self.lease.update({"next_at": now + flush_s},
                                  option=self.ledger.db.write_option(last_update_time=snapshot.update_time))
            else:
                self.lease.create({"next_at": now + flush_s})
        except (gexc.FailedPrecondition, gexc.AlreadyExists):  # another instance claimed it
            return Claim(False, now + flush_s, census_at)
        return Claim(True, now + flush_s, census_at)
