"""The business account in the Bot API, and its test hooks under `/standin/api/business`.

Bot API: a send, an edit or a chat action with `business_connection_id` goes into the account's
chat with the customer, as the account (`from` the account, `sender_business_bot` the bot), and
comes back to the bot as a `business_message` (an edit as `edited_business_message`), as Telegram
echoes what a bot sends for an account; `deleteBusinessMessages`, `readBusinessMessage` and
`getBusinessConnection`. What the connection does not allow is a 400 with a description
(business.py has the rules).

Hooks (JSON): the connection (`GET`, and `POST {rights?, is_enabled?}`, which sends a
`business_connection` Update), a customer writing to the account (`POST /messages`: the customer
page's identity fields, `text`, `date?` to date it in the past), editing (`POST /edit`) and
deleting (`POST /delete`) their messages, the owner typing in the Telegram app (`POST /owner`),
and the chats with every message (`GET /chats`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from . import objects
from .bot_api import Ok, business_method, caption_of, message_text, method
from .bot_media import _prepare_file
from .business import RIGHTS, BusinessAccount, BusinessChat, BusinessSender
from .customer_api import CustomerError, _customer
from .errors import BotApiError
from .files import Kind
from .params import Params
from .state import StandinState, current_state

CONNECTION_INVALID = "BUSINESS_CONNECTION_INVALID"
CONNECTION_DISABLED = "the business connection is disabled"
WINDOW_CLOSED = "the business chat had no incoming message in the last 24 hours"
MEDIA_METHODS: dict[str, Kind] = {"sendPhoto": "photo", "sendDocument": "document", "sendVideo": "video",
                                  "sendVoice": "voice", "sendAudio": "audio", "sendAnimation": "animation"}

business_hooks = Blueprint("standin_business_hooks", __name__, url_prefix="/standin/api/business")


def missing_right(right: str) -> str:
    return f"not enough rights: the business connection does not grant {right}"


# -- the Bot API ----------------------------------------------------------------------------------------

def _connected(standin: StandinState, params: Params) -> BusinessAccount:
    account = standin.business
    if params.string("business_connection_id") != account.connection_id:
        raise BotApiError.bad_request(CONNECTION_INVALID)
    if not account.is_enabled:
        raise BotApiError.bad_request(CONNECTION_DISABLED)
    return account


def _allowed(account: BusinessAccount, right: str) -> None:
    if not account.rights.get(right):
        raise BotApiError.bad_request(missing_right(right))


def _business_chat(account: BusinessAccount, params: Params) -> BusinessChat:
    chat_id = params.chat_id()
    chat = account.chat(chat_id) if isinstance(chat_id, int) else None
    if chat is None:
        raise BotApiError.bad_request("chat not found")
    return chat


def _writable(standin: StandinState, params: Params) -> tuple[BusinessAccount, BusinessChat]:
    """The chat the bot writes in as the account: `can_reply` and the 24-hour window."""
    account = _connected(standin, params)
    chat = _business_chat(account, params)
    _allowed(account, "can_reply")
    if not chat.window_open(standin.now()):
        raise BotApiError.bad_request(WINDOW_CLOSED)
    return account, chat


def _sent_as_the_account(standin: StandinState, account: BusinessAccount, chat: BusinessChat,
                         **content: Any) -> Ok:
    sender = objects.bot_sender(standin.bot)
    message = account.business_message(chat, "bot", standin.now(), sender, **content)
    standin.deliver({"business_message": message})
    return Ok(message)


@business_method("sendMessage")
def send_business_message(standin: StandinState, params: Params) -> Ok:
    account, chat = _writable(standin, params)
    text, entities = message_text(params)
    return _sent_as_the_account(standin, account, chat, text=text, entities=entities)


def _send_business_media(kind: Kind) -> Any:
    def send(standin: StandinState, params: Params) -> Ok:
        account, chat = _writable(standin, params)
        caption, caption_entities = caption_of(params)
        stored = _prepare_file(standin, params, kind)()
        return _sent_as_the_account(standin, account, chat, **{kind: stored.as_media(kind)}, caption=caption or None,
                                    caption_entities=caption_entities if caption else None)

    return send


for _name, _kind in MEDIA_METHODS.items():
    business_method(_name)(_send_business_media(_kind))


def _edit(standin: StandinState, params: Params, field: str, value: str) -> Ok:
    account, chat = _writable(standin, params)
    message_id = params.integer("message_id")
    stored = chat.find(message_id) if message_id is not None else None
    if stored is None:
        raise BotApiError.bad_request("message to edit not found")
    edited = account.edit(chat, message_id, "bot", standin.now(), **{field: value})
    if edited is None:
        raise BotApiError.bad_request("message can't be edited")
    standin.deliver({"edited_business_message": edited})
    return Ok(edited)


@business_method("editMessageText")
def edit_business_message_text(standin: StandinState, params: Params) -> Ok:
    text, _entities = message_text(params)
    return _edit(standin, params, "text", text)


@business_method("editMessageCaption")
def edit_business_message_caption(standin: StandinState, params: Params) -> Ok:
    caption, _entities = caption_of(params)
    return _edit(standin, params, "caption", caption)


@business_method("sendChatAction")
def send_business_chat_action(standin: StandinState, params: Params) -> Ok:
    _business_chat(_connected(standin, params), params)
    params.string("action", empty="action is empty")
    return Ok(True)


@method("deleteBusinessMessages")
def delete_business_messages(standin: StandinState, params: Params) -> Ok:
    account = _connected(standin, params)
    ids = params.json_object("message_ids", "message identifiers")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise BotApiError.bad_request("message identifiers are not specified")
    with account.lock:
        chat = next((c for c in account.chats.values() if all(c.find(i) is not None for i in ids)), None)
        if chat is None:
            raise BotApiError.bad_request("message to delete not found")
        if not account.rights.get("can_delete_all_messages"):
            _allowed(account, "can_delete_sent_messages")
            if any((found := chat.find(i)) is not None and found.sender == "customer" for i in ids):
                raise BotApiError.bad_request(missing_right("can_delete_all_messages"))
        account.delete(chat, ids)
    return Ok(True)


@method("readBusinessMessage")
def read_business_message(standin: StandinState, params: Params) -> Ok:
    account = _connected(standin, params)
    chat = _business_chat(account, params)
    _allowed(account, "can_read_messages")
    message_id = params.integer("message_id")
    if message_id is None or chat.find(message_id) is None:
        raise BotApiError.bad_request("message not found")
    with account.lock:
        chat.read_up_to = max(chat.read_up_to, message_id)
    return Ok(True)


@method("getBusinessConnection")
def get_business_connection(standin: StandinState, params: Params) -> Ok:
    account = standin.business
    if params.string("business_connection_id") != account.connection_id:
        raise BotApiError.bad_request(CONNECTION_INVALID)
    return Ok(account.connection())


# -- test hooks -----------------------------------------------------------------------------------------

@business_hooks.errorhandler(CustomerError)
def _refused(exc: CustomerError) -> ResponseReturnValue:
    return jsonify({"error": exc.message}), exc.status


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise CustomerError("a JSON object is expected")
    return body


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CustomerError("text is required")
    return text


def _existing_chat(account: BusinessAccount, body: dict[str, Any]) -> BusinessChat:
    user_id = body.get("user_id")
    chat = account.chat(user_id) if isinstance(user_id, int) else None
    if chat is None:
        raise CustomerError("this customer has not written to the business account", 404)
    return chat


@business_hooks.get("/connection")
def connection() -> ResponseReturnValue:
    return jsonify(current_state().business.connection())


@business_hooks.post("/connection")
def change_connection() -> ResponseReturnValue:
    """`{rights?: {name: bool}, is_enabled?}`: the account changes what it grants, or disconnects;
    Telegram sends the bot the connection's whole state."""
    body, standin = _body(), current_state()
    rights, is_enabled = body.get("rights"), body.get("is_enabled")
    if rights is not None and not (isinstance(rights, dict) and all(
            name in RIGHTS and isinstance(granted, bool) for name, granted in rights.items())):
        raise CustomerError(f"rights must map rights ({', '.join(RIGHTS)}) to true or false")
    if is_enabled is not None and not isinstance(is_enabled, bool):
        raise CustomerError("is_enabled must be true or false")
    standin.business.change(standin.now(), rights=rights, is_enabled=is_enabled)
    update, _queued = standin.deliver({"business_connection": standin.business.connection()})
    return jsonify({"update_id": update["update_id"], "connection": standin.business.connection()}), 201


