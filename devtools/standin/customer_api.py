"""The customer's side: the chat page and the small JSON API behind it.

Whatever the page does becomes a real Bot API Update (a message of any kind, an album, an edit,
a reaction, a button press, a block), so the desk sees exactly what Telegram would send when a
real person does the same thing. Every route is plain HTTP, so tests drive them too.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH

from . import media, objects
from .bot_media import check_photo, file_response
from .chats import StoredMessage
from .errors import BotApiError
from .files import Kind, StoredFile
from .limits import (
    DICE_VALUES,
    MEDIA_GROUP_MAX,
    POLL_OPTION_MAX,
    POLL_OPTIONS_MAX,
    POLL_OPTIONS_MIN,
    POLL_QUESTION_MAX,
    REACTION_EMOJI,
    USER_NAME_MAX,
)
from .state import Build, current_state

customer_api = Blueprint("standin_customer", __name__)

# Telegram user ids fit in 52 bits; anything else is a typo in a test, not a customer.
USER_ID_MAX = 2**52
# The page is static and loads only its own files: forbid everything else, inline script included.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# What a customer may send from the page as a file, and how it shows up in the Message.
FILE_KINDS: tuple[Kind, ...] = ("photo", "document", "video", "voice", "audio", "animation")
# Kinds Telegram groups into one album (media_group_id) when several are sent together.
_ALBUM_FAMILIES = (frozenset({"photo", "video"}), frozenset({"document"}), frozenset({"audio"}))
# Where the page's location button puts the customer (Madrid, Puerta del Sol) before a small jitter.
DEFAULT_LOCATION = (40.416775, -3.703790)


class CustomerError(Exception):
    """A request the page (or a test) got wrong: answered `{"error": ...}` with a status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@customer_api.errorhandler(CustomerError)
def _customer_error(exc: CustomerError) -> ResponseReturnValue:
    return jsonify({"error": exc.message}), exc.status


@customer_api.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> ResponseReturnValue:
    return jsonify({"error": "the upload is larger than the stand-in accepts"}), 413


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CustomerError("a JSON object is expected")
    return body


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise CustomerError(f"{name} must be a number from {low:g} to {high:g}")
    return float(value)


def _user_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < USER_ID_MAX:
        raise CustomerError("user_id must be a positive integer")
    return value


def _optional_string(body: dict[str, Any], name: str, limit: int = USER_NAME_MAX) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise CustomerError(f"{name} must be a string of at most {limit} characters")
    return value.strip() or None


def _customer(body: dict[str, Any]) -> dict[str, Any]:
    """The Telegram `User` a request speaks for."""
    first_name = _optional_string(body, "first_name")
    if not first_name:
        raise CustomerError("first_name is required")
    return objects.user(
        _user_id(body.get("user_id")),
        first_name,
        last_name=_optional_string(body, "last_name"),
        username=_optional_string(body, "username", 32),
        language_code=_optional_string(body, "language_code", 35),
    )


def _known_chat(user_id: int) -> None:
    if current_state().chats.get(user_id) is None:
        raise CustomerError("this customer has not written to the bot yet", 404)


def _not_blocked(user_id: int) -> None:
    record = current_state().chats.get(user_id)
    if record is not None and record.blocked:
        raise CustomerError("unblock the bot to write to it", 409)


def _reply_to(user_id: int, body: dict[str, Any]) -> dict[str, Any] | None:
    """The message a `reply_to_message_id` names (any message still in the chat), or None."""
    message_id = body.get("reply_to_message_id")
    if message_id is None or message_id == "":
        return None
    if isinstance(message_id, str) and message_id.strip().isdigit():
        message_id = int(message_id)
    stored = current_state().chats.find_message(user_id, message_id) if isinstance(message_id, int) else None
    if stored is None:
        raise CustomerError("no such message to reply to", 404)
    return stored.message


