"""The customer's side: the chat page and the small JSON API behind it.

Whatever the page does becomes a real Bot API Update (a message, a button press, a block), so
the desk sees exactly what Telegram would send when a real person does the same thing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from teledesk.telegram.limits import MAX_MESSAGE_LENGTH

from . import objects
from .limits import USER_NAME_MAX
from .state import StandinState

customer_api = Blueprint("standin_customer", __name__)

# Telegram user ids fit in 52 bits; anything else is a typo in a test, not a customer.
USER_ID_MAX = 2**52
# The page is static and loads only its own files: forbid everything else, inline script included.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class CustomerError(Exception):
    """A request the page (or a test) got wrong: answered `{"error": ...}` with a status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@customer_api.errorhandler(CustomerError)
def _customer_error(exc: CustomerError) -> ResponseReturnValue:
    return jsonify({"error": exc.message}), exc.status


def state() -> StandinState:
    return current_app.extensions["standin"]


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CustomerError("a JSON object is expected")
    return body


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
    if state().chats.get(user_id) is None:
        raise CustomerError("this customer has not written to the bot yet", 404)


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
    me = state().bot
    return jsonify({"id": me["id"], "first_name": me["first_name"], "username": me["username"]})


@customer_api.post("/customer/api/messages")
def send() -> ResponseReturnValue:
    body = _body()
    customer = _customer(body)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CustomerError("text is required")
    text = text.strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        raise CustomerError(f"text is longer than {MAX_MESSAGE_LENGTH} characters")
    record = state().chats.get(customer["id"])
    if record is not None and record.blocked:
        raise CustomerError("unblock the bot to write to it", 409)
    update = state().customer_says(customer, text)
    return jsonify({"update_id": update["update_id"], "message": update["message"]}), 201


@customer_api.get("/customer/api/messages")
def history() -> ResponseReturnValue:
    """The chat both ways after message `after`, plus whether the bot is blocked or typing."""
    user_id = _user_id(request.args.get("user_id"))
    try:
        after = int(request.args.get("after", "0"))
    except ValueError as exc:
        raise CustomerError("after must be an integer") from exc
    standin = state()
    record = standin.chats.get(user_id)
    return jsonify(
        {
            "messages": standin.chats.history(user_id, after),
            "blocked": bool(record and record.blocked),
            "action": standin.chats.current_action(user_id, standin.now()),
        }
    )


@customer_api.post("/customer/api/callbacks")
def press() -> ResponseReturnValue:
    """The customer pressed an inline button carrying callback_data."""
    body = _body()
    user_id = _user_id(body.get("user_id"))
    _known_chat(user_id)
    message_id, data = body.get("message_id"), body.get("data")
    stored = state().chats.find_message(user_id, message_id) if isinstance(message_id, int) else None
    if stored is None or stored.sender != "bot":
        raise CustomerError("no such message from the bot", 404)
    buttons = (stored.message.get("reply_markup") or {}).get("inline_keyboard") or []
    if not any(button.get("callback_data") == data for row in buttons for button in row):
        raise CustomerError("that message has no button with this callback_data")
    update = state().customer_presses(user_id, stored.message, data)
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
    update = state().customer_blocks(user_id, blocked)
    return jsonify({"blocked": blocked, "update_id": update["update_id"] if update else None})
