"""The team: agents, their roles, passwords and whether their sessions still hold."""

from __future__ import annotations

import time

from google.api_core import exceptions as gexc
from google.cloud import firestore

from teledesk.model import Agent, Role
from teledesk.open_data import Fields
from teledesk.store.documents import AGENTS, Documents, read, read_each

SESSION_EPOCH = "session_epoch"  # an agent's sessions signed under an older epoch are over


class TelegramTaken(ValueError):
    """The Telegram account is linked to another agent (`holder`)."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"that Telegram account is linked to {holder!r}")
        self.holder = holder


class Agents:
    def __init__(self, documents: Documents) -> None:
        self.documents, self.db = documents, documents.db

    def get(self, username: str) -> Agent | None:
        return read(Agent, self.documents.agent(username).get())

    def all(self) -> list[Agent]:
        """Every agent, by username: a support team is small enough to list whole."""
        return read_each(Agent, self.db.collection(AGENTS).order_by("username").stream())

    def by_telegram_id(self, telegram_id: int) -> Agent | None:
        """The agent whose Telegram account this is (linked on the team page), if any."""
        found = read_each(Agent, self.db.collection(AGENTS).where(
            filter=firestore.FieldFilter("telegram_id", "==", telegram_id)).limit(1).stream())
        return found[0] if found else None

    def create(self, username: str, name: str, role: Role | str, password_hash: str) -> bool:
        agent = Agent(username=username, name=name, role=role, password_hash=password_hash, disabled=False,
                      created_at=time.time())
        try:
            self.documents.agent(username).create(agent.to_firestore())
        except gexc.AlreadyExists:
            return False
        return True

    def set_password(self, username: str, password_hash: str) -> None:
        """A new password also ends the agent's sessions (a new session epoch)."""
        self.documents.agent(username).update({"password_hash": password_hash, SESSION_EPOCH: firestore.Increment(1)})

    def set_disabled(self, username: str, disabled: bool) -> Agent | None:
        """Disable or enable an agent; their new state, or None if there is no such agent.

        Disabling starts a new session epoch, so enabling the agent again does not bring back the
        sessions they had: they sign in again."""
        ref = self.documents.agent(username)
        changes: Fields = {"disabled": disabled}
        if disabled:
            changes[SESSION_EPOCH] = firestore.Increment(1)
        try:
            ref.update(changes)  # fails on a missing document: no read needed first
        except gexc.NotFound:
            return None
        return read(Agent, ref.get())

    def link_telegram(self, username: str, telegram_id: int | None) -> Agent | None:
        """Set (or, with None, clear) the agent's Telegram account; their new state, None if no such
        agent. One account is one agent's: `TelegramTaken` when another agent has it, checked and
        written in one transaction (two admins linking one account to two agents: one wins)."""
        ref = self.documents.agent(username)
        holders = self.db.collection(AGENTS).where(filter=firestore.FieldFilter("telegram_id", "==", telegram_id))

        @firestore.transactional
        def link(transaction: firestore.Transaction) -> Agent | None:
            taken = [] if telegram_id is None else [s.id for s in transaction.get(holders) if s.id != username]
            agent = read(Agent, ref.get(transaction=transaction))
            if taken:
                raise TelegramTaken(taken[0])
            if agent is None:
                return None
            transaction.update(ref, {"telegram_id": telegram_id})
            agent.telegram_id = telegram_id
            return agent

        return link(self.db.transaction())  # type: ignore[no-any-return]
