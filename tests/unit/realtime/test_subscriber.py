"""realtime/subscriber.py: Pub/Sub messages turned into Socket.IO events, acked only once relayed."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

import pytest
from relay_fakes import RecordingSocketIO

import realtime.subscriber
from realtime.broadcast import Broadcaster
from realtime.subscriber import RETRY_AFTER_S, RelaySubscriber
from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.changes import note_envelope
from teledesk.logs import trace_id_for
from teledesk.manifest import load_manifest
from teledesk.model import Direction, Message
from teledesk.telegram.updates import classify_update, envelope_from_update

CHAT = 7
CONVERSATION = {"chat_id": CHAT, "status": "open", "unread": 1}
# What the consoles get of it: the lifecycle's fields too, with their defaults (realtime.views).
SHOWN = {**CONVERSATION, "priority": "normal", "sla_due_at": None, "sla_breached": False, "first_response_at": None,
         "csat": None}


@dataclass
class FakeMessage:
    """A pulled message: its data and id, and whether the relay acked it or handed it back."""

    data: bytes
    message_id: str = "m-1"
    acked: int = 0
    nacked: int = 0

    def ack(self) -> None:
        self.acked += 1

    def nack(self) -> None:
        self.nacked += 1


@pytest.fixture
def recorder() -> RecordingSocketIO:
    return RecordingSocketIO()


@pytest.fixture
def subscriber(recorder: RecordingSocketIO) -> RelaySubscriber:
    return RelaySubscriber("p", load_manifest(), Broadcaster(recorder))  # type: ignore[arg-type]


def enriched(kind: str = MessageType.CLIENT, message_id: str = f"tg-{CHAT}-1", text: str = "hola",
             **extra: Any) -> bytes:
    envelope = Envelope(id=message_id, type=kind, chat_id=CHAT, date=1_700_000_000, text=text,
                        customer={"id": CHAT}, extra={"update": {"update_id": 1}, "conversation": CONVERSATION,
                                                      **extra})
    return envelope.to_json()


def relay(subscriber: RelaySubscriber, topic: str, data: bytes) -> FakeMessage:
    message = FakeMessage(data)
    if RelaySubscriber.relay(message.data, message.message_id, subscriber.handlers()[topic]):
        message.ack()
    else:
        message.nack()
    return message


def test_handlers_follow_the_manifest(subscriber: RelaySubscriber):
    handlers = subscriber.handlers()
    assert list(handlers) == list(load_manifest().relay_subscribes) == ["messages-enriched", "deliveries",
                                                                        "conversation-changes"]
    assert handlers["messages-enriched"] == subscriber.on_enriched
    assert handlers["deliveries"] == subscriber.on_delivery
    assert handlers["conversation-changes"] == subscriber.on_change


def test_handlers_subscribe_only_to_what_the_manifest_lists(subscriber: RelaySubscriber):
    subscriber.manifest = dataclasses.replace(subscriber.manifest, relay_subscribes=("deliveries",))
    assert list(subscriber.handlers()) == ["deliveries"]


def test_a_topic_the_relay_cannot_handle_fails_loudly(subscriber: RelaySubscriber):
    subscriber.manifest = dataclasses.replace(subscriber.manifest, relay_subscribes=("messages-translated",))
    with pytest.raises(KeyError):
        subscriber.handlers()


def test_a_client_message_shows_its_conversation_and_itself_then_is_acked(subscriber, recorder):
    message = relay(subscriber, "messages-enriched", enriched())
    assert [event for event, _, _ in recorder.emitted] == ["conversation", "message"]
    assert recorder.events("conversation") == [SHOWN]
    shown = recorder.events("message")[0]
    assert (shown["id"], shown["type"], shown["text"], shown["direction"]) == (f"tg-{CHAT}-1", "CLIENT", "hola", "in")
    assert "update" not in shown
    assert (message.acked, message.nacked) == (1, 0)


@pytest.mark.parametrize("kind", [MessageType.COMMAND, MessageType.CALLBACK, MessageType.MEMBER,
                                  MessageType.UNSUPPORTED])
def test_other_types_update_the_conversation_only(subscriber, recorder, kind):
    message = relay(subscriber, "messages-enriched", enriched(kind, text="/start"))
    assert recorder.emitted == [("conversation", SHOWN, "agents")]
    assert message.acked == 1


def test_a_redelivered_client_message_is_shown_once(subscriber, recorder):
    first, again = relay(subscriber, "messages-enriched", enriched()), relay(subscriber, "messages-enriched",
                                                                            enriched())
    assert len(recorder.events("message")) == 1
    assert (first.acked, again.acked) == (1, 1)


@pytest.mark.parametrize("data", [b"not json", b"[]", b'{"id": "x"}', json.dumps(
    {"id": "x", "type": "CLIENT", "chat_id": 1, "date": 0, "schema": 99}).encode(), b"\xff"])
def test_an_unreadable_message_is_acked_and_nothing_is_shown(subscriber, recorder, data):
    message = relay(subscriber, "messages-enriched", data)
    assert recorder.emitted == []
    assert (message.acked, message.nacked) == (1, 0)


@pytest.mark.parametrize("conversation", [{"chat_id": CHAT, "status": "snoozed"}, {"status": "open"}])
def test_a_state_this_relay_cannot_read_is_acked_not_retried_for_ever(subscriber, recorder, conversation):
    """Say, a newer relay's status: the ordered subscription would stall the chat behind it."""
    message = relay(subscriber, "messages-enriched", enriched(conversation=conversation))
    assert recorder.emitted == []
    assert (message.acked, message.nacked) == (1, 0)


