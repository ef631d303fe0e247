"""autoreply: the bot's own answers. /start and /help, an out-of-hours note, button presses.

Texts come from `teledesk.bot_texts` in the customer's language. An answer is stored as a BOT
message before it is published on `agent-replies`, where deliver sends it like an agent's; its
id derives from the message it answers, so a redelivery answers once. Telegram wants every
callback query answered (else the button spins), so each gets an `answer_callback` action.
An answer carries the trace id of the message it answers (`teledesk.logs`).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from teledesk.bot_texts import bot_text
from teledesk.business_hours import opening_hours
from teledesk.envelope import Envelope, MessageType
from teledesk.logs import TRACE_ID, configure, trace_id_of
from teledesk.model import DeliveryState
from teledesk.pipeline import Services, event_step
from teledesk.telegram.updates import Event

configure("autoreply")

OUT_OF_HOURS_REPEAT_S = 12 * 3600  # one note per closed spell, not one per message


def _answer_key(envelope: Envelope, services: Services) -> str | None:
    """Which answer the bot gives, if any. Closed hours are judged by when the customer wrote (the
    message's date), not when this runs, so a replayed or late message gets the answer it got first."""
    if envelope.type == MessageType.COMMAND:
        name = (envelope.extra.get("command") or {}).get("name")
        return name if name in ("start", "help") else None
    if envelope.type != MessageType.CLIENT or envelope.extra.get("event", Event.MESSAGE) != Event.MESSAGE:
        return None
    settings = services.settings
    written = _written_at(envelope)
    if opening_hours(settings.business_hours, settings.timezone).is_open(datetime.fromtimestamp(written, UTC)):
        return None
    noted = (envelope.extra.get("conversation") or {}).get("out_of_hours_noted_at")
    return "out_of_hours" if noted is None or abs(written - noted) >= OUT_OF_HOURS_REPEAT_S else None


def _written_at(envelope: Envelope) -> float:
    return float(envelope.date) if envelope.date > 0 else time.time()


def _bot_message(envelope: Envelope, key: str, services: Services, now: float) -> Envelope:
    settings = services.settings
    customer = envelope.customer or {}
    text = bot_text(key, customer.get("language_code"), settings.default_language,
                    name=customer.get("first_name") or "", organisation=settings.organisation,
                    hours=settings.business_hours, timezone=settings.timezone)
    return Envelope(id=f"bot-{key}-{envelope.id}", type=MessageType.BOT, chat_id=envelope.chat_id, date=int(now),
                    text=text, customer=customer, extra={"answers": envelope.id, "bot": key,
                                                         TRACE_ID: trace_id_of(envelope)})


@event_step("autoreply")
def autoreply(envelope: Envelope, services: Services) -> Envelope | None:
    now = time.time()
    if envelope.type == MessageType.CALLBACK:
        callback = envelope.extra.get("callback") or {}
        language = (envelope.customer or {}).get("language_code")
        return Envelope(id=f"answer-{callback.get('id')}", type=MessageType.BOT, chat_id=envelope.chat_id,
                        date=int(now), customer=envelope.customer,
                        text=bot_text("callback_received", language, services.settings.default_language),
                        extra={"action": "answer_callback", "callback_query_id": callback.get("id"),
                               TRACE_ID: trace_id_of(envelope)})
    key = _answer_key(envelope, services)
    if key is None:
        return None
    answer = _bot_message(envelope, key, services, now)
    stored, _conversation, _created = services.store.answers.queue(envelope.chat_id, answer)
    if key == "out_of_hours":
        services.store.conversations.note(envelope.chat_id, out_of_hours_noted_at=_written_at(envelope))
    return answer if stored.delivery is not None and stored.delivery.state == DeliveryState.QUEUED else None
