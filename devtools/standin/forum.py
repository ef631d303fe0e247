"""The staff forum: one supergroup with topics, where the desk mirrors conversations and staff answer.

The group (`STAFF_GROUP_ID`, `is_forum`) has the bot as an admin that can manage topics, and a few
staff personas. The Bot API side: createForumTopic, editForumTopic, closeForumTopic,
reopenForumTopic, deleteForumTopic, and sendMessage with `message_thread_id` into the group,
refused as Telegram does for a deleted topic ("message thread not found") or a closed one
("TOPIC_CLOSED"). A staff member's message in a topic reaches the bot as a `message` Update
(`is_topic_message`, `message_thread_id`). The hooks under `/standin/api/forum` let a test (or the
page) play a staff member, delete or close a topic as an admin would, and read every topic.

The group numbers its messages from one counter, topics included: a topic's id is the id of the
service message that created it, as in Telegram.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import objects
from .errors import BotApiError

STAFF_GROUP_ID = -1009000000001
STAFF_GROUP_TITLE = "Support staff"
STAFF_MEMBERS = (
    objects.user(8000000001, "Ana", last_name="García", username="ana_staff", language_code="es"),
    objects.user(8000000002, "Ben", last_name="Okafor", username="ben_staff", language_code="en"),
)
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)  # what Telegram accepts


@dataclass
class Topic:
    message_thread_id: int
    name: str
    icon_color: int
    closed: bool = False
    deleted: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)

    def forum_topic(self) -> dict[str, Any]:
        """The `ForumTopic` createForumTopic answers."""
        return {"message_thread_id": self.message_thread_id, "name": self.name, "icon_color": self.icon_color}

    def for_hooks(self) -> dict[str, Any]:
        return {**self.forum_topic(), "closed": self.closed, "deleted": self.deleted,
                "messages": [_for_page(message) for message in self.messages]}


def _for_page(message: dict[str, Any]) -> dict[str, Any]:
    sender = message.get("from") or {}
    return {"message_id": message["message_id"], "from": sender, "date": message["date"],
            "text": message.get("text", ""), "is_bot": bool(sender.get("is_bot"))}


class StaffForum:
    """The group's topics and messages, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.chat = {"id": STAFF_GROUP_ID, "title": STAFF_GROUP_TITLE, "type": "supergroup", "is_forum": True}
        self._last_message_id = 0
        self._topics: dict[int, Topic] = {}
        self._general: list[dict[str, Any]] = []

    def member(self, user_id: int) -> dict[str, Any] | None:
        return next((member for member in STAFF_MEMBERS if member["id"] == user_id), None)

    def create(self, name: str, icon_color: int | None, creator: dict[str, Any], date: int) -> Topic:
        with self._lock:
            self._last_message_id += 1
            thread_id = self._last_message_id
            topic = Topic(thread_id, name, icon_color or TOPIC_ICON_COLORS[thread_id % len(TOPIC_ICON_COLORS)])
            created = objects.message(thread_id, creator, self.chat, date, message_thread_id=thread_id,
                                      forum_topic_created=topic.forum_topic(), is_topic_message=True)
            topic.messages.append(created)
            self._topics[thread_id] = topic
            return topic

    def topic(self, thread_id: int) -> Topic:
        """A topic that exists; 400 TOPIC_ID_INVALID otherwise (editForumTopic and the like)."""
        found = self._topics.get(thread_id)
        if found is None or found.deleted:
            raise BotApiError.bad_request("TOPIC_ID_INVALID")
        return found

    def change(self, thread_id: int, *, name: str | None = None, closed: bool | None = None,
               deleted: bool = False) -> Topic:
        """Rename, close, reopen or delete a topic; TOPIC_NOT_MODIFIED when nothing would change."""
        with self._lock:
            topic = self.topic(thread_id)
            if deleted:
                topic.deleted = True
                return topic
            if (name is None or name == topic.name) and (closed is None or closed == topic.closed):
                raise BotApiError.bad_request("TOPIC_NOT_MODIFIED")
            topic.name = name if name is not None else topic.name
            topic.closed = closed if closed is not None else topic.closed
            return topic

    def post(self, thread_id: int | None, sender: dict[str, Any], date: int, text: str,
             then: Callable[[dict[str, Any]], object] | None = None, **fields: Any) -> dict[str, Any]:
        """A message in a topic (or in General without `thread_id`), refused as Telegram refuses it.
        `then(message)` runs before the next message is numbered (a staff member's Update is queued
        so: message ids and update ids rise together)."""
        with self._lock:
            topic = self._topics.get(thread_id) if thread_id is not None else None
            if thread_id is not None and (topic is None or topic.deleted):
                raise BotApiError.bad_request("message thread not found")
            if topic is not None and topic.closed:
                raise BotApiError.bad_request("TOPIC_CLOSED")
            self._last_message_id += 1
            in_topic = {"message_thread_id": thread_id, "is_topic_message": True} if topic is not None else {}
            fields.setdefault("entities", objects.command_entities(text) or None)
            message = objects.message(self._last_message_id, sender, self.chat, date, text=text, **in_topic, **fields)
            (topic.messages if topic is not None else self._general).append(message)
            if then is not None:
                then(message)
            return message

    def topics(self) -> list[Topic]:
        with self._lock:
            return list(self._topics.values())