def _forward_origin(body: dict[str, Any], customer: dict[str, Any]) -> dict[str, Any] | None:
    """`forward_from` ({first_name, last_name?, username?, id?}) or `forward_sender_name` (a hidden account)."""
    date = body.get("forward_date")
    if date is None:
        date = current_state().now() - 3600
    elif isinstance(date, bool) or not isinstance(date, int) or date <= 0:
        raise CustomerError("forward_date must be a Unix time")
    author = body.get("forward_from")
    if isinstance(author, dict):
        first_name = _optional_string(author, "first_name")
        if not first_name:
            raise CustomerError("forward_from needs a first_name")
        user_id = author.get("id")
        if user_id is None:  # a stable invented id for the name, never the customer's own
            digest = int(hashlib.sha256(first_name.encode()).hexdigest(), 16)
            user_id = 100_000_000 + digest % 900_000_000
            user_id += 1 if user_id == customer["id"] else 0
        sender = objects.user(
            _user_id(user_id),
            first_name,
            last_name=_optional_string(author, "last_name"),
            username=_optional_string(author, "username", 32),
        )
        return objects.forward_origin(date, sender_user=sender)
    if author is not None:
        raise CustomerError("forward_from must be an object with a first_name")
    hidden = _optional_string(body, "forward_sender_name")
    return objects.forward_origin(date, sender_user_name=hidden) if hidden else None


def _deliver(customer: dict[str, Any], builds: list[Build]) -> list[dict[str, Any]]:
    _not_blocked(customer["id"])
    return current_state().customer_posts(customer, builds)


def _post_one(body: dict[str, Any], customer: dict[str, Any], content: dict[str, Any]) -> ResponseReturnValue:
    """Send one message with `content` (its Message fields), as a reply if asked; 201 {update_id, message}."""
    _not_blocked(customer["id"])
    reply = _reply_to(customer["id"], body)
    now = current_state().now()

    def build(message_id: int, chat: dict[str, Any]) -> dict[str, Any]:
        return objects.message(message_id, customer, chat, now, reply_to_message=reply, **content)

    update = _deliver(customer, [build])[0]
    return jsonify({"update_id": update["update_id"], "message": update["message"]}), 201


@customer_api.get("/")
def page() -> ResponseReturnValue:
    response = current_app.send_static_file("index.html")
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-cache"
    return response


@customer_api.get("/customer/api/bot")
def bot() -> ResponseReturnValue:
    """Who the customer is talking to, for the page's header."""
    me = current_state().bot
    return jsonify({"id": me["id"], "first_name": me["first_name"], "username": me["username"]})


@customer_api.post("/customer/api/messages")
def send() -> ResponseReturnValue:
    """A text; with `reply_to_message_id` a reply, with `forward_from`/`forward_sender_name` a forward."""
    body = _body()
    customer = _customer(body)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CustomerError("text is required")
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        raise CustomerError(f"text is longer than {MAX_MESSAGE_LENGTH} characters")
    content = {
        "forward_origin": _forward_origin(body, customer),
        "text": text,
        "entities": objects.command_entities(text) or None,
    }
    return _post_one(body, customer, content)


@customer_api.get("/customer/api/messages")
def history() -> ResponseReturnValue:
    """The chat both ways, plus whether the bot is blocked or typing.

    `?after=K`: messages after message id K. `?since=R`: everything that changed after the
    chat's revision R (new and edited messages, `deleted` ids), and the `revision` to ask from next.
    """
    user_id = _user_id(request.args.get("user_id"))
    try:
        after = int(request.args.get("after", "0"))
        since = int(request.args["since"]) if "since" in request.args else None
    except ValueError as exc:
        raise CustomerError("after and since must be integers") from exc
    standin = current_state()
    record = standin.chats.get(user_id)
    answer: dict[str, Any] = {}
    if since is None:
        answer["messages"] = standin.chats.history(user_id, after)
    else:
        messages, deleted, revision = standin.chats.changes(user_id, since)
        answer |= {"messages": messages, "deleted": deleted, "revision": revision}
    answer |= {
        "blocked": bool(record and record.blocked),
        "action": standin.chats.current_action(user_id, standin.now()),
    }
    return jsonify(answer)


@customer_api.post("/customer/api/callbacks")
def press() -> ResponseReturnValue:
    """The customer pressed an inline button carrying callback_data."""
    body = _body()
    user_id = _user_id(body.get("user_id"))
    _known_chat(user_id)
    message_id, data = body.get("message_id"), body.get("data")
    stored = current_state().chats.find_message(user_id, message_id) if isinstance(message_id, int) else None
    if stored is None or stored.sender != "bot":
        raise CustomerError("no such message from the bot", 404)
    buttons = (stored.message.get("reply_markup") or {}).get("inline_keyboard") or []
    if not isinstance(data, str) or not any(button.get("callback_data") == data for row in buttons for button in row):
        raise CustomerError("that message has no button with this callback_data")
    update = current_state().customer_presses(user_id, stored.message, data)
    return jsonify({"update_id": update["update_id"], "callback_query": update["callback_query"]}), 201


