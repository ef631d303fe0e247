"""The outbox's sweeper: an answer stored is an answer published, whatever failed in between.

The relay stores an answer, then publishes it (realtime/answers.py). A publish that failed, a
relay killed between the two, a Pub/Sub message dead-lettered while its answer was still queued,
a deliver killed mid-send: each leaves an answer in the outbox (`outbox_since`, kept until
deliver settles it; teledesk.store.answers). Every `DESK_OUTBOX_SWEEP_S` one relay of the desk
(a throttle in the shared state, realtime/state.py) looks at what has been there longer than that
and hands it to deliver again when:

- it was never handed to Pub/Sub (`published_at` unset);
- a sender's lease on it expired unsettled (deliver then settles it as `maybe_sent`);
- it was handed over longer than a lease ago and is still queued, untouched.

Each answer at most once per lease for the whole desk (a throttle per answer), so relays sweeping
at once do not double it; and even a doubled hand-over sends nothing twice, since deliver claims
each part before sending it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from flask import Flask

from realtime.answers import publish_answer
from realtime.relay import Relay, current_relay
from teledesk.model import DeliveryState, Message

SWEEP_BATCH = 100
"""Answers read at a time, the oldest first."""
SWEEP_PAGES = 10
"""Pages of SWEEP_BATCH a sweep reads at most: answers still being sent (a flooded chat's backlog)
do not hide a newer one that was never published; a bigger backlog drains over a few sweeps."""
SWEEP_TURN_SHARE = 0.9
"""A relay's turn to sweep lasts this share of the interval, so one waking a hair early still sweeps."""

log = logging.getLogger("teledesk.relay.outbox")


def due(message: Message, now: float, lease_s: float) -> bool:
    """Whether an answer left in the outbox should be handed to deliver again."""
    delivery = message.delivery
    if delivery is None or delivery.state != DeliveryState.QUEUED:
        return False
    if message.published_at is None:
        return True
    if delivery.sending is not None:
        return delivery.sending.until < now
    return now - message.published_at > lease_s


def sweep(relay: Relay, now: float | None = None) -> int:
    """Hand over what is due (see the module); how many answers were handed over."""
    now = time.time() if now is None else now
    settings = relay.settings
    handed = 0
    for message in _in_the_outbox(relay, now - settings.desk_outbox_sweep_s):
        if not due(message, now, settings.desk_send_lease_s):
            continue
        if not relay.state.throttle(f"outbox:{message.chat_id}:{message.id}", settings.desk_send_lease_s):
            continue  # another relay handed it over
        publish_answer(message)
        handed += 1
        log.info("outbox: handed %s of chat %s to deliver again", message.id, message.chat_id)
    return handed


def _in_the_outbox(relay: Relay, stored_before: float) -> Iterator[Message]:
    after: float | None = None
    for _page in range(SWEEP_PAGES):
        page = relay.store.answers.unsettled(stored_before, SWEEP_BATCH, after)
        yield from page
        if len(page) < SWEEP_BATCH or page[-1].outbox_since is None:
            return
        after = page[-1].outbox_since


def run_sweeper(app: Flask) -> None:
    """Sweep every `DESK_OUTBOX_SWEEP_S`, one relay of the desk at a time; a failed sweep is logged
    and tried again next time, never the end of the sweeper."""
    with app.app_context():
        relay = current_relay()
    interval = relay.settings.desk_outbox_sweep_s
    while True:
        relay.socketio.sleep(interval)
        if not relay.state.throttle("outbox-sweep", interval * SWEEP_TURN_SHARE):
            continue  # another relay sweeps this round
        try:
            with app.app_context():
                sweep(relay)
        except Exception:
            log.exception("outbox: a sweep failed; trying again in %s s", interval)
