"""Satisfaction asked in the chat: the question on a resolve, what a press records, and the bot's
answers to it (docs/lifecycle.md).

The question goes out as a BOT message with five buttons (`teledesk.lifecycle.rating`), once per
resolved opening (its id derives from the opening). A genuine press for the opening resolved
last, or the current one, is stored on the conversation as `csat` unless that opening was rated
already: the first press counts. The press that counted is answered by editing the question to
show the choice without buttons and by thanking the customer; any other press only gets its
callback answered.
"""

from __future__ import annotations

from teledesk.bot_texts import bot_text
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.rating import STARS, Rating, button_data
from teledesk.logs import TRACE_ID
from teledesk.model import Conversation, Satisfaction

STAR, NO_STAR = "★", "☆"
QUESTION_EDIT_REVISION = 1  # the question is edited once, when the press that counts comes


def stars_text(stars: int) -> str:
    return STAR * stars + NO_STAR * (max(STARS) - stars)


def question_id(chat_id: int, opening: int) -> str:
    return f"bot-csat-{chat_id}-{opening}"


def rated_opening(conversation: Conversation) -> float | None:
    """The opening a resolve just ended, which the question rates."""
    resolution = conversation.last_resolution
    return resolution.opened_at if resolution is not None else conversation.opened_at


def question(conversation: Conversation, secret: str, default_language: str, trace_id: str | None) -> Envelope | None:
    """The question for the opening a resolve ended, with its five buttons (None: nothing to rate)."""
    opened_at = rated_opening(conversation)
    if opened_at is None:
        return None
    opening = opening_key(opened_at)
    language = conversation.customer.language_code
    buttons = [{"text": stars_text(stars) if stars == max(STARS) else f"{stars} {STAR}",
                "callback_data": button_data(Rating(conversation.chat_id, opening, stars), secret)}
               for stars in STARS]  # one row (Firestore stores no arrays in arrays)
    extra: dict[str, object] = {"bot": "csat_question", "buttons": buttons, "csat_opening": opening}
    if trace_id:
        extra[TRACE_ID] = trace_id
    return Envelope(id=question_id(conversation.chat_id, opening), type=MessageType.BOT, chat_id=conversation.chat_id,
                    date=int(conversation.updated_at), text=bot_text("csat_question", language, default_language),
                    customer=conversation.customer.wire(), extra=extra)


def rate(conversation: Conversation, rating: Rating, press: str, now: float) -> Satisfaction | None:
    """What a genuine press records: None for an opening that is neither the last resolved nor the
    current one, or that was rated already."""
    openings = {opened_at for opened_at in (conversation.opened_at, rated_opening(conversation)) if opened_at}
    rated = next((opened_at for opened_at in openings if opening_key(opened_at) == rating.opening), None)
    if rated is None:
        return None
    if conversation.csat is not None and opening_key(conversation.csat.opening) == rating.opening:
        return None
    return Satisfaction(rating=rating.stars, at=now, opening=rated, press=press)


def press_counted(conversation: Conversation | None, press: str) -> Satisfaction | None:
    """The rating `press` recorded, if it is the one that counted."""
    if conversation is None or conversation.csat is None or conversation.csat.press != press:
        return None
    return conversation.csat