@customer_api.post("/customer/api/block")
def block() -> ResponseReturnValue:
    """Block (`blocked: true`) or unblock the bot: Telegram sends the bot a `my_chat_member` Update."""
    body = _body()
    user_id = _user_id(body.get("user_id"))
    _known_chat(user_id)
    blocked = body.get("blocked", True)
    if not isinstance(blocked, bool):
        raise CustomerError("blocked must be true or false")
    update = current_state().customer_blocks(user_id, blocked)
    return jsonify({"blocked": blocked, "update_id": update["update_id"] if update else None})


# --- files: photos, documents, voice notes, videos, albums ----------------------------------------


def _form() -> dict[str, Any]:
    """A multipart form's fields as a dict (the identity fields arrive as strings)."""
    return dict(request.form.items())


def _file_kind(data: bytes, mime: str, requested: str | None) -> Kind:
    """What the customer's app would send the file as: asked for, or picked by its type."""
    if requested:
        if requested not in FILE_KINDS:
            raise CustomerError(f"kind must be one of {', '.join(FILE_KINDS)}")
        if requested == "photo":
            try:
                check_photo(data)
            except BotApiError as exc:
                raise CustomerError(f"not a photo Telegram would show ({exc.description})") from exc
        return requested
    if mime in media.INLINE_IMAGE_TYPES and mime != "image/gif":
        try:
            check_photo(data)
        except BotApiError:
            return "document"  # an image Telegram would not show as a photo goes as a file
        return "photo"
    if mime == "image/gif":
        return "animation"
    if mime.startswith("video/"):
        return "video"
    if mime == "audio/ogg":
        return "voice"
    if mime.startswith("audio/"):
        return "audio"
    return "document"


def _albums(kinds: list[str]) -> list[list[int]]:
    """Indexes of the files, grouped as Telegram groups them: up to 10 of a family per album."""
    if len(kinds) > 1 and any(set(kinds) <= family for family in _ALBUM_FAMILIES):
        indexes = list(range(len(kinds)))
        return [indexes[i : i + MEDIA_GROUP_MAX] for i in range(0, len(indexes), MEDIA_GROUP_MAX)]
    return [[i] for i in range(len(kinds))]


@customer_api.post("/customer/api/media")
def send_media() -> ResponseReturnValue:
    """Multipart: identity fields, `file` parts (several make an album), `caption?`, `kind?`, `reply_to_message_id?`.

    Answers 201 `{update_id, message, updates: [{update_id, message}...]}`; an album's messages
    share a `media_group_id` and only the first carries the caption, as in Telegram.
    """
    body = _form()
    customer = _customer(body)
    _not_blocked(customer["id"])
    parts: list[FileStorage] = request.files.getlist("file")
    if not parts:
        raise CustomerError("attach at least one file as a `file` part")
    caption = (body.get("caption") or "").strip()
    if len(caption) > MAX_CAPTION_LENGTH:
        raise CustomerError(f"caption is longer than {MAX_CAPTION_LENGTH} characters")
    requested = (body.get("kind") or "").strip() or None
    files: list[tuple[Kind, StoredFile]] = []
    prepared = []
    for part in parts:
        data = part.read()
        if not data:
            raise CustomerError(f"{part.filename or 'a file'} is empty")
        mime = media.mime_type(data, part.filename, part.mimetype)
        prepared.append((data, part.filename or None, mime, _file_kind(data, mime, requested)))
    for data, name, mime, kind in prepared:
        if kind == "photo":
            stored = current_state().files.add_photo(data, file_name=name)
        else:
            stored = current_state().files.add(kind, data, mime_type=mime, file_name=name)
        files.append((kind, stored))
    reply = _reply_to(customer["id"], body)
    now = current_state().now()
    builds: list[Build] = []
    for group in _albums([kind for kind, _ in files]):
        group_id = str(10**16 + secrets.randbelow(9 * 10**16)) if len(group) > 1 else None
        for index in group:
            kind, stored = files[index]
            text = caption if index == 0 and caption else None
            builds.append(_media_build(customer, now, reply, group_id, kind, stored, text))
    updates = _deliver(customer, builds)
    answer = [{"update_id": u["update_id"], "message": u["message"]} for u in updates]
    return jsonify({**answer[0], "updates": answer}), 201


def _media_build(
    customer: dict[str, Any],
    now: int,
    reply: dict[str, Any] | None,
    group_id: str | None,
    kind: Kind,
    stored: StoredFile,
    caption: str | None,
) -> Build:
    def build(message_id: int, chat: dict[str, Any]) -> dict[str, Any]:
        return objects.message(
            message_id,
            customer,
            chat,
            now,
            reply_to_message=reply,
            media_group_id=group_id,
            caption=caption,
            **{kind: stored.as_media(kind)},
        )

    return build


