"""What the webhook accepts as a Telegram Update: the fields the desk reads, strictly typed.

Telegram's Update has hundreds of fields and grows every Bot API release; the desk reads a few
(teledesk.telegram.updates). Those few are checked here, at the edge, so that a field the desk
reads with the wrong type is a 400 naming the field, never an exception further down the
pipeline. Every other field is kept as it came (`extra="allow"`): an Update is never refused for
what the desk does not read, and an Update kind the desk does not handle passes through, to be
counted as UNSUPPORTED. The models check; the Update travels on as the JSON object it was.

Beyond types, what JSON can carry and the desk's stores cannot is refused too: integers outside
64 bits (Firestore's integers), nesting deeper than `MAX_UPDATE_DEPTH` (Firestore takes 20 levels
of maps and arrays, and a stored message keeps the Update's media as deep), text that is
not Unicode (lone surrogates from `\\ud800` escapes), and NaN or Infinity (not JSON: a browser
cannot parse an event carrying them).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from teledesk.json_depth import json_depth
from teledesk.open_data import JSONObject

# Objects and arrays inside one another; real Updates nest up to 9. A stored message keeps the
# Update's media as deep as the Update held it (in `edit_history`), and Firestore takes 20 levels.
MAX_UPDATE_DEPTH = 20
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_ERRORS_NAMED = 5  # an answer names the first few fields that are wrong, not thousands
MAX_NAME_CHARS = 40  # of an Update kind the desk does not know, named in an answer: the sender chose it

# A button press's id names its envelope and so its Firestore document (`tg-callback-<id>`):
# Telegram's are short digit strings; a document id takes at most 1,500 bytes and no "/".
MAX_CALLBACK_ID_CHARS = 256
# A business connection's id names its document (`business_connections/<id>`) and goes into its chats'
# keys: besides "/", Firestore refuses "." and ".." and ids like `__name__`; Telegram's are far shorter.
MAX_CONNECTION_ID_CHARS = 256


def _a_document_id(value: str) -> str:
    if value in (".", "..") or (value.startswith("__") and value.endswith("__")):
        raise ValueError("not an id Firestore can keep a document under")
    return value


TelegramInt = Annotated[int, Field(strict=True, ge=INT64_MIN, le=INT64_MAX)]
CallbackId = Annotated[str, Field(min_length=1, max_length=MAX_CALLBACK_ID_CHARS, pattern=r"^[^/]+$")]
ConnectionId = Annotated[str, Field(min_length=1, max_length=MAX_CONNECTION_ID_CHARS, pattern=r"^[^/]+$"),
                         AfterValidator(_a_document_id)]


class WireError(ValueError):
    """The body is not an Update the desk can take; the message says why."""


class _Wire(BaseModel):
    """A Bot API object: the fields the desk reads typed strictly, the others kept as they are."""

    model_config = ConfigDict(strict=True, extra="allow")


class User(_Wire):
    id: TelegramInt
    is_bot: bool | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class Chat(_Wire):
    id: TelegramInt
    type: str | None = None  # Telegram's oldest samples have none: the desk takes them as private


class MessageEntity(_Wire):
    type: str | None = None
    offset: TelegramInt | None = None
    length: TelegramInt | None = None


class Media(_Wire):
    """A file or other content (photo size, document, voice, location…), as the desk keeps it."""

    file_id: str | None = None
    file_unique_id: str | None = None
    file_size: TelegramInt | None = None
    mime_type: str | None = None


class _Content(_Wire):
    """What the desk reads of a message's content, and of the message it quotes."""

    message_id: TelegramInt
    text: str | None = None
    caption: str | None = None
    animation: Media | None = None
    photo: list[Media] | None = None
    video: Media | None = None
    video_note: Media | None = None
    voice: Media | None = None
    audio: Media | None = None
    sticker: Media | None = None
    document: Media | None = None
    venue: Media | None = None
    location: Media | None = None
    contact: Media | None = None
    poll: Media | None = None
    dice: Media | None = None


class QuotedUser(_Wire):
    is_bot: bool | None = None


class QuotedMessage(_Content):
    from_: QuotedUser | None = Field(None, alias="from")


