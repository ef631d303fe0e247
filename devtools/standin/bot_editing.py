"""Changing what the bot already sent: editMessageText, editMessageCaption, deleteMessage.

Telegram's rules as a desk meets them: only the bot's own messages can be edited (a customer's
cannot), text only where there is text and a caption only on media; an edit that changes nothing
is refused as "message is not modified"; an edit without `reply_markup` removes the inline
keyboard. Deleting works for the bot's messages and, in a private chat, for the customer's too.
The customer page redraws edited messages (marked edited) and drops deleted ones.
"""

from __future__ import annotations

from typing import Any

from . import objects
from .bot_api import Ok, caption_of, message_text, method, private_chat, reply_markup
from .chats import StoredMessage
from .errors import BotApiError
from .params import Params
from .state import StandinState

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)


def _target(standin: StandinState, params: Params) -> tuple[int, int]:
    """(chat_id, message_id) of the message to change; inline messages do not exist here."""
    if params.present("inline_message_id") and not params.present("chat_id"):
        raise BotApiError.bad_request("MESSAGE_ID_INVALID")
    chat_id = private_chat(standin, params)
    message_id = params.integer("message_id")
    if message_id is None:
        raise BotApiError.bad_request("message identifier is not specified")
    return chat_id, message_id


def _edited(current: dict[str, Any], now: int, replaced: tuple[str, ...], new: dict[str, Any]) -> dict[str, Any]:
    """`current` with the `replaced` fields swapped for `new` (None values dropped) and a fresh edit_date."""
    kept = {k: v for k, v in current.items() if k not in (*replaced, "edit_date")}
    return objects.ordered(kept | {"edit_date": now} | {k: v for k, v in new.items() if v is not None})


@method("editMessageText")
def edit_message_text(standin: StandinState, params: Params) -> Ok:
    chat_id, message_id = _target(standin, params)
    text, entities = message_text(params)
    markup = reply_markup(params)

    def change(stored: StoredMessage) -> dict[str, Any]:
        current = stored.message
        if stored.sender != "bot":
            raise BotApiError.bad_request("message can't be edited")
        if "text" not in current:
            raise BotApiError.bad_request("there is no text in the message to edit")
        if (current["text"], current.get("entities"), current.get("reply_markup")) == (text, entities, markup):
            raise BotApiError.bad_request(NOT_MODIFIED)
        new = {"text": text, "entities": entities, "reply_markup": markup}
        return _edited(current, standin.now(), ("text", "entities", "reply_markup"), new)

    edited = standin.chats.edit(chat_id, message_id, change)
    if edited is None:
        raise BotApiError.bad_request("message to edit not found")
    return Ok(edited)


@method("editMessageCaption")
def edit_message_caption(standin: StandinState, params: Params) -> Ok:
    chat_id, message_id = _target(standin, params)
    caption, entities = caption_of(params)
    markup = reply_markup(params)
    wants_above = params.boolean("show_caption_above_media")

    def change(stored: StoredMessage) -> dict[str, Any]:
        current = stored.message
        kind = objects.message_kind(current)
        if stored.sender != "bot":
            raise BotApiError.bad_request("message can't be edited")
        if kind not in objects.CAPTIONED_KINDS:
            raise BotApiError.bad_request("there is no caption in the message to edit")
        above = True if wants_above and kind in objects.VISUAL_KINDS else None
        before = (current.get("caption", ""), current.get("caption_entities"), current.get("reply_markup"))
        if (
            before == (caption, entities if caption else None, markup)
            and current.get("show_caption_above_media") == above
        ):
            raise BotApiError.bad_request(NOT_MODIFIED)
        new = {
            "caption": caption or None,
            "caption_entities": entities if caption else None,
            "show_caption_above_media": above,
            "reply_markup": markup,
        }
        return _edited(current, standin.now(), tuple(new), new)

    edited = standin.chats.edit(chat_id, message_id, change)
    if edited is None:
        raise BotApiError.bad_request("message to edit not found")
    return Ok(edited)


@method("deleteMessage")
def delete_message(standin: StandinState, params: Params) -> Ok:
    chat_id = private_chat(standin, params)
    message_id = params.integer("message_id")
    if message_id is None:
        raise BotApiError.bad_request("message identifier is not specified")
    if not standin.chats.delete(chat_id, message_id):
        raise BotApiError.bad_request("message to delete not found")
    return Ok(True)
