"""The satisfaction question asked in the chat on a resolve (docs/lifecycle.md).

It goes out as a BOT message with five buttons (`teledesk.lifecycle.rating`), once per resolved
opening (its id derives from the opening). The press that counted (`rating.press_counted`) is
answered by editing the question to show the choice without buttons and by thanking the
customer; any other press only gets its callback answered (functions/autoreply.py).
"""

from __future__ import annotations

from teledesk.bot_texts import bot_text
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.rating import STARS, Rating, button_data, rated_opening
from teledesk.logs import TRACE_ID
from teledesk.model import Conversation

STAR, NO_STAR = "★", "☆"
QUESTION_EDIT_REVISION = 1  # the question is edited once, when the press that counts comes


def stars_text(stars: int) -> str:
    return STAR * stars + NO_STAR * (max(STARS) - stars)


def question_id(chat_id: int, opening: int) -> str:
    return f"bot-csat-{chat_id}-{opening}"


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
