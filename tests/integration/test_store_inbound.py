"""`Inbound.record` (teledesk/store/inbound.py) on the Firestore emulator: one optimistic commit per
event, never a lost write.

enrich folds each customer event into its conversation with preconditions instead of a
read-write transaction, and skips the read when this process wrote the conversation last. These
tests hold it to what the transaction guaranteed: a redelivery rewrites nothing, and what anyone
else wrote in between (an agent, another enrich instance) is folded in, not overwritten.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.runner.emulators import Emulators
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import NEW_CONVERSATION
from teledesk.store import Store
from teledesk.telegram.updates import Event

pytestmark = pytest.mark.integration

PROJECT = "teledesk-test"


@pytest.fixture
def stores(emulators: Emulators, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, Store]]:
    """Two stores on the emulator: two processes (enrich instances, or enrich and the relay)."""
    for name, value in emulators.environment.items():
        monkeypatch.setenv(name, value)
    yield Store(PROJECT), Store(PROJECT)


@pytest.fixture
def chat_id() -> int:
    return random.randint(100_000_000, 999_999_999)


def message(chat_id: int, n: int, text: str | None = None, **extra: Any) -> Envelope:
    customer = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    return Envelope(id=f"tg-{chat_id}-{n}", type=MessageType.CLIENT, chat_id=chat_id, date=1_700_000_000 + n,
                    text=text if text is not None else f"message {n}", customer=customer,
                    extra={"telegram_message_id": n, **extra})


class RoundTrips:
    """Counts the store's calls to Firestore by RPC: what a known conversation saves."""

    RPCS = ("begin_transaction", "batch_get_documents", "run_query", "commit", "rollback")

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch):
        self.calls: list[str] = []
        api = store.db._firestore_api  # the GAPIC client every read and write goes through
        for name in self.RPCS:
            monkeypatch.setattr(api, name, self._counting(name, getattr(api, name)))

    def _counting(self, name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return real(*args, **kwargs)

        return call


def test_a_conversation_this_process_wrote_last_takes_one_round_trip(stores, chat_id, monkeypatch):
    store, _ = stores
    store.inbound.record(message(chat_id, 1))
    trips = RoundTrips(store, monkeypatch)
    folded = store.inbound.record(message(chat_id, 2))
    assert trips.calls == ["commit"]
    assert folded.changed and folded.conversation.unread == 2
    assert store.conversations.get(chat_id).to_firestore() == folded.conversation.to_firestore()
    assert [m.text for m in store.messages.history(chat_id)] == ["message 1", "message 2"]


def test_an_unknown_conversation_takes_one_read_and_one_commit(stores, chat_id, monkeypatch):
    store, other = stores
    other.inbound.record(message(chat_id, 1))
    trips = RoundTrips(store, monkeypatch)
    assert store.inbound.record(message(chat_id, 2)).conversation.unread == 2
    assert trips.calls == ["batch_get_documents", "commit"]


def test_a_redelivered_message_rewrites_nothing_even_when_the_conversation_is_known(stores, chat_id):
    store, _ = stores
    first = store.inbound.record(message(chat_id, 1))
    stored = store.messages.get(chat_id, f"tg-{chat_id}-1")
    again = store.inbound.record(message(chat_id, 1, text="a different text, as a bug would send"))
    assert not again.changed
    assert again.message.to_firestore() == stored.to_firestore()
    assert again.conversation.to_firestore() == first.conversation.to_firestore()
    assert store.messages.get(chat_id, f"tg-{chat_id}-1").to_firestore() == stored.to_firestore()
    assert store.conversations.get(chat_id).unread == 1
    # And from a process that never saw the conversation.
    _, other = stores
    assert not other.inbound.record(message(chat_id, 1)).changed
    assert store.conversations.get(chat_id).unread == 1


def test_what_an_agent_wrote_in_between_is_folded_in_not_overwritten(stores, chat_id):
    enrich, relay = stores
    enrich.inbound.record(message(chat_id, 1))
    relay.conversations.update(chat_id, assignee="maria", status="pending")
    relay.conversations.mark_read(chat_id)
    folded = enrich.inbound.record(message(chat_id, 2))  # its copy of the conversation is stale
    stored = enrich.conversations.get(chat_id)
    assert stored.to_firestore() == folded.conversation.to_firestore()
    assert (stored.assignee, stored.status, stored.unread) == ("maria", "open", 1)
    assert stored.last_message.text == "message 2"


def test_a_resolved_conversation_starts_the_next_one_once(stores, chat_id):
    enrich, relay = stores
    enrich.inbound.record(message(chat_id, 1), NEW_CONVERSATION)
    relay.conversations.update(chat_id, status="resolved")
    folded = enrich.inbound.record(message(chat_id, 2), NEW_CONVERSATION)
    assert (folded.conversation.number, folded.conversation.status) == (2, "open")
    assert not enrich.inbound.record(message(chat_id, 2), NEW_CONVERSATION).changed
    assert enrich.conversations.get(chat_id).number == 2
    assert enrich.messages.get(chat_id, f"tg-{chat_id}-2").conversation_number == 2


def test_two_processes_taking_turns_on_one_chat_lose_no_count(stores, chat_id):
    first, second = stores
    for n in range(1, 9):
        (first if n % 3 else second).inbound.record(message(chat_id, n))
    conversation = first.conversations.get(chat_id)
    assert conversation.unread == 8 and conversation.last_message.text == "message 8"
    assert len(first.messages.history(chat_id)) == 8


def test_fields_are_replaced_whole_and_empty_maps_are_kept(stores, chat_id):
    store, _ = stores
    start = message(chat_id, 1, text="/start promo", command={"name": "start", "payload": "promo"})
    start.type = MessageType.COMMAND
    store.inbound.record(start)
    assert store.conversations.get(chat_id).context == {"start": "promo"}
    store.conversations.update(chat_id, status="resolved")
    store.inbound.record(message(chat_id, 2), NEW_CONVERSATION)  # the next conversation: context {}
    assert store.conversations.get(chat_id).context == {}
    customer = {"id": chat_id, "first_name": "Ana", "username": "ana_new"}
    renamed = message(chat_id, 3)
    renamed.customer = customer
    store.inbound.record(renamed)
    assert store.conversations.get(chat_id).customer.username == "ana_new"


def test_an_edit_of_a_known_message_keeps_its_history(stores, chat_id):
    store, _ = stores
    store.inbound.record(message(chat_id, 1, text="first"))
    edit = message(chat_id, 1, text="second", event=Event.EDIT, revision=1_700_000_100)
    folded = store.inbound.record(edit)
    assert folded.changed
    stored = store.messages.get(chat_id, f"tg-{chat_id}-1")
    assert stored.text == "second" and [h.text for h in stored.edit_history] == ["first"]
    assert not store.inbound.record(edit).changed


def test_a_reaction_finds_its_message_by_telegram_id(stores, chat_id):
    store, _ = stores
    store.inbound.record(message(chat_id, 5))
    reaction = message(chat_id, 90, text="", event=Event.REACTION, reaction={"telegram_message_id": 5,
                                                                              "emojis": ["👍"]})
    reaction.id = f"tg-update-{chat_id}"
    assert store.inbound.record(reaction).changed
    assert store.messages.get(chat_id, f"tg-{chat_id}-5").reactions == {"customer": ["👍"]}
    assert not store.inbound.record(reaction).changed


def test_documents_a_merge_write_made_read_and_one_that_cannot_be_read_leaves_the_list_whole(stores, chat_id,
                                                                                              caplog):
    store, _ = stores
    store.inbound.record(message(chat_id, 1))
    ghost_chat = chat_id + 1  # a merge write on a conversation that was never stored: no chat_id field
    store.conversations.flag_blocked(ghost_chat, True)
    store.answers.set_delivery(chat_id, "agent-never-stored", "failed", "lost")  # no id, type or date
    assert store.conversations.get(ghost_chat).chat_id == ghost_chat
    assert store.messages.get(chat_id, "agent-never-stored").id == "agent-never-stored"
    unreadable = chat_id + 2
    store.db.collection("conversations").document(str(unreadable)).set(
        {"chat_id": unreadable, "status": "snoozed", "updated_at": time.time() + 1})  # the newest
    listed = [c.chat_id for c in store.conversations.latest()]
    assert unreadable not in listed and chat_id in listed and ghost_chat in listed
    assert f"conversations/{unreadable}" in caplog.text


def test_is_desk_answer_finds_an_answers_telegram_ids_and_nothing_else(stores: tuple[Store, Store], chat_id: int):
    store, _ = stores
    store.inbound.record(message(chat_id, 1))
    messages = store.inbound.documents.messages(chat_id)
    messages.document("agent-a").set({"id": "agent-a", "direction": "out", "text": "Hola",
                                      "delivery": {"state": "sent", "telegram_message_id": 5,
                                                   "telegram_message_ids": [5, 6]}})
    assert [store.inbound.is_desk_answer(chat_id, n) for n in (5, 6, 1, 7)] == [True, True, False, False]
