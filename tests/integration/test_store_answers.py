"""`Answers.queue` (teledesk/store/answers.py) on the Firestore emulator: what the outbox is told."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.runner.emulators import Emulators
from realtime.outbox import due
from teledesk.business import CONNECTION_DISABLED, NO_REPLY_RIGHT, WINDOW_CLOSED, conversation_key
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import NEW_CONVERSATION
from teledesk.model import BusinessConnection, Customer
from teledesk.store import Store
from teledesk.store.answers import AnswerRefused, Claim

pytestmark = pytest.mark.integration

PROJECT = "teledesk-test"
LEASE_S = 90.0
SWEEP_S = 10.0


@pytest.fixture
def store(emulators: Emulators, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    for name, value in emulators.environment.items():
        monkeypatch.setenv(name, value)
    yield Store(PROJECT)


def test_an_agents_answer_waits_for_its_publish_and_the_bots_does_not(store: Store):
    """The relay marks an agent's answer published once Pub/Sub has it, so until then the outbox
    hands it over; the bot's answer is published by autoreply's step, whose push Pub/Sub retries
    until that publish succeeds, so the outbox must not hand every queued bot answer over again."""
    chat_id = random.randint(100_000_000, 999_999_999)
    customer = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    store.inbound.record(Envelope(id=f"tg-{chat_id}-1", type=MessageType.CLIENT, chat_id=chat_id,
                                  date=int(time.time()), text="hola", customer=customer), NEW_CONVERSATION)
    later = time.time() + SWEEP_S + 1  # a sweep after the answers have waited in the outbox
    for kind, handed_over in ((MessageType.AGENT, True), (MessageType.BOT, False)):
        answer = Envelope(id=f"{kind.lower()}-{chat_id}", type=kind, chat_id=chat_id, date=int(time.time()),
                          text="respuesta", customer=customer)
        stored, _conversation, created = store.answers.queue(chat_id, answer)
        assert created and stored.outbox_since is not None
        assert due(stored, later, LEASE_S) is handed_over, kind


def test_a_sender_that_outlived_its_lease_releases_nothing_but_its_own_claim(store: Store):
    """The first sender sent part 0 and stalled past its lease; the second took over part 1. The
    first's late release (its part 1 failed) must leave the second's claim, or a third delivery
    would send part 1 again."""
    chat_id = random.randint(100_000_000, 999_999_999)
    customer = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    store.inbound.record(Envelope(id=f"tg-{chat_id}-1", type=MessageType.CLIENT, chat_id=chat_id,
                                  date=int(time.time()), text="hola", customer=customer), NEW_CONVERSATION)
    answer = Envelope(id=f"agent-{chat_id}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
                      text="una respuesta larga", customer=customer)
    store.answers.queue(chat_id, answer)
    assert store.answers.claim_part(chat_id, answer.id, 0, "first", lease_s=0.2).claim is Claim.SEND
    store.answers.record_sent_part(chat_id, answer.id, 0, 501)
    time.sleep(0.3)  # the first sender's lease is over
    assert store.answers.claim_part(chat_id, answer.id, 1, "second", lease_s=LEASE_S).claim is Claim.SEND
    store.answers.release_part(chat_id, answer.id, "first")
    assert store.answers.claim_part(chat_id, answer.id, 1, "third", lease_s=LEASE_S).claim is Claim.BUSY
    store.answers.release_part(chat_id, answer.id, "second")
    assert store.answers.claim_part(chat_id, answer.id, 1, "third", lease_s=LEASE_S).claim is Claim.SEND


def test_the_outbox_is_read_page_after_page_with_nothing_missed_or_repeated(store: Store):
    chat_id = random.randint(100_000_000, 999_999_999)
    customer = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "es"}
    store.inbound.record(Envelope(id=f"tg-{chat_id}-1", type=MessageType.CLIENT, chat_id=chat_id,
                                  date=int(time.time()), text="hola", customer=customer), NEW_CONVERSATION)
    ours = [f"agent-{chat_id}-{n}" for n in range(3)]
    for answer_id in ours:
        store.answers.queue(chat_id, Envelope(id=answer_id, type=MessageType.AGENT, chat_id=chat_id,
                                              date=int(time.time()), text="respuesta", customer=customer))
    seen: list[str] = []
    after: float | None = None
    while page := store.answers.unsettled(time.time() + 1, 2, after):  # the project's other answers too
        seen += [message.id for message in page if message.chat_id == chat_id]
        after = page[-1].outbox_since
    assert seen == ours


@pytest.fixture
def business_chat(store: Store) -> Iterator[tuple[int, str]]:
    """A business chat's conversation (its key, its connection's id): the customer wrote a minute ago."""
    connection_id = f"conn-{uuid.uuid4().hex}"
    chat_id = conversation_key(connection_id, 42)
    envelope = Envelope(id=f"tg-{chat_id}-1", type=MessageType.CLIENT, chat_id=chat_id, date=int(time.time()) - 60,
                        text="hola", customer={"id": 42, "first_name": "Ana"},
                        extra={"business": {"connection_id": connection_id, "chat_id": 42}, "telegram_message_id": 1})
    store.inbound.record(envelope)
    store.business_connections.record(BusinessConnection(
        id=connection_id, user=Customer(id=7000000001, first_name="Acme"), is_enabled=True,
        rights={"can_reply": True}, update_id=1))
    yield chat_id, connection_id


def business_answer(chat_id: int) -> Envelope:
    return Envelope(id=f"agent-{uuid.uuid4().hex}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
                    text="Sí, mañana llega", extra={"agent": {"username": "bob", "name": "Bob"}})


def test_an_answer_in_a_business_chat_carries_the_chat(store: Store, business_chat: tuple[int, str]):
    chat_id, connection_id = business_chat
    stored, conversation, created = store.answers.queue(chat_id, business_answer(chat_id))
    assert created and stored.model_extra["business"] == {"connection_id": connection_id, "chat_id": 42}
    assert conversation.first_response_at is not None
    again = store.messages.get(chat_id, stored.id)
    assert again is not None and again.model_extra["business"] == {"connection_id": connection_id, "chat_id": 42}


@pytest.mark.parametrize(("change", "reason"), [
    ({"is_enabled": False}, CONNECTION_DISABLED),
    ({"rights": {}}, NO_REPLY_RIGHT),
    ({"customer_wrote_at": 1.0}, WINDOW_CLOSED),
], ids=["connection_disabled", "no_reply_right", "window_closed"])
def test_an_answer_telegram_would_refuse_is_refused_in_the_transaction_and_nothing_stored(
        store: Store, business_chat: tuple[int, str], change: dict[str, Any], reason: str):
    chat_id, connection_id = business_chat
    if "customer_wrote_at" in change:
        conversation = store.inbound.documents.conversation(chat_id)
        conversation.update({"business.customer_wrote_at": change["customer_wrote_at"]})
    else:
        stored = store.business_connections.get(connection_id)
        assert stored is not None
        store.business_connections.record(stored.model_copy(update={**change, "update_id": 2}))
    before = store.conversations.get(chat_id)
    answer = business_answer(chat_id)
    with pytest.raises(AnswerRefused) as refused:
        store.answers.queue(chat_id, answer)
    assert refused.value.reason == reason
    assert store.messages.get(chat_id, answer.id) is None and store.conversations.get(chat_id) == before
