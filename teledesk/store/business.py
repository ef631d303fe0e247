"""Business connections (`business_connections/{id}`): what each business account granted the bot.

Telegram sends a connection's whole state on every change (`business_connection`), so the newest
update wins: an older one (a retry, or one republished after newer ones) changes nothing.
"""

from __future__ import annotations

from google.cloud import firestore

from teledesk.model import BusinessConnection
from teledesk.store.documents import read, read_each

BUSINESS_CONNECTIONS = "business_connections"


class BusinessConnections:
    def __init__(self, db: firestore.Client) -> None:
        self.db = db

    def _ref(self, connection_id: str) -> firestore.DocumentReference:
        return self.db.collection(BUSINESS_CONNECTIONS).document(connection_id)

    def get(self, connection_id: str, transaction: firestore.Transaction | None = None) -> BusinessConnection | None:
        return read(BusinessConnection, self._ref(connection_id).get(transaction=transaction))

    def all(self) -> list[BusinessConnection]:
        return read_each(BusinessConnection, self.db.collection(BUSINESS_CONNECTIONS).stream())

    def record(self, connection: BusinessConnection) -> tuple[BusinessConnection, bool]:
        """Keep `connection` unless a newer update's state is stored; (what is stored, whether it changed)."""
        ref = self._ref(connection.id)

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> tuple[BusinessConnection, bool]:
            stored = read(BusinessConnection, ref.get(transaction=transaction))
            if stored is not None and stored.update_id >= connection.update_id:
                return stored, False
            transaction.set(ref, connection.complete().to_firestore())
            return connection, True

        return write(self.db.transaction())  # type: ignore[no-any-return]
