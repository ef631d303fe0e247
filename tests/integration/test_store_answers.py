"""`Answers.queue` (teledesk/store/answers.py) on the Firestore emulator: what the outbox is told."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest

from devtools.runner.emulators import Emulators
from realtime.outbox import due
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import NEW_CONVERSATION
from teledesk.store import Store
from teledesk.store.answers import Claim

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
