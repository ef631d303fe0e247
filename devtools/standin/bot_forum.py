"""The staff forum's Bot API methods and its test hooks (the group itself: forum.py).

createForumTopic, editForumTopic, closeForumTopic, reopenForumTopic, deleteForumTopic, and
sendMessage into the group. The hooks under `/standin/api/forum` play a staff member writing in a
topic (the bot gets the `message` Update), act as the group's admin (close, reopen, delete a
topic), and read the group with every topic and its messages.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from teledesk.telegram.limits import MAX_TOPIC_NAME_LENGTH

from . import objects
from .bot_api import Handler, Ok, group_method, message_text, method, reply_markup
from .errors import BotApiError
from .forum import STAFF_GROUP_ID, STAFF_MEMBERS, TOPIC_ICON_COLORS, StaffForum
from .hooks_api import _error, _integer
from .params import Params
from .state import StandinState, current_state


def _thread_id(params: Params) -> int:
    thread_id = params.integer("message_thread_id")
    if thread_id is None:
        raise BotApiError.bad_request("message thread not found")
    return thread_id


def _topic_name(value: str | None) -> str:
    """A topic's name as Telegram takes it: 1 to 128 characters once trimmed."""
    name = (value or "").strip()
    if not name:
        raise BotApiError.bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > MAX_TOPIC_NAME_LENGTH:
        raise BotApiError.bad_request("TOPIC_TITLE_TOO_LONG")
    return name


def _forum_chat(standin: StandinState, params: Params) -> StaffForum:
    if params.chat_id() != STAFF_GROUP_ID:
        raise BotApiError.bad_request("chat not found")
    return standin.forum


# --- the Bot API -----------------------------------------------------------------------------------


@method("createForumTopic")
def create_forum_topic(standin: StandinState, params: Params) -> Ok:
    forum = _forum_chat(standin, params)
    name = _topic_name(params.string("name"))
    icon_color = params.integer("icon_color")
    if icon_color is not None and icon_color not in TOPIC_ICON_COLORS:
        raise BotApiError.bad_request("TOPIC_ICON_COLOR_INVALID")  # hypothetical wording: Telegram allows six
    return Ok(forum.create(name, icon_color, objects.bot_sender(standin.bot), standin.now()).forum_topic())


@method("editForumTopic")
def edit_forum_topic(standin: StandinState, params: Params) -> Ok:
    forum = _forum_chat(standin, params)
    name = params.string("name")
    forum.change(_thread_id(params), name=_topic_name(name) if name is not None else None)
    return Ok(True)


def _topic_switch(*, closed: bool | None = None, deleted: bool = False) -> Handler:
    def handler(standin: StandinState, params: Params) -> Ok:
        _forum_chat(standin, params).change(_thread_id(params), closed=closed, deleted=deleted)
        return Ok(True)

    return handler


method("closeForumTopic")(_topic_switch(closed=True))
method("reopenForumTopic")(_topic_switch(closed=False))
method("deleteForumTopic")(_topic_switch(deleted=True))


@group_method("sendMessage")
def send_to_group(standin: StandinState, params: Params) -> Ok:
    """sendMessage with `chat_id` the staff group: into the topic `message_thread_id` (General without)."""
    forum = _forum_chat(standin, params)
    text, entities = message_text(params)
    markup = reply_markup(params)
    sender = objects.bot_sender(standin.bot)
    return Ok(forum.post(params.integer("message_thread_id"), sender, standin.now(), text,
                         entities=entities, reply_markup=markup))


# --- the hooks: play a staff member, act as the group's admin, read the topics ---------------------

forum_hooks = Blueprint("standin_forum_hooks", __name__, url_prefix="/standin/api/forum")


@forum_hooks.get("")
def read_forum() -> ResponseReturnValue:
    """The group, its staff members and every topic (deleted ones flagged) with its messages."""
    forum = current_state().forum
    return jsonify({"chat": forum.chat, "members": list(STAFF_MEMBERS),
                    "topics": [topic.for_hooks() for topic in forum.topics()]})


@forum_hooks.post("/messages")
def staff_says() -> ResponseReturnValue:
    """`{from, message_thread_id, text}`: staff member `from` (a user id of `members`, the first by
    default) writes in a topic; the bot gets the `message` Update. 400 with Telegram's wording when
    the topic is gone or closed."""
    standin = current_state()
    forum = standin.forum
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error("a JSON object is expected")
    sender = forum.member(_integer(body.get("from")) or STAFF_MEMBERS[0]["id"])
    thread_id, text = _integer(body.get("message_thread_id")), body.get("text")
    if sender is None:
        return _error("from must be the id of a staff member")
    if thread_id is None:
        return _error("message_thread_id must be an integer")
    if not isinstance(text, str) or not text.strip():
        return _error("text must be a non-empty string")
    try:
        message = forum.post(thread_id, sender, standin.now(), text,
                             then=lambda posted: standin.deliver({"message": posted}))
    except BotApiError as exc:
        return _error(exc.description)
    return jsonify({"message": message}), 201


@forum_hooks.post("/topics/<int:thread_id>/<action>")
def admin_acts(thread_id: int, action: str) -> ResponseReturnValue:
    """`close`, `reopen` or `delete` a topic, as an admin of the group would in the app."""
    if action not in ("close", "reopen", "delete"):
        return _error("action must be close, reopen or delete", 404)
    try:
        topic = current_state().forum.change(thread_id, closed={"close": True, "reopen": False}.get(action),
                                             deleted=action == "delete")
    except BotApiError as exc:
        return _error(exc.description)
    return jsonify(topic.for_hooks())
