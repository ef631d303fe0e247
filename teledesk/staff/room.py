"""The staff forum: each conversation's topic, made once, and what is sent into it.

A conversation's topic is made on its first mirrored item, named by `lines.topic_name`, and
claimed first (teledesk.store.staff), so two deliveries make one. A send Telegram refuses because
the topic is gone (an admin deleted it: "message thread not found") or closed ("TOPIC_CLOSED")
makes a new topic, posts a short summary of the conversation there, then the item: nothing is
lost, and the conversation's `staff_topic` is the new one.

Every call into the group goes through the process's one `TelegramClient`, paced with the
group's limit (`MESSAGES_PER_MINUTE_PER_GROUP`, a burst of as many, then one every few seconds).
An item waits for the group's turn before it is claimed, so a burst queues without holding
claims whose lease (60 s) would run out while they wait.
A send whose answer never came may have reached the topic: it is tried again, so a mirror line
may then repeat (a staff topic is not the customer's chat: a repeat there is the lesser harm).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from teledesk.model import Conversation, StaffTopic
from teledesk.staff import lines
from teledesk.staff.mirror import MirrorItem
from teledesk.store import Store
from teledesk.store.staff import Claimed
from teledesk.telegram.client import Refused, TelegramClient, TransientTelegramError

GONE = ("thread not found", "topic_closed", "topic_deleted", "topic_id_invalid")  # Telegram's words, lowercased

log = logging.getLogger("teledesk.staff")


class TryLater(RuntimeError):
    """Another delivery is making the topic or sending the item: Pub/Sub brings this one back."""


def topic_gone(refused: Refused) -> bool:
    reason = refused.reason.lower()
    return any(words in reason for words in GONE)


@dataclass
class StaffRoom:
    """The staff forum `chat_id`, through `client`, with its bookkeeping in `store`."""

    chat_id: int
    client: TelegramClient
    store: Store

    def mirror(self, item: MirrorItem) -> bool:
        """Send one item into its conversation's topic once; False when it was sent before, or
        there is no such conversation. A change renames the topic to show the status."""
        item_id, chat_id, holder = item.id, item.chat_id, uuid.uuid4().hex
        if self.client.pacer is not None:  # the group's turn first: a claim's lease never runs out in the queue
            self.client.pacer.wait_for_turn(self.chat_id)
        claimed = self.store.staff.claim_item(chat_id, item_id, holder)
        if claimed is Claimed.DONE:
            if item.renames:  # sent, but its rename may have failed: a rename that is done already is a no-op
                self.rename(chat_id)
            return False
        if claimed is Claimed.BUSY:
            raise TryLater(f"item {item_id} of {chat_id} is being sent")
        try:
            sent = self.send(chat_id, item.text, holder, item_id=item_id, reply_to=item.reply_to)
        except (TransientTelegramError, TryLater):
            self.store.staff.release_item(chat_id, item_id)
            raise
        except Refused as refused:  # the bot is no admin of the group, or some such: an operator's to fix
            log.error("staff forum refused item %s of conversation %s: %s", item_id, chat_id, refused.reason)
            self.store.staff.release_item(chat_id, item_id)
            return False
        if sent is None:
            return False
        topic, message_id = sent
        self.store.staff.item_sent(chat_id, item_id, topic.message_thread_id, message_id)
        if item.renames:  # a transient error here brings the item back: sent, it is only renamed then
            self.rename(chat_id, topic)
        return True

    def send(self, chat_id: int, text: str, holder: str, *, item_id: str | None = None,
             reply_to: int | None = None) -> tuple[StaffTopic, int] | None:
        """Into the conversation's topic (made, or made again, as needed); (the topic, the message
        id), None when there is no such conversation. A new topic's summary leaves out `item_id`,
        which follows it."""
        topic = self.topic(chat_id, holder)
        if topic is None:
            return None
        try:
            return topic, self.client.send_to_topic(self.chat_id, topic.message_thread_id, text, reply_to)
        except Refused as refused:
            if not topic_gone(refused):
                raise
            log.info("staff topic %s of conversation %s is gone (%s): making another",
                     topic.message_thread_id, chat_id, refused.reason)
        topic = self.topic(chat_id, holder, broken=topic.message_thread_id, leaving_out=item_id)
        if topic is None:
            return None
        return topic, self.client.send_to_topic(self.chat_id, topic.message_thread_id, text)

    def topic(self, chat_id: int, holder: str, broken: int | None = None,
              leaving_out: str | None = None) -> StaffTopic | None:
        """The conversation's topic: the one it has, else a new one (with a summary first when it
        replaces `broken`). None when there is no such conversation."""
        claim = self.store.staff.claim_topic(chat_id, holder, self.chat_id, broken)
        if claim.claimed is Claimed.MISSING:
            return None
        if claim.claimed is Claimed.BUSY:
            raise TryLater(f"the topic of {chat_id} is being made")
        if claim.claimed is Claimed.DONE:
            return claim.topic
        assert claim.conversation is not None
        name = lines.topic_name(claim.conversation)
        try:
            thread_id = self.client.create_forum_topic(self.chat_id, name)
        except (TransientTelegramError, Refused):
            self.store.staff.release_topic(chat_id)  # the next delivery tries at once
            raise
        topic = StaffTopic(chat_id=self.chat_id, message_thread_id=thread_id, name=name, created_at=time.time())
        self.store.staff.settle_topic(chat_id, topic)  # before anything else can fail: one topic made, one kept
        if broken is not None:
            self._summarise(claim.conversation, topic, leaving_out)
        return topic

    def _summarise(self, conversation: Conversation, topic: StaffTopic, leaving_out: str | None) -> None:
        """A topic made again starts with the conversation's last few messages. Best effort: the
        messages are in the console whatever happens, and the item that follows is what matters."""
        recent = self.store.messages.history(conversation.chat_id, limit=lines.SUMMARY_MESSAGES + 1)
        history = [m for m in recent if m.id != leaving_out][-lines.SUMMARY_MESSAGES:]
        try:
            self.client.send_to_topic(self.chat_id, topic.message_thread_id, lines.summary(conversation, history))
        except (TransientTelegramError, Refused) as exc:
            log.warning("staff topic %s: no summary (%s)", topic.message_thread_id, exc)

    def rename(self, chat_id: int, topic: StaffTopic | None = None) -> None:
        """The topic's name (`topic`, else the conversation's own in this group) shows the
        conversation's status as it is now (changes may come in any order); nothing to do when it
        does already. Refused: a topic gone is made again, with the right name, by the next send.
        A transient error is raised, for Pub/Sub to bring the item back."""
        conversation = self.store.conversations.get(chat_id)
        if conversation is None:
            return
        topic = topic or conversation.staff_topic
        if topic is None or topic.chat_id != self.chat_id:
            return
        name = lines.topic_name(conversation)
        if name == topic.name:
            return
        try:
            self.client.rename_forum_topic(self.chat_id, topic.message_thread_id, name)
        except Refused as refused:
            log.info("staff topic %s not renamed: %s", topic.message_thread_id, refused.reason)
            return
        self.store.staff.rename_topic(chat_id, name)
