"""The staff forum's bookkeeping (teledesk/store/staff.py) and linking a Telegram account
(teledesk/store/agents.py) on the Firestore emulator: claims, leases, topics per group."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator

import pytest

from devtools.runner.emulators import Emulators
from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import NEW_CONVERSATION
from teledesk.model import StaffTopic
from teledesk.store import Store
from teledesk.store import staff as staff_store
from teledesk.store.agents import TelegramTaken
from teledesk.store.staff import Claimed

pytestmark = pytest.mark.integration

PROJECT = "teledesk-test"
GROUP, OTHER_GROUP = -1009000000001, -1009000000002


@pytest.fixture
def store(emulators: Emulators, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    for name, value in emulators.environment.items():
        monkeypatch.setenv(name, value)
    yield Store(PROJECT)


def conversation(store: Store) -> int:
    chat_id = random.randint(100_000_000, 999_999_999)
    customer = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    store.inbound.record(Envelope(id=f"tg-{chat_id}-1", type=MessageType.CLIENT, chat_id=chat_id,
                                  date=int(time.time()), text="hola", customer=customer), NEW_CONVERSATION)
    return chat_id


def test_making_a_topic_is_one_claimer_s_until_it_is_settled(store: Store):
    chat_id = conversation(store)
    assert store.staff.claim_topic(chat_id, "first", GROUP).claimed is Claimed.GO
    assert store.staff.claim_topic(chat_id, "second", GROUP).claimed is Claimed.BUSY
    store.staff.settle_topic(chat_id, StaffTopic(chat_id=GROUP, message_thread_id=7, name="🟢 Ana"))
    claim = store.staff.claim_topic(chat_id, "second", GROUP)
    assert claim.claimed is Claimed.DONE and claim.topic is not None and claim.topic.message_thread_id == 7
    assert store.staff.chat_of(GROUP, 7) == chat_id and store.staff.chat_of(OTHER_GROUP, 7) is None
    assert store.staff.claim_topic(chat_id, "third", GROUP, broken=7).claimed is Claimed.GO  # deleted: made again


def test_a_topic_of_another_group_is_made_anew_in_this_one(store: Store):
    chat_id = conversation(store)
    store.staff.settle_topic(chat_id, StaffTopic(chat_id=OTHER_GROUP, message_thread_id=7, name="🟢 Ana"))
    assert store.staff.claim_topic(chat_id, "holder", GROUP).claimed is Claimed.GO


def test_a_claim_whose_holder_died_is_taken_over_when_its_lease_runs_out(store: Store,
                                                                         monkeypatch: pytest.MonkeyPatch):
    chat_id, item = conversation(store), f"tg-x-{uuid.uuid4().hex}"
    assert store.staff.claim_item(chat_id, item, "died") is Claimed.GO
    assert store.staff.claim_item(chat_id, item, "next") is Claimed.BUSY
    assert store.staff.claim_topic(chat_id, "died", GROUP).claimed is Claimed.GO
    later = time.time() + staff_store.CLAIM_S + 1
    monkeypatch.setattr(staff_store.time, "time", lambda: later)
    assert store.staff.claim_item(chat_id, item, "next") is Claimed.GO
    assert store.staff.claim_topic(chat_id, "next", GROUP).claimed is Claimed.GO
    store.staff.item_sent(chat_id, item, 7, 70)
    assert store.staff.claim_item(chat_id, item, "again") is Claimed.DONE


def test_an_item_given_back_is_claimed_again_at_once(store: Store):
    chat_id, item = conversation(store), f"tg-x-{uuid.uuid4().hex}"
    assert store.staff.claim_item(chat_id, item, "first") is Claimed.GO
    store.staff.release_item(chat_id, item)
    assert store.staff.claim_item(chat_id, item, "second") is Claimed.GO


def test_one_telegram_account_is_one_agent_s(store: Store):
    ana, bob = f"ana{uuid.uuid4().hex[:8]}", f"bob{uuid.uuid4().hex[:8]}"
    telegram_id = random.randint(8_000_000_000, 8_999_999_999)
    for username in (ana, bob):
        assert store.agents.create(username, username, "agent", "x")
    linked = store.agents.link_telegram(ana, telegram_id)
    assert linked is not None and linked.telegram_id == telegram_id
    assert store.agents.link_telegram(ana, telegram_id) is not None  # the same again: fine
    with pytest.raises(TelegramTaken) as taken:
        store.agents.link_telegram(bob, telegram_id)
    assert taken.value.holder == ana
    bob_now = store.agents.get(bob)
    assert bob_now is not None and bob_now.telegram_id is None  # nothing written
    assert store.agents.link_telegram(f"nobody{uuid.uuid4().hex[:8]}", None) is None
