"""The staff forum's bookkeeping: which topic is a conversation's, and what was mirrored into it.

- `conversations/{key}.staff_topic`: the conversation's live topic (`StaffTopic`);
  `staff_topics/{group}_{message_thread_id}` = {"chat_id": key, "group": group}: whose topic a
  staff member wrote in (thread ids are the group's own: the group is part of the key).
- `conversations/{key}/staff_mirror/topic`: a claim on making the conversation's topic (its first,
  or one replacing a topic an admin deleted or closed), so two deliveries make one topic.
- `conversations/{key}/staff_mirror/{item id}`: one record per mirrored item (a customer's message,
  an answer, a note, a change), claimed before it is sent and marked sent after, so an item
  delivered twice is sent once; a staff member's command is recorded so too, and done once.

A claim is a lease: a holder that died leaves it to expire, and the next delivery takes it over
(the item may then reach the topic twice: the one case where a mirror line repeats).
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import cast

from google.cloud import firestore

from teledesk.model import Conversation, StaffTopic
from teledesk.store.documents import Documents, read

STAFF_TOPICS = "staff_topics"
STAFF_MIRROR = "staff_mirror"
TOPIC_CLAIM = "topic"  # the record of `staff_mirror` that claims making the topic (no item is so named)
CLAIM_S = 60.0  # how long a claim holds: longer than one Bot API call with its inline waits


class Claimed(enum.Enum):
    """What a claim on an item (or on making a topic) tells its caller to do."""

    GO = "go"  # yours: do it now, then say it is done
    DONE = "done"  # done already (an item sent; a topic there to use)
    BUSY = "busy"  # another delivery holds it: try again later
    MISSING = "missing"  # no such conversation


@dataclass(frozen=True)
class TopicClaim:
    claimed: Claimed
    topic: StaffTopic | None = None  # the topic to use (DONE)
    conversation: Conversation | None = None


class StaffTopics:
    def __init__(self, documents: Documents) -> None:
        self.documents, self.db = documents, documents.db

    def _mirror(self, chat_id: int) -> firestore.CollectionReference:
        return cast(firestore.CollectionReference, self.documents.conversation(chat_id).collection(STAFF_MIRROR))

    def _topic_ref(self, group: int, message_thread_id: int) -> firestore.DocumentReference:
        return self.db.collection(STAFF_TOPICS).document(f"{group}_{message_thread_id}")

    def chat_of(self, group: int, message_thread_id: int) -> int | None:
        """The conversation whose topic this is in the staff forum `group` (None: not a conversation's topic)."""
        snapshot = self._topic_ref(group, message_thread_id).get()
        chat_id = (snapshot.to_dict() or {}).get("chat_id") if snapshot.exists else None
        return int(chat_id) if isinstance(chat_id, int) else None

    def claim_topic(self, chat_id: int, holder: str, group: int, broken: int | None = None) -> TopicClaim:
        """The conversation's topic in the staff forum `group` to use, or the claim to make one: it
        has none there yet (none, or one of another group), or its topic is `broken` (deleted or
        closed) and nobody replaced it yet."""
        conversation_ref = self.documents.conversation(chat_id)
        claim_ref = self._mirror(chat_id).document(TOPIC_CLAIM)

        @firestore.transactional
        def claim(transaction: firestore.Transaction) -> TopicClaim:
            conversation = read(Conversation, conversation_ref.get(transaction=transaction))
            if conversation is None:
                return TopicClaim(Claimed.MISSING)
            topic = conversation.staff_topic
            if topic is not None and topic.chat_id == group and topic.message_thread_id != broken:
                return TopicClaim(Claimed.DONE, topic, conversation)
            if not _free(claim_ref.get(transaction=transaction), holder):
                return TopicClaim(Claimed.BUSY, None, conversation)
            transaction.set(claim_ref, {"holder": holder, "until": time.time() + CLAIM_S})
            return TopicClaim(Claimed.GO, None, conversation)

        return claim(self.db.transaction())  # type: ignore[no-any-return]

    def settle_topic(self, chat_id: int, topic: StaffTopic) -> None:
        """The topic made (in its group, `topic.chat_id`): the conversation's from now on, and known
        by its group and thread id. (The list's order is not the staff forum's business:
        `updated_at` is left alone.)"""
        if topic.chat_id is None:
            raise ValueError("a staff topic is settled with its group")
        batch = self.db.batch()
        batch.update(self.documents.conversation(chat_id), {"staff_topic": topic.complete().to_firestore()})
        batch.set(self._topic_ref(topic.chat_id, topic.message_thread_id), {"chat_id": chat_id, "group": topic.chat_id})
        batch.delete(self._mirror(chat_id).document(TOPIC_CLAIM))
        batch.commit()

    def release_topic(self, chat_id: int) -> None:
        """Give the claim on making the topic back (making it failed for now)."""
        self._mirror(chat_id).document(TOPIC_CLAIM).delete()

    def rename_topic(self, chat_id: int, name: str) -> None:
        self.documents.conversation(chat_id).update({"staff_topic.name": name})

    def claim_item(self, chat_id: int, item_id: str, holder: str) -> Claimed:
        """Claim sending one mirror item: GO, DONE (sent before) or BUSY (another delivery sends it)."""
        ref = self._mirror(chat_id).document(item_id)

        @firestore.transactional
        def claim(transaction: firestore.Transaction) -> Claimed:
            snapshot = ref.get(transaction=transaction)
            if snapshot.exists and (snapshot.to_dict() or {}).get("sent_at"):
                return Claimed.DONE
            if not _free(snapshot, holder):
                return Claimed.BUSY
            transaction.set(ref, {"holder": holder, "until": time.time() + CLAIM_S})
            return Claimed.GO

        return claim(self.db.transaction())  # type: ignore[no-any-return]

    def item_sent(self, chat_id: int, item_id: str, message_thread_id: int | None = None,
                  telegram_message_id: int | None = None) -> None:
        """The item is done: sent as `telegram_message_id` in the topic (or, for a staff command, carried out)."""
        self._mirror(chat_id).document(item_id).set(
            {"sent_at": time.time(), "message_thread_id": message_thread_id,
             "telegram_message_id": telegram_message_id}, merge=True)

    def release_item(self, chat_id: int, item_id: str) -> None:
        """Give a claim back (the send failed for now): the next delivery takes it at once."""
        self._mirror(chat_id).document(item_id).set({"until": 0.0}, merge=True)


def _free(snapshot: firestore.DocumentSnapshot, holder: str) -> bool:  # type: ignore[type-arg]
    """A claim nobody else holds: none, this holder's, or one whose lease ran out."""
    if not snapshot.exists:
        return True
    data = snapshot.to_dict() or {}
    return data.get("holder") == holder or float(data.get("until") or 0.0) <= time.time()