def test_a_message_that_cannot_be_relayed_is_nacked_not_acked(subscriber, recorder):
    recorder.fail_next = 1
    message = relay(subscriber, "messages-enriched", enriched())
    assert (message.acked, message.nacked) == (0, 1)


def test_a_handler_error_is_handed_back():
    def broken(envelope: Envelope) -> None:
        raise RuntimeError("boom")

    assert RelaySubscriber.relay(enriched(), "m-1", broken) is False


def test_a_delivery_is_shown_and_acked(subscriber, recorder):
    delivery = {"chat_id": CHAT, "client_id": "abcdefgh", "message_id": "agent-abcdefgh", "state": "sent",
                "reason": None}
    message = relay(subscriber, "deliveries", enriched(MessageType.AGENT, "agent-abcdefgh", delivery=delivery))
    assert recorder.emitted == [("delivery", delivery, "agents")]
    assert message.acked == 1


def test_an_envelope_without_a_delivery_on_deliveries_shows_nothing(subscriber, recorder):
    message = relay(subscriber, "deliveries", enriched(MessageType.AGENT, "agent-abcdefgh"))
    assert recorder.emitted == []
    assert message.acked == 1


@dataclass
class Pulled:
    ack_id: str
    message: Any


class FakeSubscriberClient:
    """Answers scripted pulls, one batch each, then stops the subscriber that pulls (as Ctrl-C would)."""

    def __init__(self, subscriber: RelaySubscriber, *batches: list[bytes], failing_acks: int = 0):
        self.subscriber = subscriber
        self.batches = list(batches)
        self.failing_acks = failing_acks
        self.acked: list[str] = []
        self.handed_back: list[str] = []
        self.pulls = 0
        self.errors_seen: list[dict[str, str]] = []

    def pull(self, request: dict, timeout: float) -> Any:
        self.errors_seen.append(dict(self.subscriber.errors))
        self.pulls += 1
        if not self.batches:
            self.subscriber._stopping.set()
            raise RuntimeError("closed")
        messages = [Pulled(f"ack-{self.pulls}-{n}", type("M", (), {"data": data, "message_id": str(n)})())
                    for n, data in enumerate(self.batches.pop(0))]
        return type("R", (), {"received_messages": messages})()

    def acknowledge(self, request: dict) -> None:
        if self.failing_acks:
            self.failing_acks -= 1
            raise ConnectionError("the stream broke")
        self.acked += request["ack_ids"]

    def modify_ack_deadline(self, request: dict) -> None:
        assert request["ack_deadline_seconds"] == RETRY_AFTER_S
        self.handed_back += request["ack_ids"]


PATH = "projects/p/subscriptions/relay-messages-enriched"


def test_the_pull_loop_acks_what_went_out_and_hands_back_what_did_not(subscriber, recorder):
    recorder.fail_next = 1  # the first message's emit fails
    client = FakeSubscriberClient(subscriber, [enriched(message_id="tg-7-1"), b"unreadable",
                                               enriched(message_id="tg-7-2")])
    subscriber._client = client  # type: ignore[assignment]
    subscriber._pull_loop(PATH, subscriber.on_enriched)
    assert client.handed_back == ["ack-1-0"]
    assert client.acked == ["ack-1-1", "ack-1-2"]
    assert [m["id"] for m in recorder.events("message")] == ["tg-7-2"]


def test_a_failed_ack_does_not_end_the_pull_loop_and_is_told_until_a_pull_goes_well(subscriber, monkeypatch):
    monkeypatch.setattr(realtime.subscriber, "RETRY_PAUSE_S", 0)
    client = FakeSubscriberClient(subscriber, [enriched(message_id="tg-7-1")], [enriched(message_id="tg-7-1")],
                                  [], failing_acks=1)
    subscriber._client = client  # type: ignore[assignment]
    subscriber._pull_loop(PATH, subscriber.on_enriched)  # returns only once stopped
    assert client.pulls == 4 and client.acked == ["ack-2-0"]  # the redelivery was acked (and not shown twice)
    assert client.errors_seen[1] == {PATH: "ConnectionError"}  # the kind only: /api/health is public
    assert client.errors_seen[2] == {}


def test_running_means_every_pull_thread_is_alive(subscriber: RelaySubscriber):
    import threading

    assert not subscriber.running  # not started
    gate = threading.Event()
    alive = threading.Thread(target=gate.wait)
    alive.start()
    subscriber._threads = [alive]
    assert subscriber.running
    gate.set()
    alive.join()
    assert not subscriber.running
    subscriber.stop()
    assert subscriber._stopping.is_set()


