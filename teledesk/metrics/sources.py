"""What each event the metrics step sees counts, and the key it counts once by (the table is in
docs/metrics.md, "What each event counts").

An edit keeps the id of the message it edits, so it is told apart by its revision and counts no
message; a reaction has an id of its own but is no message either: both count their hops only.
"""

from __future__ import annotations

from teledesk.business import sent_by_account
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.rating import press_counted
from teledesk.lifecycle.timers import Action
from teledesk.metrics.catalog import (
    CSAT_RATINGS,
    DEAD_LETTERS,
    DELIVERIES,
    FIRST_RESPONSE_TIME,
    HOP_LATENCY,
    MESSAGES,
    RESOLUTION_TIME,
    SLA_BREACHES,
)
from teledesk.metrics.hops import hop_latencies
from teledesk.metrics.tally import Observation, Tally
from teledesk.model import Conversation, DeliveryState, Direction
from teledesk.telegram.updates import Event

ANSWERS = (MessageType.AGENT, MessageType.BOT)
SETTLED = (DeliveryState.SENT, DeliveryState.FAILED)
UNKNOWN_CAUSE = "unknown"  # a failure deliver gave no cause for


def _hops(envelope: Envelope) -> tuple[Observation, ...]:
    return tuple(Observation(HOP_LATENCY, {"hop": hop}, ms) for hop, ms in hop_latencies(envelope.trace).items())


def inbound(envelope: Envelope, now: float) -> Tally:
    """A customer-side event enrich passed on."""
    event = envelope.extra.get("event", Event.MESSAGE)
    if event == Event.EDIT:
        return Tally(f"edit:{envelope.id}:{int(envelope.extra.get('revision') or 0)}", now, _hops(envelope))
    # Not messages: a reaction, a business chat's deletion, a business connection's change, what staff
    # wrote in the staff forum (an answer from there counts once sent, as the console's). What a
    # business account's owner typed in Telegram is the company's side: an outgoing message.
    direction = Direction.OUT if sent_by_account(envelope) else Direction.IN
    not_a_message = event in (Event.REACTION, Event.DELETE, Event.CONNECTION) or envelope.type == MessageType.STAFF
    message = () if not_a_message else (
        Observation(MESSAGES, {"type": envelope.type, "direction": direction}),)
    return Tally(f"in:{envelope.id}", now, message + _hops(envelope))


def delivery(envelope: Envelope, now: float) -> Tally | None:
    """An answer's settled delivery (deliver's announcement); None for anything else on deliveries:
    agents' edits, deletes and other actions, and states short of sent or failed."""
    announced = envelope.extra.get("delivery")
    if envelope.type not in ANSWERS or envelope.extra.get("action") or not isinstance(announced, dict):
        return None
    state = announced.get("state")
    if state not in SETTLED:
        return None
    cause = "" if state == DeliveryState.SENT else str(announced.get("cause") or UNKNOWN_CAUSE)
    counted = [Observation(DELIVERIES, {"outcome": state, "cause": cause})]
    if state == DeliveryState.SENT:
        counted.append(Observation(MESSAGES, {"type": envelope.type, "direction": Direction.OUT}))
    key = f"delivery:{announced.get('message_id') or envelope.id}:{int(announced.get('retry') or 0)}:{state}"
    return Tally(key, now, (*counted, *_hops(envelope)))


def first_response(conversation: Conversation) -> Tally | None:
    """The conversation's first agent answer, once it has one."""
    if conversation.first_response_at is None:
        return None
    waited = conversation.first_response_at - conversation.created_at
    return Tally(f"first-response:{conversation.chat_id}:{conversation.number}", conversation.first_response_at,
                 (Observation(FIRST_RESPONSE_TIME, {}, waited),))


def resolution(conversation: Conversation) -> Tally | None:
    """The conversation's last resolution (kept after the next conversation starts), if any."""
    last = conversation.last_resolution
    if last is None:
        return None
    took = last.resolved_at - last.opened_at
    return Tally(f"resolved:{conversation.chat_id}:{last.number}:{last.resolved_at!r}",
                 last.resolved_at, (Observation(RESOLUTION_TIME, {}, took),))


def rating(envelope: Envelope) -> Tally | None:
    """A satisfaction press enrich recorded (the first for its opening); None for any other event."""
    if envelope.type != MessageType.CALLBACK or not envelope.extra.get("conversation"):
        return None
    press = str((envelope.extra.get("callback") or {}).get("id"))
    counted = press_counted(Conversation.model_validate(envelope.extra["conversation"]), press)
    if counted is None:
        return None
    return Tally(f"csat:{envelope.chat_id}:{opening_key(counted.opening)}", counted.at,
                 (Observation(CSAT_RATINGS, {"rating": str(counted.rating)}),))


def sla_breach(envelope: Envelope, now: float) -> Tally | None:
    """An SLA breach the lifecycle announced, once per opening; None for any other change."""
    conversation = envelope.extra.get("conversation") or {}
    if envelope.extra.get("change") != Action.BREACH_SLA or not conversation.get("opened_at"):
        return None
    return Tally(f"sla-breach:{envelope.chat_id}:{opening_key(float(conversation['opened_at']))}", now,
                 (Observation(SLA_BREACHES, {}),))


def dead_letter(step: str, message_id: str, now: float) -> Tally:
    """A message `step` gave up on, as its dead-letter topic delivered it."""
    return Tally(f"dead:{step}:{message_id}", now, (Observation(DEAD_LETTERS, {"step": step}),))