@customer_api.get("/customer/api/files/<file_id>")
def customer_file(file_id: str) -> ResponseReturnValue:
    """A file for the page to show or download (the bot's and the customer's, by file_id)."""
    stored = current_state().files.get(file_id)
    if stored is None:
        raise CustomerError("no such file", 404)
    return file_response(stored)


# --- location, contact, dice, sticker, poll -----------------------------------------------------------


@customer_api.post("/customer/api/location")
def send_location() -> ResponseReturnValue:
    """`{..., latitude, longitude, horizontal_accuracy?}`; without coordinates, a spot in Madrid."""
    body = _body()
    customer = _customer(body)
    if "latitude" not in body and "longitude" not in body:
        body = {**body, "latitude": DEFAULT_LOCATION[0], "longitude": DEFAULT_LOCATION[1]}
    accuracy = _number(body, "horizontal_accuracy", 0, 1500) if "horizontal_accuracy" in body else None
    place = objects.location(
        _number(body, "latitude", -90, 90), _number(body, "longitude", -180, 180), horizontal_accuracy=accuracy
    )
    return _post_one(body, customer, {"location": place})


@customer_api.post("/customer/api/contact")
def send_contact() -> ResponseReturnValue:
    """`{..., contact?: {phone_number, first_name, last_name?, user_id?}}`; without one, the customer's own."""
    body = _body()
    customer = _customer(body)
    given = body.get("contact")
    if given is None:
        # Sharing one's own number: Telegram fills in the user's id; the number is invented.
        card = objects.contact(
            f"+346{customer['id'] % 100_000_000:08d}",
            customer["first_name"],
            last_name=customer.get("last_name"),
            user_id=customer["id"],
        )
    elif isinstance(given, dict):
        phone, first_name = _optional_string(given, "phone_number", 32), _optional_string(given, "first_name")
        if not phone or not first_name:
            raise CustomerError("a contact needs a phone_number and a first_name")
        other = given.get("user_id")
        card = objects.contact(
            phone,
            first_name,
            last_name=_optional_string(given, "last_name"),
            user_id=_user_id(other) if other is not None else None,
        )
    else:
        raise CustomerError("contact must be an object")
    return _post_one(body, customer, {"contact": card})


@customer_api.post("/customer/api/dice")
def send_dice() -> ResponseReturnValue:
    """`{..., emoji?: "🎲", value?}`: a thrown dice (value random unless a test fixes it)."""
    body = _body()
    customer = _customer(body)
    emoji = body.get("emoji") or "🎲"
    if emoji not in DICE_VALUES:
        raise CustomerError(f"emoji must be one of {' '.join(DICE_VALUES)}")
    value = body.get("value")
    if value is None:
        value = 1 + secrets.randbelow(DICE_VALUES[emoji])
    elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= DICE_VALUES[emoji]:
        raise CustomerError(f"value must be from 1 to {DICE_VALUES[emoji]} for {emoji}")
    return _post_one(body, customer, {"dice": {"emoji": emoji, "value": value}})


@customer_api.post("/customer/api/sticker")
def send_sticker() -> ResponseReturnValue:
    """`{..., emoji?: "😀"}`: a sticker (a generated 512 px PNG, the same file for the same emoji)."""
    body = _body()
    customer = _customer(body)
    emoji = body.get("emoji") or "😀"
    if not isinstance(emoji, str) or len(emoji) > 8:
        raise CustomerError("emoji must be a short string")
    sticker = current_state().sticker(emoji)
    return _post_one(body, customer, {"sticker": sticker.as_media("sticker")})


@customer_api.post("/customer/api/poll")
def send_poll() -> ResponseReturnValue:
    """`{..., question, options: [...], is_anonymous?, allows_multiple_answers?}`: a regular poll."""
    body = _body()
    customer = _customer(body)
    question = body.get("question")
    options = body.get("options")
    if not isinstance(question, str) or not 1 <= len(question.strip()) <= POLL_QUESTION_MAX:
        raise CustomerError(f"question must have 1-{POLL_QUESTION_MAX} characters")
    if (
        not isinstance(options, list)
        or not POLL_OPTIONS_MIN <= len(options) <= POLL_OPTIONS_MAX
        or not all(isinstance(o, str) and 1 <= len(o.strip()) <= POLL_OPTION_MAX for o in options)
    ):
        raise CustomerError(
            f"options must be {POLL_OPTIONS_MIN}-{POLL_OPTIONS_MAX} texts of 1-{POLL_OPTION_MAX} characters"
        )
    flags = {}
    for name, default in (("is_anonymous", True), ("allows_multiple_answers", False)):
        flags[name] = body.get(name, default)
        if not isinstance(flags[name], bool):
            raise CustomerError(f"{name} must be true or false")
    poll = objects.poll(str(secrets.randbits(63)), question.strip(), [o.strip() for o in options], **flags)
    return _post_one(body, customer, {"poll": poll})