def test_an_edited_client_message_reaches_the_consoles(subscriber, recorder):
    chat = {"id": CHAT, "type": "private", "first_name": "Ana"}
    sent = {"message_id": 1, "from": {"id": CHAT, "first_name": "Ana"}, "chat": chat, "date": 1_700_000_000}
    for update in ({"update_id": 1, "message": {**sent, "text": "I ordered 2"}},
                   {"update_id": 2, "edited_message": {**sent, "text": "I ordered 3", "edit_date": 1_700_000_060}}):
        envelope = envelope_from_update(update)  # what ingest, classify and enrich do to it
        envelope.type = classify_update(update)
        envelope.extra["conversation"] = CONVERSATION
        relay(subscriber, "messages-enriched", envelope.to_json())
    assert [m["text"] for m in recorder.events("message")] == ["I ordered 2", "I ordered 3"]


def test_a_relayed_message_is_said_once_in_its_trace(subscriber, log_lines):
    relay(subscriber, "messages-enriched", enriched(trace_id="a" * 32))
    relay(subscriber, "deliveries", enriched(MessageType.AGENT, "agent-c1", delivery={
        "chat_id": CHAT, "client_id": "c1", "message_id": "agent-c1", "state": "sent", "reason": None}))
    said = [(line["message"], line["logging.googleapis.com/trace"].rsplit("/", 1)[-1]) for line in log_lines()]
    assert said == [(f"relay: CLIENT {CHAT}/tg-{CHAT}-1 to the consoles", "a" * 32),
                    (f"relay: AGENT {CHAT}/agent-c1 (sent) to the consoles", trace_id_for("agent-c1"))]


def staff_note(by: str) -> bytes:
    note = Message(id="note-staff-55", type=MessageType.AGENT, chat_id=CHAT, date=1, text="VIP",
                   direction=Direction.NOTE, agent={"username": None, "name": "Ana"})  # type: ignore[arg-type]
    return note_envelope(note, by).to_json()


def test_a_note_written_in_the_staff_forum_is_shown_and_a_console_s_own_is_not_again(subscriber, recorder):
    relay(subscriber, "conversation-changes", staff_note("agent:bob"))
    assert recorder.emitted == []  # the relay that stored it has shown it
    message = relay(subscriber, "conversation-changes", staff_note("staff:Ana"))
    [shown] = recorder.events("message")
    assert (shown["id"], shown["direction"], shown["text"], shown["agent"]) == (
        "note-staff-55", "note", "VIP", {"username": None, "name": "Ana"})
    assert message.acked == 1


def test_the_owners_message_is_shown_as_a_message(subscriber, recorder):
    owner = {"id": f"tg-{CHAT}-2", "type": "OWNER", "chat_id": CHAT, "text": "Hola, soy Marta", "direction": "out",
             "owner": {"id": 7000000001, "first_name": "Marta"}}
    relay(subscriber, "messages-enriched", enriched(MessageType.OWNER, f"tg-{CHAT}-2", stored=owner))
    [shown] = recorder.events("message")
    assert (shown["type"], shown["direction"], shown["owner"]["first_name"]) == ("OWNER", "out", "Marta")


def test_messages_telegram_deleted_are_shown_deleted_with_their_text(subscriber, recorder):
    gone = {"id": f"tg-{CHAT}-1", "chat_id": CHAT, "text": "hola", "direction": "in", "deleted": True,
            "deleted_at": 5.0, "revision": 1}
    relay(subscriber, "messages-enriched", enriched(MessageType.CLIENT, "tg-update-9", event="delete",
                                                    deleted_messages=[gone]))
    assert [event for event, _, _ in recorder.emitted] == ["conversation", "message"]
    [shown] = recorder.events("message")
    assert (shown["id"], shown["deleted"], shown["text"]) == (f"tg-{CHAT}-1", True, "hola")


def test_a_business_connection_is_its_own_event_once(subscriber, recorder):
    connection = {"id": "conn-1", "user": {"id": 7000000001, "first_name": "Acme"}, "user_chat_id": 7000000001,
                  "date": 1, "rights": {"can_reply": True}, "is_enabled": False, "update_id": 4, "updated_at": 2.0}
    for _ in range(2):
        relay(subscriber, "messages-enriched", enriched(MessageType.CONNECTION, "tg-update-4", connection=connection))
    assert recorder.emitted == [("business_connection", connection, "agents")]


def test_a_business_conversation_shows_when_its_reply_window_closes(subscriber, recorder):
    business = {"connection_id": "conn-1", "chat_id": 42, "customer_wrote_at": 1_700_000_000.0}
    relay(subscriber, "messages-enriched", enriched(conversation={**CONVERSATION, "business": business}))
    [shown] = recorder.events("conversation")
    assert shown["business"] == {**business, "window_closes_at": 1_700_000_000.0 + 24 * 3600}
