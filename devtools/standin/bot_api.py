"""The Bot API routes the desk calls: `/bot<token>/<method>`, answered in Telegram's shapes.

Method names are matched case-insensitively, as Telegram does. Every call that passes the
token check is recorded in the call log, including refused ones, so tests can assert both what
the desk asked and what it was told.
"""

from __future__ import annotations

import hmac
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from teledesk.telegram.limits import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    MAX_WEBHOOK_CONNECTIONS,
    WEBHOOK_SECRET_PATTERN,
)

from . import objects
from .calls import PlannedFailure
from .errors import BotApiError
from .formatting import PARSE_MODES, EntityParseError, parse_html
from .limits import REQUEST_MAX_BYTES
from .params import Params
from .state import StandinState, current_state

log = logging.getLogger(__name__)

bot_api = Blueprint("standin_bot_api", __name__)

_SECRET_TOKEN = re.compile(WEBHOOK_SECRET_PATTERN)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
CHAT_ACTION_SECONDS = 5  # Telegram shows an action for 5 s or until the bot's next message


@dataclass(frozen=True)
class Ok:
    """A successful answer; some methods (setWebhook...) add a human description."""

    result: Any
    description: str | None = None


Handler = Callable[[StandinState, Params], Ok]
_METHODS: dict[str, tuple[str, Handler]] = {}
_BUSINESS_METHODS: dict[str, Handler] = {}  # the same methods called for a business account (business_api.py)
_GROUP_METHODS: dict[str, Handler] = {}  # sends into the staff forum group (bot_forum.py)


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under its Bot API name (looked up case-insensitively)."""

    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def _variant(table: dict[str, Handler]) -> Callable[[str], Callable[[Handler], Handler]]:
    """A decorator that registers, in `table`, what a method does for some of its calls."""

    def named(name: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            table[name.lower()] = handler
            return handler

        return register

    return named


business_method = _variant(_BUSINESS_METHODS)  # a method called with `business_connection_id`
group_method = _variant(_GROUP_METHODS)  # a method whose `chat_id` is the staff forum group


def _answer(body: dict[str, Any], status: int = 200) -> ResponseReturnValue:
    return jsonify(body), status


@bot_api.route("/bot<token>/<name>", methods=["GET", "POST"])
def call(token: str, name: str) -> ResponseReturnValue:
    standin = current_state()
    if not hmac.compare_digest(token.encode(), standin.token.encode()):
        return _answer(BotApiError(401, "Unauthorized").to_json(), 401)
    canonical, handler = _METHODS.get(name.lower(), (name, None))
    started = time.time()
    params: Params | None = None
    failure: PlannedFailure | None = None
    ok: Ok | None = None
    try:
        if (request.content_length or 0) > REQUEST_MAX_BYTES:
            raise BotApiError(413, "Request Entity Too Large")  # refused before reading it
        params = Params.from_request(request)
        failure = standin.failures.take(canonical, params.as_dict().get("chat_id"))
        planned = failure.to_error() if failure is not None else None
        if planned is not None:
            raise planned
        if params.present("chat_id") and params.chat_id() == standin.forum.chat["id"]:
            handler = _GROUP_METHODS.get(canonical.lower(), handler)
        if handler is None:
            raise BotApiError(404, "Not Found")
        if params.present("business_connection_id"):
            handler = _BUSINESS_METHODS.get(canonical.lower(), handler)
        ok = handler(standin, params)
        error = None
    except BotApiError as exc:
        error = exc
    except RequestEntityTooLarge:
        error = BotApiError(413, "Request Entity Too Large")
    except Exception:
        log.exception("stand-in failed on %s", canonical)
        error = BotApiError(500, "Internal Server Error")
    if failure is not None and failure.delay:
        # A planned delay: whatever the call did stays done, only its answer is late (a client
        # with a shorter timeout gives up, as when Telegram's response is lost on the way).
        standin.hold(failure.delay)
    if error is None and ok is not None and params is not None:
        standin.calls.record(canonical, params.as_dict(), started, ok=True)
        body: dict[str, Any] = {"ok": True, "result": ok.result}
        if ok.description:
            body["description"] = ok.description
        return _answer(body)
    error = error or BotApiError(500, "Internal Server Error")
    standin.calls.record(canonical, params.as_dict() if params else {}, started, ok=False, error_code=error.error_code)
    return _answer(error.to_json(), error.error_code)


# --- the bot itself -------------------------------------------------------------------------------


@method("getMe")
def get_me(standin: StandinState, params: Params) -> Ok:
    return Ok(standin.bot)


# --- receiving updates ----------------------------------------------------------------------------


def _allowed_updates(params: Params) -> list[str] | None:
    allowed = params.json_object("allowed_updates", "allowed updates")
    if allowed is None:
        return None
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise BotApiError.bad_request("can't parse allowed updates JSON object")
    return allowed


@method("setWebhook")
def set_webhook(standin: StandinState, params: Params) -> Ok:
    url = (params.string("url") or "").strip()
    drop = params.boolean("drop_pending_updates")
    if not url:
        had = standin.feed.delete_webhook(drop_pending=drop)
        return Ok(True, "Webhook was deleted" if had else "Webhook is already deleted")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Telegram insists on HTTPS; the stand-in also takes plain HTTP, since the desk runs locally.
        raise BotApiError.bad_request("bad webhook: An HTTP or HTTPS URL must be provided for webhook")
    secret = params.string("secret_token") or ""
    if secret and not _SECRET_TOKEN.fullmatch(secret):
        raise BotApiError.bad_request("secret token contains unallowed characters")
    max_connections = params.integer("max_connections")
    if max_connections is not None and not 1 <= max_connections <= MAX_WEBHOOK_CONNECTIONS:
        raise BotApiError.bad_request("bad webhook: max_connections must be between 1 and 100")
    already = standin.feed.webhook.url == url
    standin.set_webhook(
        url,
        secret_token=secret,
        allowed=_allowed_updates(params),
        drop_pending=drop,
        max_connections=max_connections,
        ip_address=params.string("ip_address"),
    )
    return Ok(True, "Webhook is already set" if already else "Webhook was set")


@method("deleteWebhook")
def delete_webhook(standin: StandinState, params: Params) -> Ok:
    had = standin.feed.delete_webhook(drop_pending=params.boolean("drop_pending_updates"))
    return Ok(True, "Webhook was deleted" if had else "Webhook is already deleted")


@method("getWebhookInfo")
def get_webhook_info(standin: StandinState, params: Params) -> Ok:
    return Ok(standin.feed.webhook_info())


@method("getUpdates")
def get_updates(standin: StandinState, params: Params) -> Ok:
    return Ok(
        standin.feed.poll(
            params.integer("offset"), params.integer("limit"), params.integer("timeout"), _allowed_updates(params)
        )
    )


# --- sending ----------------------------------------------------------------------------------------


def private_chat(standin: StandinState, params: Params) -> int:
    """The chat a method targets: 400 if no customer ever opened it."""
    chat_id = params.chat_id()
    if not isinstance(chat_id, int) or standin.chats.get(chat_id) is None:
        raise BotApiError.bad_request("chat not found")
    return chat_id


def caption_of(params: Params) -> tuple[str, list[dict[str, Any]] | None]:
    """A media caption (optional, at most 1,024 characters), as `formatted` reads texts."""
    return formatted(params, "caption", "caption_entities", limit=MAX_CAPTION_LENGTH,
                     too_long="message caption is too long", empty=None)


def reachable(standin: StandinState, chat_id: int) -> None:
    """403 if the customer blocked the bot; checked last, when Telegram would actually deliver."""
    record = standin.chats.get(chat_id)
    if record is not None and record.blocked:
        raise BotApiError(403, "Forbidden: bot was blocked by the user")


def formatted(
    params: Params,
    name: str,
    entities_name: str,
    *,
    limit: int,
    too_long: str,
    empty: str | None,
) -> tuple[str, list[dict[str, Any]] | None]:
    """A text or caption after entity parsing, as Telegram measures and stores it.

    `empty` is the error for a missing or blank value; None makes the value optional ("" then).
    """
    text = params.string(name, empty=empty) or ""
    parse_mode = params.string("parse_mode")
    entities: list[dict[str, Any]] | None = None
    if parse_mode:
        if parse_mode.lower() not in {mode.lower() for mode in PARSE_MODES}:
            raise BotApiError.bad_request("unsupported parse_mode")
        if parse_mode.lower() == "html":
            try:
                text, entities = parse_html(text)
            except EntityParseError as exc:
                raise BotApiError.bad_request(f"can't parse entities: {exc}") from exc
    else:
        given = params.json_object(entities_name, "entities")
        entities = given if isinstance(given, list) else None
    if not entities:
        text = text.strip()  # Telegram trims plain text
    if empty is not None and not text.strip():
        raise BotApiError.bad_request(empty)
    if len(text) > limit:
        raise BotApiError.bad_request(too_long)
    return text, entities or None


def message_text(params: Params) -> tuple[str, list[dict[str, Any]] | None]:
    """A message text after entity parsing."""
    return formatted(
        params,
        "text",
        "entities",
        limit=MAX_MESSAGE_LENGTH,
        too_long="message is too long",
        empty="message text is empty",
    )


def reply_target(standin: StandinState, params: Params, chat_id: int) -> dict[str, Any] | None:
    """The message being answered (reply_parameters, or the older reply_to_message_id)."""
    reply = params.json_object("reply_parameters", "reply parameters")
    if reply is not None and not (isinstance(reply, dict) and isinstance(reply.get("message_id"), int)):
        raise BotApiError.bad_request("can't parse reply parameters JSON object")
    if reply is None:
        message_id = params.integer("reply_to_message_id")
        if message_id is None:
            return None
        reply = {"message_id": message_id, "allow_sending_without_reply": params.boolean("allow_sending_without_reply")}
    target = standin.chats.find_message(chat_id, reply["message_id"])
    if target is None:
        if reply.get("allow_sending_without_reply"):
            return None
        raise BotApiError.bad_request("message to be replied not found")
    return target.message


def reply_markup(params: Params) -> dict[str, Any] | None:
    """The markup, checked; only inline keyboards are echoed in the Message, as Telegram does."""
    markup = params.json_object("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise BotApiError.bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return None
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise BotApiError.bad_request('can\'t parse inline keyboard button: field "inline_keyboard" must be an Array')
    for row in keyboard:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise BotApiError.bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            data = button.get("callback_data")
            if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES):
                raise BotApiError.bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": keyboard}


@method("sendMessage")
def send_message(standin: StandinState, params: Params) -> Ok:
    chat_id = private_chat(standin, params)
    text, entities = message_text(params)
    reply_to = reply_target(standin, params, chat_id)
    markup = reply_markup(params)
    reachable(standin, chat_id)
    sender = objects.bot_sender(standin.bot)
    message = standin.chats.bot_message(
        chat_id,
        lambda message_id, chat: objects.text_message(
            message_id,
            sender,
            chat,
            standin.now(),
            text,
            entities=entities,
            reply_to_message=reply_to,
            reply_markup=markup,
        ),
    )
    return Ok(message)


@method("sendChatAction")
def send_chat_action(standin: StandinState, params: Params) -> Ok:
    chat_id = private_chat(standin, params)
    action = params.string("action", empty="action is empty")
    if action not in CHAT_ACTIONS:
        raise BotApiError.bad_request("wrong parameter action in request")
    reachable(standin, chat_id)
    standin.chats.show_action(chat_id, action, time.time() + CHAT_ACTION_SECONDS)
    return Ok(True)


@method("answerCallbackQuery")
def answer_callback_query(standin: StandinState, params: Params) -> Ok:
    query_id = params.string("callback_query_id", empty="query_id is empty")
    assert query_id is not None
    if not standin.chats.answer_callback(query_id):
        raise BotApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
    return Ok(True)
