"""autoreply: the bot's own answers. /start and /help, an out-of-hours note, button presses, and
what a conversation's change calls for: the closing message of an auto-resolve and the
satisfaction question on every resolve (teledesk.lifecycle.satisfaction, `DESK_CSAT`).

Texts come from `teledesk.bot_texts` in the customer's language. An answer is stored as a BOT
message before it is published on `agent-replies`, where deliver sends it like an agent's; its
id derives from what it answers (a message, a resolved opening), so a redelivery answers once.
Telegram wants every callback query answered (else the button spins), so each gets an
`answer_callback` action; the satisfaction press that counted also has its question edited to
show the choice, and a thank-you. An answer carries the trace id of what it answers (`teledesk.logs`).

Never in a Telegram Business chat (teledesk/business.py), and never to what the account's owner
typed (OWNER): there the bot would speak as the company's own account, unasked. Telegram Business
has its own greeting and away messages, which the account sets in the Telegram app; and a bot that
answers an account's chats by itself has been seen answering the owner's own messages, in loops.
In a business chat only what an agent sends goes out.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from teledesk.bot_texts import bot_text
from teledesk.business import is_business_key
from teledesk.business_hours import opening_hours
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.rating import is_rating, press_counted, rated_opening
from teledesk.lifecycle.satisfaction import QUESTION_EDIT_REVISION, question, question_id, stars_text
from teledesk.lifecycle.timers import Action
from teledesk.logs import TRACE_ID, configure, trace_id_of
from teledesk.model import Conversation, ConversationStatus, DeliveryState
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


def _queued(answer: Envelope, services: Services) -> Envelope | None:
    """Store the bot's answer once; the answer to publish, unless it was settled before."""
    stored, _conversation, _created = services.store.answers.queue(answer.chat_id, answer)
    return answer if stored.delivery is not None and stored.delivery.state == DeliveryState.QUEUED else None


def _publish_all(answers: list[Envelope | None], services: Services) -> Envelope | None:
    """Publish all but the last of `answers` here, in order; the last is the step's to publish."""
    kept = [answer for answer in answers if answer is not None]
    for answer in kept[:-1]:
        services.publisher.publish(services.manifest.step("autoreply").output, answer.stamp("autoreply:out"))
    return kept[-1] if kept else None


def _bot_answer(envelope: Envelope, answer_id: str, key: str, now: float, services: Services,
                **extra: object) -> Envelope:
    language = (envelope.customer or {}).get("language_code")
    return Envelope(id=answer_id, type=MessageType.BOT, chat_id=envelope.chat_id, date=int(now),
                    customer=envelope.customer, text=bot_text(key, language, services.settings.default_language),
                    extra={**extra, TRACE_ID: trace_id_of(envelope)})


def _on_change(envelope: Envelope, services: Services) -> Envelope | None:
    """A resolve (an agent's, or the lifecycle's for silence): the closing message for the latter,
    and the satisfaction question for both."""
    change = envelope.extra.get("change")
    if change not in (Action.RESOLVE_IDLE, ConversationStatus.RESOLVED) or not envelope.extra.get("conversation"):
        return None
    conversation = Conversation.model_validate(envelope.extra["conversation"])
    opened_at = rated_opening(conversation)
    if conversation.blocked or opened_at is None:
        return None
    envelope.customer = conversation.customer.wire()
    answers: list[Envelope | None] = []
    if change == Action.RESOLVE_IDLE:
        closing = _bot_answer(envelope, f"bot-closing-{conversation.chat_id}-{opening_key(opened_at)}", "closing",
                              time.time(), services, bot="closing")
        answers.append(_queued(closing, services))
    settings = services.settings
    if settings.desk_csat and settings.telegram_webhook_secret:
        asked = question(conversation, settings.telegram_webhook_secret, settings.default_language,
                         trace_id_of(envelope))
        answers.append(_queued(asked, services) if asked is not None else None)
    return _publish_all(answers, services)


def _on_press(envelope: Envelope, services: Services, now: float) -> Envelope | None:
    """Every press gets its callback answered; the satisfaction press that counted also gets its
    question edited to show the choice, without buttons, and a thank-you."""
    callback = envelope.extra.get("callback") or {}
    conversation = envelope.extra.get("conversation")
    counted = press_counted(Conversation.model_validate(conversation) if conversation else None,
                            str(callback.get("id")))
    key = "callback_received"
    if is_rating(str(callback.get("data") or "")):
        key = "csat_thanks" if counted is not None else "csat_not_counted"
    answered = _bot_answer(envelope, f"answer-{callback.get('id')}", key, now, services,
                           action="answer_callback", callback_query_id=callback.get("id"))
    if counted is None:
        return answered
    opening = opening_key(counted.opening)
    language = (envelope.customer or {}).get("language_code")
    edit = Envelope(id=f"csat-edit-{envelope.chat_id}-{opening}", type=MessageType.BOT, chat_id=envelope.chat_id,
                    date=int(now), customer=envelope.customer,
                    text=bot_text("csat_chosen", language, services.settings.default_language,
                                  stars=stars_text(counted.rating)),
                    extra={"action": "edit", "target": question_id(envelope.chat_id, opening),
                           "revision": QUESTION_EDIT_REVISION, TRACE_ID: trace_id_of(envelope)})
    thanks = _bot_answer(envelope, f"bot-csat-thanks-{envelope.chat_id}-{opening}", "csat_thanks", now, services,
                         bot="csat_thanks")
    return _publish_all([answered, edit, _queued(thanks, services)], services)


@event_step("autoreply")
def autoreply(envelope: Envelope, services: Services) -> Envelope | None:
    now = time.time()
    if is_business_key(envelope.chat_id) or envelope.type == MessageType.OWNER:
        return None
    if envelope.type == MessageType.CONVERSATION:
        return _on_change(envelope, services)
    if envelope.type == MessageType.CALLBACK:
        return _on_press(envelope, services, now)
    key = _answer_key(envelope, services)
    if key is None:
        return None
    answer = _queued(_bot_message(envelope, key, services, now), services)
    if key == "out_of_hours":
        services.store.conversations.note(envelope.chat_id, out_of_hours_noted_at=_written_at(envelope))
    return answer
