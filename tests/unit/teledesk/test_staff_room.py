"""teledesk.staff.room: a conversation's topic made once and made again when gone; each item sent once."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from teledesk.envelope import Envelope
from teledesk.model import Conversation, Direction, Message, MessageType, StaffTopic
from teledesk.settings import Settings
from teledesk.staff.commands import ONLY_TEXT, USAGE, handle
from teledesk.staff.mirror import MirrorItem, mirror_item
from teledesk.staff.room import StaffRoom, TryLater
from teledesk.store.answers import AnswerRefused
from teledesk.store.staff import Claimed, TopicClaim
from teledesk.telegram.client import Refused, TransientTelegramError

GROUP, CHAT = -1009000000001, 4242


@dataclass
class FakeStaffStore:
    """`store.staff`, `store.messages.history` and `store.conversations.get` over dicts."""

    conversation: Conversation = field(default_factory=lambda: Conversation.model_validate(
        {"chat_id": CHAT, "customer": {"first_name": "Ana"}}))
    items: dict[str, str] = field(default_factory=dict)  # item id → "claimed" | "sent"
    busy: bool = False
    history: list[Message] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # topic claims given back

    def __post_init__(self) -> None:
        self.staff = SimpleNamespace(claim_item=self.claim_item, item_sent=self.item_sent,
                                     release_item=lambda chat_id, item_id: self.items.pop(item_id, None),
                                     claim_topic=self.claim_topic, settle_topic=self.settle_topic,
                                     release_topic=lambda chat_id: self.released.append(chat_id),
                                     chat_of=lambda group, thread_id: CHAT if group == GROUP else None,
                                     rename_topic=self.rename_topic)
        self.messages = SimpleNamespace(history=lambda chat_id, limit: self.history[-limit:])
        self.conversations = SimpleNamespace(get=lambda chat_id: self.conversation)
        self.agents = SimpleNamespace(by_telegram_id=lambda telegram_id: None)  # nobody linked

    def claim_item(self, chat_id: int, item_id: str, holder: str) -> Claimed:
        if self.busy:
            return Claimed.BUSY
        if self.items.get(item_id) == "sent":
            return Claimed.DONE
        if self.items.get(item_id) == "claimed":
            return Claimed.BUSY  # held by a delivery that neither finished nor gave it back (within its lease)
        self.items[item_id] = "claimed"
        return Claimed.GO

    def item_sent(self, chat_id: int, item_id: str, *where: Any) -> None:
        self.items[item_id] = "sent"

    def claim_topic(self, chat_id: int, holder: str, group: int, broken: int | None = None) -> TopicClaim:
        topic = self.conversation.staff_topic
        if topic is not None and topic.chat_id == group and topic.message_thread_id != broken:
            return TopicClaim(Claimed.DONE, topic, self.conversation)
        return TopicClaim(Claimed.GO, None, self.conversation)

    def settle_topic(self, chat_id: int, topic: StaffTopic) -> None:
        self.conversation.staff_topic = topic

    def rename_topic(self, chat_id: int, name: str) -> None:
        assert self.conversation.staff_topic is not None
        self.conversation.staff_topic.name = name


@dataclass
class FakeClient:
    """The staff forum's three calls; `refusals` are raised, in order, by the next sends
    (`topic_refusals` by the next topics made)."""

    refusals: list[Exception] = field(default_factory=list)
    topic_refusals: list[Exception] = field(default_factory=list)
    rename_refusals: list[Exception] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    sent: list[tuple[int, str]] = field(default_factory=list)
    pacer: Any = None

    def bot_username(self) -> str:
        return "Teledesk_Bot"

    def create_forum_topic(self, chat_id: int, name: str) -> int:
        if self.topic_refusals:
            raise self.topic_refusals.pop(0)
        self.topics.append(name)
        return 100 + len(self.topics)

    def send_to_topic(self, chat_id: int, thread_id: int, text: str, reply_to: int | None = None) -> int:
        if self.refusals:
            raise self.refusals.pop(0)
        self.sent.append((thread_id, text))
        return len(self.sent)

    def rename_forum_topic(self, chat_id: int, thread_id: int, name: str) -> None:
        if self.rename_refusals:
            raise self.rename_refusals.pop(0)
        self.topics.append(f"renamed {thread_id}: {name}")


def room(client: FakeClient, store: FakeStaffStore) -> StaffRoom:
    return StaffRoom(GROUP, client, store)  # type: ignore[arg-type]


ITEM = MirrorItem(f"tg-{CHAT}-7", CHAT, "👤 Ana: hola")


def test_the_first_item_makes_the_topic_and_an_item_is_sent_once():
    client, store = FakeClient(), FakeStaffStore()
    assert room(client, store).mirror(ITEM) is True
    assert client.topics == ["🟢 Ana"] and client.sent == [(101, "👤 Ana: hola")]
    assert room(client, store).mirror(ITEM) is False  # delivered again: nothing sent
    assert client.sent == [(101, "👤 Ana: hola")] and store.items == {ITEM.id: "sent"}


@pytest.mark.parametrize("gone", ["message thread not found", "TOPIC_CLOSED"])
def test_a_topic_gone_is_made_again_with_a_summary_then_the_item(gone: str):
    earlier = Message(id="tg-1", type=MessageType.CLIENT, text="primero", direction=Direction.IN)
    client, store = FakeClient(refusals=[Refused(gone)]), FakeStaffStore(history=[earlier, Message(
        id=ITEM.id, type=MessageType.CLIENT, text="hola", direction=Direction.IN)])
    store.conversation.staff_topic = StaffTopic(chat_id=GROUP, message_thread_id=7, name="🟢 Ana")
    assert room(client, store).mirror(ITEM) is True
    (summary_thread, summary), item = client.sent
    assert summary_thread == 101 and summary.splitlines()[1:] == ["👤 Ana: primero"]  # the item itself follows
    assert item == (101, "👤 Ana: hola")
    assert store.conversation.staff_topic is not None and store.conversation.staff_topic.message_thread_id == 101


def test_a_transient_error_gives_the_claim_back_for_pub_sub_s_retry():
    client, store = FakeClient(refusals=[TransientTelegramError("502")]), FakeStaffStore()
    with pytest.raises(TransientTelegramError):
        room(client, store).mirror(ITEM)
    assert ITEM.id not in store.items
    assert room(client, store).mirror(ITEM) is True


def test_a_refusal_for_good_is_logged_and_given_up(caplog: pytest.LogCaptureFixture):
    client, store = FakeClient(refusals=[Refused("not enough rights to send text messages to the chat")]), \
        FakeStaffStore()
    assert room(client, store).mirror(ITEM) is False
    assert ITEM.id not in store.items and "not enough rights" in caplog.text


def test_an_item_another_delivery_holds_is_tried_again_later():
    with pytest.raises(TryLater):
        room(FakeClient(), FakeStaffStore(busy=True)).mirror(ITEM)


def test_a_change_renames_the_topic_to_the_status():
    client, store = FakeClient(), FakeStaffStore()
    store.conversation.staff_topic = StaffTopic(chat_id=GROUP, message_thread_id=7, name="🟢 Ana")
    store.conversation.status = "resolved"  # type: ignore[assignment]
    room(client, store).mirror(MirrorItem("change-1", CHAT, "🔄 resolved (by @bob)", renames=True))
    assert client.topics == ["renamed 7: ✅ Ana"]


def staff_envelope(text: str, media: dict[str, Any] | None = None) -> Envelope:
    message = {"message_id": 55, "from": {"id": 8000000002, "is_bot": False, "first_name": "Ben"},
               "chat": {"id": GROUP, "type": "supergroup", "is_forum": True}, "date": 9, "message_thread_id": 101,
               "is_topic_message": True, "text": text}
    return Envelope(id="tg-x", type=MessageType.STAFF, chat_id=GROUP, date=9, text=text, media=media,
                    extra={"update": {"update_id": 1, "message": message}})


@pytest.mark.parametrize(("text", "media", "told"), [
    ("", {"kind": "photo", "file_id": "F"}, ONLY_TEXT),
    ("!a private caption", {"kind": "photo", "file_id": "F"}, ONLY_TEXT),  # never a note without its photo
    ("/assign @../etc", None, "No active agent @../etc to assign."),  # never a document path
    ("/assign", None, "Whom to? /assign @username"),
    ("/snooze", None, USAGE.format(prefix="!")),
])
def test_what_a_staff_message_cannot_do_is_said_in_its_topic_once(text: str, media: dict | None, told: str):
    client, store = FakeClient(), FakeStaffStore()
    store.agents.get = lambda username: pytest.fail(f"looked up {username!r}")
    services = SimpleNamespace(settings=Settings(), store=store)
    for _ in range(2):  # delivered twice: said once
        assert handle(staff_envelope(text, media), room(client, store), services) is None  # type: ignore[arg-type]
    assert [sent for _, sent in client.sent] == [f"⚠️ {told}"]


def test_an_answer_the_business_chat_refuses_is_said_in_the_topic_and_not_sent():
    client, store = FakeClient(), FakeStaffStore()

    def refuse(chat_id: int, answer: Envelope) -> None:
        raise AnswerRefused("the 24-hour reply window has closed")

    store.agents = SimpleNamespace(by_telegram_id=lambda telegram_id: None)  # type: ignore[attr-defined]
    store.answers = SimpleNamespace(queue=refuse)  # type: ignore[attr-defined]
    publisher = SimpleNamespace(publish=lambda *args: pytest.fail("published"))
    services = SimpleNamespace(settings=Settings(), store=store, publisher=publisher)
    assert handle(staff_envelope("hola"), room(client, store), services) is None  # type: ignore[arg-type]
    assert [sent for _, sent in client.sent] == ["⚠️ Not sent: the 24-hour reply window has closed"]


def test_a_topic_telegram_could_not_make_is_left_for_the_next_delivery_at_once():
    client, store = FakeClient(topic_refusals=[TransientTelegramError("502")]), FakeStaffStore()
    with pytest.raises(TransientTelegramError):
        room(client, store).mirror(ITEM)
    assert store.released == [CHAT] and ITEM.id not in store.items
    assert room(client, store).mirror(ITEM) is True and client.topics == ["🟢 Ana"]


def test_a_summary_that_fails_loses_neither_the_new_topic_nor_the_item():
    client = FakeClient(refusals=[Refused("message thread not found"), TransientTelegramError("502")])
    store = FakeStaffStore()
    store.conversation.staff_topic = StaffTopic(chat_id=GROUP, message_thread_id=7, name="🟢 Ana")
    assert room(client, store).mirror(ITEM) is True
    assert client.sent == [(101, "👤 Ana: hola")] and client.topics == ["🟢 Ana"]  # one topic made, kept
    assert store.conversation.staff_topic is not None and store.conversation.staff_topic.message_thread_id == 101


def test_a_topic_of_another_staff_group_is_none_of_this_one_s_a_new_topic_is_made():
    client, store = FakeClient(), FakeStaffStore()
    store.conversation.staff_topic = StaffTopic(chat_id=-1009000000999, message_thread_id=101, name="🟢 Ana")
    assert room(client, store).mirror(ITEM) is True
    assert client.topics == ["🟢 Ana"] and client.sent == [(101, "👤 Ana: hola")]
    assert store.conversation.staff_topic is not None and store.conversation.staff_topic.chat_id == GROUP


def test_what_a_staff_message_makes_is_named_by_its_group_and_message():
    client, store = FakeClient(), FakeStaffStore()
    queued: list[Envelope] = []

    def queue(chat_id: int, answer: Envelope) -> None:
        queued.append(answer)
        raise AnswerRefused("stop here")

    store.agents = SimpleNamespace(by_telegram_id=lambda telegram_id: None)  # type: ignore[attr-defined]
    store.answers = SimpleNamespace(queue=queue)  # type: ignore[attr-defined]
    services = SimpleNamespace(settings=Settings(), store=store)
    handle(staff_envelope("hola"), room(client, store), services)  # type: ignore[arg-type]
    assert queued[0].id == f"staff-{GROUP}-55" and queued[0].extra["client_id"] == f"staff-{GROUP}-55"
    assert f"reply-staff-{GROUP}-55" in store.items


def test_a_message_in_a_topic_that_is_no_conversation_s_is_ignored():
    client, store = FakeClient(), FakeStaffStore()
    store.staff.chat_of = lambda group, thread_id: None
    services = SimpleNamespace(settings=Settings(), store=store)
    for text in ("hola", "/resolve", "!nota"):
        assert handle(staff_envelope(text), room(client, store), services) is None  # type: ignore[arg-type]
    assert client.sent == [] and store.items == {}


def test_a_customer_s_message_renames_the_topic_of_a_conversation_it_reopened():
    client, store = FakeClient(), FakeStaffStore()
    store.conversation.staff_topic = StaffTopic(chat_id=GROUP, message_thread_id=7, name="✅ Ana")
    customer = Envelope(id=f"tg-{CHAT}-8", type=MessageType.CLIENT, chat_id=CHAT, date=1, text="otra cosa",
                        customer={"first_name": "Ana"},
                        extra={"event": "message", "conversation": store.conversation.wire()})
    item = mirror_item(customer)
    assert item is not None and room(client, store).mirror(item) is True  # the conversation is open again
    assert client.topics == ["renamed 7: 🟢 Ana"]
    assert room(client, store).mirror(MirrorItem("tg-9", CHAT, "👤 Ana: y", renames=True)) is True
    assert client.topics == ["renamed 7: 🟢 Ana"]  # named so already: no call


def test_a_rename_that_failed_for_now_is_done_when_the_item_comes_back_and_the_line_is_not_sent_again():
    client, store = FakeClient(rename_refusals=[TransientTelegramError("502")]), FakeStaffStore()
    store.conversation.staff_topic = StaffTopic(chat_id=GROUP, message_thread_id=7, name="🟢 Ana")
    store.conversation.status = "resolved"  # type: ignore[assignment]
    change = MirrorItem("change-2", CHAT, "🔄 resolved (by @bob)", renames=True)
    with pytest.raises(TransientTelegramError):
        room(client, store).mirror(change)
    assert room(client, store).mirror(change) is False  # sent before: only renamed now
    assert client.sent == [(7, "🔄 resolved (by @bob)")] and client.topics == ["renamed 7: ✅ Ana"]


def command_services(store: FakeStaffStore, done: list[str]) -> SimpleNamespace:
    store.conversations.set_status = lambda chat_id, status, by: done.append(str(status)) or store.conversation
    manifest = SimpleNamespace(step=lambda name: SimpleNamespace(announces="conversation-changes"),
                               publishes_to=lambda name: ())
    return SimpleNamespace(settings=Settings(), store=store, manifest=manifest,
                           publisher=SimpleNamespace(publish=lambda *args: None))


def test_a_command_is_done_once_however_often_it_is_delivered():
    client, store, done = FakeClient(), FakeStaffStore(), []
    for _ in range(2):
        handle(staff_envelope("/resolve"), room(client, store), command_services(store, done))  # type: ignore[arg-type]
    assert done == ["resolved"] and store.items == {f"command-staff-{GROUP}-55": "sent"}


def test_a_wrong_command_whose_answer_failed_for_now_is_answered_when_it_comes_back():
    client, store = FakeClient(refusals=[TransientTelegramError("502")]), FakeStaffStore()
    services = command_services(store, [])
    with pytest.raises(TransientTelegramError):
        handle(staff_envelope("/snooze"), room(client, store), services)  # type: ignore[arg-type]
    handle(staff_envelope("/snooze"), room(client, store), services)  # type: ignore[arg-type]
    assert [sent for _, sent in client.sent] == [f"⚠️ {USAGE.format(prefix='!')}"]


def test_a_command_that_failed_for_now_is_given_back_and_done_when_it_comes_back():
    client, store, done = FakeClient(), FakeStaffStore(), []
    services = command_services(store, done)
    broken = SimpleNamespace(**{**vars(services), "publisher": SimpleNamespace(publish=_fail_once())})
    with pytest.raises(TransientTelegramError):
        handle(staff_envelope("/pending"), room(client, store), broken)  # type: ignore[arg-type]
    handle(staff_envelope("/pending"), room(client, store), broken)  # type: ignore[arg-type]
    assert done == ["pending", "pending"] and store.items == {f"command-staff-{GROUP}-55": "sent"}


def _fail_once() -> Any:
    failures = [TransientTelegramError("pubsub unavailable")]

    def publish(*args: Any) -> None:
        if failures:
            raise failures.pop()
    return publish


def test_an_item_waits_for_the_group_s_turn_before_it_claims_anything():
    events: list[str] = []
    client, store = FakeClient(), FakeStaffStore()
    client.pacer = SimpleNamespace(wait_for_turn=lambda chat_id: events.append(f"waited {chat_id}"))
    claim = store.staff.claim_item
    store.staff.claim_item = lambda *args: events.append("claimed") or claim(*args)
    assert room(client, store).mirror(ITEM) is True
    assert events == [f"waited {GROUP}", "claimed"]


@pytest.mark.parametrize(("text", "done"), [("/resolve@teledesk_bot", ["resolved"]), ("/resolve@other_bot", [])])
def test_a_command_naming_another_bot_is_that_bot_s(text: str, done: list[str]):
    client, store, did = FakeClient(), FakeStaffStore(), []
    assert handle(staff_envelope(text), room(client, store), command_services(store, did)) is None  # type: ignore[arg-type]
    assert did == done and client.sent == []


@pytest.mark.parametrize("text", ["hola", "!nota", "/resolve"])
def test_a_staff_member_linked_to_a_disabled_agent_is_told_and_nothing_is_done(text: str):
    client, store = FakeClient(), FakeStaffStore()
    disabled = SimpleNamespace(username="ana", disabled=True)
    store.agents.by_telegram_id = lambda telegram_id: disabled
    store.answers = SimpleNamespace(queue=lambda *args: pytest.fail("queued"))  # type: ignore[attr-defined]
    store.messages.add_note = lambda *args: pytest.fail("noted")
    store.conversations.set_status = lambda *args: pytest.fail("resolved")
    services = SimpleNamespace(settings=Settings(), store=store)
    assert handle(staff_envelope(text), room(client, store), services) is None  # type: ignore[arg-type]
    assert [sent for _, sent in client.sent] == [
        "⚠️ Not done: your Telegram account is linked to the disabled agent @ana."]