# --- changing what was sent: edits and reactions ----------------------------------------------------


def _own_message_request() -> tuple[dict[str, Any], int, int]:
    """The body, the customer (known, not blocking the bot) and the message id an edit or reaction names."""
    body = _body()
    user_id = _user_id(body.get("user_id"))
    _known_chat(user_id)
    _not_blocked(user_id)
    message_id = body.get("message_id")
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise CustomerError("message_id must be an integer")
    return body, user_id, message_id


@customer_api.post("/customer/api/edit")
def edit() -> ResponseReturnValue:
    """`{user_id, message_id, text}`: the customer edits their text (or a media caption): `edited_message`."""
    body, user_id, message_id = _own_message_request()
    text = body.get("text")
    if not isinstance(text, str):
        raise CustomerError("text is required")
    text = text.strip()
    standin = current_state()

    def change(stored: StoredMessage) -> dict[str, Any]:
        current = stored.message
        if stored.sender != "customer":
            raise CustomerError("only your own messages can be edited", 403)
        kind = objects.message_kind(current)
        if kind == "text":
            if not text or len(text) > MAX_MESSAGE_LENGTH:
                raise CustomerError(f"text must have 1-{MAX_MESSAGE_LENGTH} characters")
            if text == current["text"]:
                raise CustomerError("the message already says that")
            new = {"text": text, "entities": objects.command_entities(text) or None}
        elif kind in objects.CAPTIONED_KINDS:
            if len(text) > MAX_CAPTION_LENGTH:
                raise CustomerError(f"a caption has at most {MAX_CAPTION_LENGTH} characters")
            if text == current.get("caption", ""):
                raise CustomerError("the message already says that")
            new = {"caption": text or None, "caption_entities": None}
        else:
            raise CustomerError(f"a {kind} message cannot be edited")
        kept = {k: v for k, v in current.items() if k not in (*new, "edit_date")}
        return objects.ordered(kept | {"edit_date": standin.now()} | {k: v for k, v in new.items() if v})

    update = standin.customer_edits(user_id, message_id, change)
    if update is None:
        raise CustomerError("no such message", 404)
    return jsonify({"update_id": update["update_id"], "edited_message": update["edited_message"]}), 201


@customer_api.post("/customer/api/reactions")
def react() -> ResponseReturnValue:
    """`{user_id, message_id, emoji}` (null or "" takes the reaction back): a `message_reaction` Update.

    Telegram only sends it when the bot's allowed_updates include "message_reaction"; `queued`
    says whether it was. Setting the reaction already there changes nothing (`update_id` null).
    """
    body, user_id, message_id = _own_message_request()
    emoji = body.get("emoji")
    if emoji not in (None, "") and emoji not in REACTION_EMOJI:
        raise CustomerError("emoji must be one of Telegram's reaction emoji")
    new = [emoji] if emoji else []
    standin = current_state()
    stored = standin.chats.find_message(user_id, message_id)
    if stored is None:
        raise CustomerError("no such message", 404)
    if stored.reaction == new:
        return jsonify({"update_id": None, "queued": False})
    result = standin.customer_reacts(user_id, message_id, new)
    if result is None:
        raise CustomerError("no such message", 404)
    update, queued = result
    return jsonify(
        {"update_id": update["update_id"], "queued": queued, "message_reaction": update["message_reaction"]}
    ), 201


@customer_api.post("/customer/api/avatar")
def avatar() -> ResponseReturnValue:
    """`{user_id, avatar: true|false}`: a generated profile photo for getUserProfilePhotos (or none)."""
    body = _body()
    user_id = _user_id(body.get("user_id"))
    wanted = body.get("avatar", True)
    if not isinstance(wanted, bool):
        raise CustomerError("avatar must be true or false")
    photo = current_state().set_avatar(user_id, wanted)
    return jsonify({"avatar": photo is not None, "photo": photo.as_photo() if photo else None})