def _date(body: dict[str, Any], now: int) -> int:
    date = body.get("date", now)
    if isinstance(date, bool) or not isinstance(date, int) or date > now:
        raise CustomerError("date must be a Unix time, not in the future")
    return date


def _write(sender: BusinessSender, chat: BusinessChat, body: dict[str, Any]) -> ResponseReturnValue:
    standin = current_state()
    message = standin.business.business_message(chat, sender, _date(body, standin.now()), None, text=_text(body),
                                                entities=objects.command_entities(_text(body)) or None)
    update, _queued = standin.deliver({"business_message": message})
    return jsonify({"update_id": update["update_id"], "message": message}), 201


@business_hooks.post("/messages")
def customer_writes() -> ResponseReturnValue:
    """A customer writes to the account: the page's identity fields, `text`, `date?`."""
    body = _body()
    return _write("customer", current_state().business.customer_chat(_customer(body)), body)


@business_hooks.post("/owner")
def owner_writes() -> ResponseReturnValue:
    """The account's owner types in the Telegram app, in the chat with customer `user_id`."""
    body = _body()
    return _write("owner", _existing_chat(current_state().business, body), body)


@business_hooks.post("/edit")
def customer_edits() -> ResponseReturnValue:
    """`{user_id, message_id, text}`: the customer edits their message."""
    body, standin = _body(), current_state()
    account = standin.business
    edited = account.edit(_existing_chat(account, body), body.get("message_id"), "customer", standin.now(),
                          text=_text(body))
    if edited is None:
        raise CustomerError("no such message of the customer's", 404)
    update, _queued = standin.deliver({"edited_business_message": edited})
    return jsonify({"update_id": update["update_id"], "edited_message": edited}), 201


@business_hooks.post("/delete")
def messages_deleted() -> ResponseReturnValue:
    """`{user_id, message_ids}`: messages of the chat deleted (by the customer or the owner)."""
    body, standin = _body(), current_state()
    account = standin.business
    chat = _existing_chat(account, body)
    ids = body.get("message_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
        raise CustomerError("message_ids must be a list of message ids")
    account.delete(chat, ids)
    update, _queued = standin.deliver({"deleted_business_messages": {
        "business_connection_id": account.connection_id, "chat": chat.chat, "message_ids": ids}})
    return jsonify({"update_id": update["update_id"]}), 201


@business_hooks.get("/chats")
def chats() -> ResponseReturnValue:
    """Every business chat with its messages (`from`: customer, owner or bot; `deleted`), oldest first."""
    standin = current_state()
    return jsonify({"account": standin.business.user, "connection": standin.business.connection(),
                    "chats": standin.business.chats_for_page()})
