"""What a flush reads of the conversations themselves: how many are in each status now, and
which were resolved lately (each resolution is then counted once through its marker)."""

from __future__ import annotations

from typing import cast

from google.cloud import firestore
from google.cloud.firestore_v1.aggregation import AggregationQuery
from google.cloud.firestore_v1.base_aggregation import AggregationResult

from teledesk.metrics.catalog import CONVERSATIONS
from teledesk.metrics.series import Series
from teledesk.model import Conversation, ConversationStatus
from teledesk.store.documents import CONVERSATIONS as CONVERSATIONS_COLLECTION
from teledesk.store.documents import read_each


def conversation_counts(db: firestore.Client) -> dict[ConversationStatus, int]:
    """Conversations per status now, by Firestore's count aggregation (no document is read)."""
    conversations = db.collection(CONVERSATIONS_COLLECTION)
    counts: dict[ConversationStatus, int] = {}
    for status in ConversationStatus:
        # The library annotates count() as returning a class and get() a flat list: both are not so.
        in_status = conversations.where(filter=firestore.FieldFilter("status", "==", status))
        query = cast(AggregationQuery, in_status.count())
        results = cast(list[list[AggregationResult]], query.get())
        counts[status] = sum(int(result.value) for row in results for result in row)
    return counts


def conversation_gauges(counts: dict[ConversationStatus, int]) -> list[Series]:
    return [Series(CONVERSATIONS, {"status": status.value}, n) for status, n in counts.items()]


def resolved_since(db: firestore.Client, since: float) -> list[Conversation]:
    """Conversations whose last resolution is at or after `since` (epoch seconds)."""
    query = db.collection(CONVERSATIONS_COLLECTION).where(
        filter=firestore.FieldFilter("last_resolution.resolved_at", ">=", since))
    return read_each(Conversation, query.stream())
