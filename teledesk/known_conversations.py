"""What a process remembers of the conversations it wrote, for the optimistic commits of
`Inbound.record` (teledesk/store/inbound.py), and the field updates those commits write."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from google.cloud.firestore_v1.field_path import FieldPath

from teledesk.model import Conversation
from teledesk.open_data import Fields

KNOWN_CONVERSATIONS = 10_000  # conversations a process remembers as it last wrote them


class KnownConversations:
    """The conversations this process last wrote, each with the update time its commit gave it.

    A conversation's next inbound message is folded into this copy and committed on the
    condition that the stored document still has that update time, so the common case costs one
    round trip (the commit) instead of a transaction's four. If anyone else wrote in between, the
    commit fails and the conversation is read afresh. Bounded; least recently used goes first.
    """

    def __init__(self, size: int = KNOWN_CONVERSATIONS):
        self.size = size
        self._entries: OrderedDict[int, tuple[Conversation, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, chat_id: int) -> tuple[Conversation, Any] | None:
        with self._lock:
            entry = self._entries.get(chat_id)
            if entry is None:
                return None
            self._entries.move_to_end(chat_id)
            return entry[0].model_copy(deep=True), entry[1]

    def put(self, chat_id: int, conversation: Conversation, update_time: Any) -> None:
        with self._lock:
            self._entries[chat_id] = (conversation.model_copy(deep=True), update_time)
            self._entries.move_to_end(chat_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, chat_id: int) -> None:
        with self._lock:
            self._entries.pop(chat_id, None)


def changed_fields(before: Fields, after: Fields) -> Fields:
    """The top-level fields of `after` that differ from `before`, as `update()` field paths, each
    replaced whole. Folding never removes a field, so with `before`'s update time as precondition
    this writes exactly `after`. Never empty: the write must carry the precondition even when the
    document stays as it was (one unchanged field is written again)."""
    changed = {key: value for key, value in after.items() if key not in before or before[key] != value}
    if not changed:
        key = next(iter(after))
        changed = {key: after[key]}
    return {FieldPath(key).to_api_repr(): value for key, value in changed.items()}
