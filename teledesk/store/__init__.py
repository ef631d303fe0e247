"""Conversation state in Firestore: one repository a concern, over the typed model (teledesk.model).

Hot documents are not fought over: one chat's messages arrive one at a time (ordering keys),
idempotent inserts use `create()`, and transactions are kept to where a read decides a write.
"""

from __future__ import annotations

from google.cloud import firestore

from teledesk.store.agents import SESSION_EPOCH, Agents
from teledesk.store.answers import Answers
from teledesk.store.business import BusinessConnections
from teledesk.store.canned import CannedResponses
from teledesk.store.conversations import Conversations
from teledesk.store.documents import Documents
from teledesk.store.inbound import Inbound
from teledesk.store.messages import Messages
from teledesk.store.sessions import Sessions
from teledesk.store.staff import StaffTopics
from teledesk.store.updates import Stats, UpdateLog

__all__ = ["SESSION_EPOCH", "Store"]


class Store:
    """Every repository of the desk, over one Firestore client (one per process)."""

    def __init__(self, project_id: str, client: firestore.Client | None = None) -> None:
        self.db = client or firestore.Client(project=project_id)
        documents = Documents(self.db)
        self.updates = UpdateLog(self.db)
        self.stats = Stats(self.db)
        self.inbound = Inbound(documents, self.stats)
        self.conversations = Conversations(documents)
        self.messages = Messages(documents)
        self.business_connections = BusinessConnections(self.db)
        self.answers = Answers(documents, self.business_connections)
        self.agents = Agents(documents)
        self.sessions = Sessions(self.db)
        self.canned = CannedResponses(self.db)
        self.staff = StaffTopics(documents)
