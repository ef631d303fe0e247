"""realtime/broadcast.py: every event to the agents' room, repeats from Pub/Sub kept off the consoles."""

from __future__ import annotations

import pytest
from relay_fakes import RecordingSocketIO

import realtime.state
from realtime.broadcast import AGENTS_ROOM, Broadcaster, InFlight
from realtime.state import Claim, MemoryState
from teledesk.model import Conversation, Message


@pytest.fixture
def recorder() -> RecordingSocketIO:
    return RecordingSocketIO()


@pytest.fixture
def broadcaster(recorder: RecordingSocketIO) -> Broadcaster:
    return Broadcaster(recorder)  # type: ignore[arg-type]


def delivery(message_id: str = "agent-abcdefgh", state: str = "queued", reason: str | None = None) -> dict:
    return {"chat_id": 7, "client_id": message_id.removeprefix("agent-"), "message_id": message_id, "state": state,
            "reason": reason}


def test_a_message_goes_to_the_agents_room_without_the_raw_update(broadcaster, recorder):
    broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola", "update": {"update_id": 1}}))
    assert recorder.emitted == [("message", {"id": "tg-7-1", "text": "hola"}, AGENTS_ROOM)]


def test_the_same_message_id_twice_is_emitted_once(broadcaster, recorder):
    broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola"}))
    broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola"}))
    broadcaster.message(Message.model_validate({"id": "tg-7-2", "text": "otra"}))
    assert [m["id"] for m in recorder.events("message")] == ["tg-7-1", "tg-7-2"]


def test_an_upload_goes_out_again_once_telegram_has_the_file(broadcaster, recorder):
    queued = {"id": "agent-k1", "chat_id": 7, "media": {"kind": "photo", "blob": "7/k1/a.png"}}
    sent = {**queued, "media": {**queued["media"], "file_id": "F-1"}}
    for message in (queued, sent, sent):
        broadcaster.message(Message.model_validate(message))
    emitted = recorder.events("message")
    assert len(emitted) == 2 and "url" not in emitted[0]["media"]
    assert emitted[1]["media"]["url"] == "/api/conversations/7/messages/agent-k1/media"


def test_every_new_conversation_state_goes_out_once(broadcaster, recorder):
    broadcaster.conversation(Conversation.model_validate({"chat_id": 7, "unread": 1}))
    broadcaster.conversation(Conversation.model_validate({"chat_id": 7, "unread": 1}))  # a redelivery of the same state
    broadcaster.conversation(Conversation.model_validate({"chat_id": 7, "unread": 2}))
    broadcaster.conversation(Conversation.model_validate({"chat_id": 8, "unread": 1}))
    lifecycle = {"priority": "normal", "sla_due_at": None, "sla_breached": False, "first_response_at": None,
                 "csat": None}  # shown with their defaults (realtime.views)
    assert recorder.emitted == [("conversation", {**lifecycle, "chat_id": 7, "unread": 1}, AGENTS_ROOM),
                                ("conversation", {**lifecycle, "chat_id": 7, "unread": 2}, AGENTS_ROOM),
                                ("conversation", {**lifecycle, "chat_id": 8, "unread": 1}, AGENTS_ROOM)]


def test_deliveries_are_deduplicated_per_message_and_state(broadcaster, recorder):
    for state in ("queued", "queued", "sent", "sent"):
        broadcaster.delivery(delivery(state=state))
    broadcaster.delivery(delivery("agent-otherone", "sent"))
    assert [(d["message_id"], d["state"]) for d in recorder.events("delivery")] == [
        ("agent-abcdefgh", "queued"), ("agent-abcdefgh", "sent"), ("agent-otherone", "sent")]


def test_a_delivery_event_has_exactly_the_contracts_fields(broadcaster, recorder):
    broadcaster.delivery({**delivery(state="failed", reason="blocked by the customer"), "telegram_message_id": 5})
    assert recorder.emitted == [("delivery", delivery(state="failed", reason="blocked by the customer"), AGENTS_ROOM)]


def test_messages_and_deliveries_do_not_share_a_memory(broadcaster, recorder):
    broadcaster.message(Message.model_validate({"id": "agent-abcdefgh"}))
    broadcaster.delivery(delivery("agent-abcdefgh"))
    assert [event for event, _, _ in recorder.emitted] == ["message", "delivery"]


def test_the_memory_is_bounded_and_forgets_the_oldest_first(broadcaster, recorder, monkeypatch):
    monkeypatch.setattr(realtime.state, "RECENT_IDS", 3)
    for message_id in ("a", "b", "c", "d"):  # "a" falls out
        broadcaster.message(Message.model_validate({"id": message_id}))
    broadcaster.message(Message.model_validate({"id": "d"}))  # still remembered
    broadcaster.message(Message.model_validate({"id": "a"}))  # forgotten, so shown again ("b" falls out)
    broadcaster.message(Message.model_validate({"id": "c"}))
    broadcaster.message(Message.model_validate({"id": "b"}))
    assert [m["id"] for m in recorder.events("message")] == ["a", "b", "c", "d", "a", "b"]


def test_a_message_whose_emit_failed_goes_out_on_the_retry(broadcaster, recorder):
    recorder.fail_next = 1
    with pytest.raises(ConnectionError):
        broadcaster.message(Message.model_validate({"id": "tg-7-1"}))
    broadcaster.message(Message.model_validate({"id": "tg-7-1"}))
    assert [m["id"] for m in recorder.events("message")] == ["tg-7-1"]


def test_a_message_whose_greenlet_was_killed_mid_emit_goes_out_on_the_retry(broadcaster, recorder):
    """GreenletExit and gevent's Timeout are BaseExceptions; a claim kept in memory never expires."""
    recorder.fail_next, recorder.failure = 1, KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        broadcaster.message(Message.model_validate({"id": "tg-7-1"}))
    broadcaster.message(Message.model_validate({"id": "tg-7-1"}))
    assert [m["id"] for m in recorder.events("message")] == ["tg-7-1"]


def test_an_event_another_relay_is_emitting_is_tried_again_not_dropped(recorder):
    state = MemoryState()
    broadcaster = Broadcaster(recorder, state)  # type: ignore[arg-type]
    assert state.claim("message:tg-7-1:0:") is Claim.NEW  # another relay claimed it, and has not emitted yet
    with pytest.raises(InFlight):
        broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola"}))
    state.release("message:tg-7-1:0:")  # that relay's emit failed (or its claim expired when it died)
    broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola"}))
    broadcaster.message(Message.model_validate({"id": "tg-7-1", "text": "hola"}))
    assert [m["id"] for m in recorder.events("message")] == ["tg-7-1"]