class Message(_Content):
    chat: Chat
    from_: User | None = Field(None, alias="from")
    date: TelegramInt | None = None
    edit_date: TelegramInt | None = None
    entities: list[MessageEntity] | None = None
    caption_entities: list[MessageEntity] | None = None
    media_group_id: str | None = None
    forward_origin: dict[str, Any] | None = None
    reply_to_message: QuotedMessage | None = None
    business_connection_id: ConnectionId | None = None
    sender_business_bot: User | None = None
    is_from_offline: bool | None = None


class ReactionType(_Wire):
    type: str | None = None
    emoji: str | None = None
    custom_emoji_id: str | None = None


class MessageReaction(_Wire):
    chat: Chat
    message_id: TelegramInt | None = None
    user: User | None = None
    date: TelegramInt | None = None
    new_reaction: list[ReactionType] | None = None


class CallbackMessage(_Wire):
    """The message a button was under; an inaccessible one has only its chat, id and date 0."""

    message_id: TelegramInt | None = None
    chat: Chat | None = None


class CallbackQuery(_Wire):
    id: CallbackId | None = None
    from_: User | None = Field(None, alias="from")
    data: str | None = None
    message: CallbackMessage | None = None


class ChatMemberStatus(_Wire):
    status: str | None = None


class ChatMemberUpdated(_Wire):
    chat: Chat
    from_: User | None = Field(None, alias="from")
    date: TelegramInt | None = None
    new_chat_member: ChatMemberStatus | None = None


class BusinessConnection(_Wire):
    """What a business account granted the bot (teledesk.model.BusinessConnection keeps it)."""

    id: ConnectionId
    user: User
    user_chat_id: TelegramInt
    date: TelegramInt
    rights: dict[str, bool] | None = None
    is_enabled: bool


class BusinessMessagesDeleted(_Wire):
    business_connection_id: ConnectionId
    chat: Chat
    message_ids: list[TelegramInt]


class OtherEvent(_Wire):
    """Any other kind of Update's object: the desk reads only who, where and when."""

    from_: User | None = Field(None, alias="from")
    user: User | None = None
    chat: Chat | None = None
    date: TelegramInt | None = None


class Update(_Wire):
    update_id: TelegramInt
    message: Message | None = None
    edited_message: Message | None = None
    message_reaction: MessageReaction | None = None
    callback_query: CallbackQuery | None = None
    my_chat_member: ChatMemberUpdated | None = None
    business_connection: BusinessConnection | None = None
    business_message: Message | None = None
    edited_business_message: Message | None = None
    deleted_business_messages: BusinessMessagesDeleted | None = None


def _refuse_constant(name: str) -> Any:
    raise WireError(f"{name} is not JSON")


def parse_update(body: bytes) -> JSONObject:
    """The Update in a webhook request's body, checked; WireError says what is wrong with it."""
    try:
        if json_depth(body) > MAX_UPDATE_DEPTH:
            raise WireError(f"the body nests deeper than {MAX_UPDATE_DEPTH} levels")
        payload = json.loads(body, parse_constant=_refuse_constant)
    except WireError:
        raise
    except ValueError as exc:  # UnicodeDecodeError included: the body is not UTF-8
        raise WireError(f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise WireError("an Update is a JSON object")
    try:
        Update.model_validate(payload)
    except ValidationError as exc:
        raise WireError(_described(exc)) from None
    _check_numbers_and_text(payload)
    for kind, value in payload.items():
        if kind not in Update.model_fields and isinstance(value, dict):
            try:
                OtherEvent.model_validate(value)
            except ValidationError as exc:
                raise WireError(_described(exc, kind[:MAX_NAME_CHARS])) from None
    return payload


def _check_numbers_and_text(payload: Any) -> None:
    """Every number within 64 bits, every string Unicode (iterative: the nesting was counted before parsing)."""
    pending: list[Any] = [payload]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key)
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            _check_text(value)
        elif isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
            raise WireError("an integer does not fit in 64 bits")
        elif isinstance(value, float) and not math.isfinite(value):  # 1e400 reads as Infinity
            raise WireError("a number does not fit in a double")


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WireError("a string is not Unicode text (a lone surrogate)") from None


def _described(exc: ValidationError, kind: str | None = None) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    named = "; ".join(f"{'.'.join(str(part) for part in ((kind,) if kind else ()) + error['loc'])}: {error['msg']}"
                      for error in errors[:MAX_ERRORS_NAMED])
    more = len(errors) - MAX_ERRORS_NAMED
    return f"not a Telegram Update the desk can read: {named}" + (f" (and {more} more)" if more > 0 else "")
