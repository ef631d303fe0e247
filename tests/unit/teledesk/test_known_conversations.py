"""The store's memory of the conversations it wrote, and the field updates of its optimistic commits."""

from __future__ import annotations

import copy

import pytest
from google.api_core import exceptions as gexc

from teledesk.envelope import Envelope, MessageType
from teledesk.known_conversations import KnownConversations, changed_fields
from teledesk.model import Conversation
from teledesk.store import Store
from teledesk.store import inbound as inbound_module


def test_a_known_conversation_is_handed_out_as_a_copy():
    known = KnownConversations()
    as_written = {"chat_id": 7, "unread": 1, "customer": {"first_name": "Ana"}, "tags": ["a"]}
    written = Conversation.from_firestore(copy.deepcopy(as_written))
    known.put(7, written, "t1")
    written.customer.first_name = "changed after the write"
    conversation, update_time = known.get(7)
    assert (conversation.to_firestore(), update_time) == (as_written, "t1")
    conversation.customer.first_name = "changed by a caller"
    conversation.tags.append("b")
    assert known.get(7)[0].to_firestore() == as_written


def test_known_conversations_are_bounded_and_forget_the_least_recently_used():
    known = KnownConversations(size=2)
    known.put(1, Conversation(chat_id=1), "t1")
    known.put(2, Conversation(chat_id=2), "t2")
    assert known.get(1) is not None  # 1 is now the most recently used
    known.put(3, Conversation(chat_id=3), "t3")
    assert known.get(2) is None and known.get(1) is not None and known.get(3) is not None
    known.forget(1)
    assert known.get(1) is None


def test_only_changed_fields_are_written_each_replaced_whole():
    before = {"unread": 1, "status": "open", "customer": {"first_name": "Ana", "username": "ana"}}
    after = {**before, "unread": 2, "customer": {"first_name": "Ana"}, "last_message": {"text": "hola"}}
    assert changed_fields(before, after) == {"unread": 2, "customer": {"first_name": "Ana"},
                                       "last_message": {"text": "hola"}}


def test_a_write_that_changes_nothing_still_carries_a_field_for_its_precondition():
    before = {"unread": 1, "status": "open"}
    assert changed_fields(before, dict(before)) == {"unread": 1}


def test_field_names_that_are_not_plain_identifiers_are_quoted():
    assert changed_fields({}, {"a.b": 1, "plain": 2}) == {"`a.b`": 1, "plain": 2}


def test_a_conversation_that_keeps_changing_gives_up_after_a_bounded_number_of_tries(monkeypatch):
    """Each conflict forgets the cached copy and reads afresh; the last conflict is kept as the cause,
    and the push is answered with an error so Pub/Sub retries it later."""
    store = Store("p", client=object())  # type: ignore[arg-type]
    monkeypatch.setattr(inbound_module, "INBOUND_BACKOFF_S", 0)
    tries: list[bool] = []

    def always_conflicting(envelope, policy, sla_s, trust_known):
        tries.append(trust_known)
        store.inbound.known.put(envelope.chat_id, Conversation(chat_id=7, unread=1), "t")  # as a read would
        raise gexc.FailedPrecondition("the conversation changed since it was read")

    monkeypatch.setattr(store.inbound, "_fold", always_conflicting)
    envelope = Envelope(id="tg-7-1", type=MessageType.CLIENT, chat_id=7, date=1, text="hola")
    with pytest.raises(gexc.Aborted) as raised:
        store.inbound.record(envelope)
    assert tries == [True] + [False] * (inbound_module.INBOUND_ATTEMPTS - 1)
    assert isinstance(raised.value.__cause__, gexc.FailedPrecondition)
    assert store.inbound.known.get(7) is None
