"""functions/classify.py, and the step wrapper it runs in (filter check, dead-lettering, trace)."""

from __future__ import annotations

import dataclasses
import json

import pytest
from step_fakes import CHAT, PublishFailed, envelope_event, push_event, text_update

import functions.classify
from functions.classify import classify
from teledesk.business import conversation_key
from teledesk.envelope import Envelope
from teledesk.logs import trace_id_for, update_trace_id
from teledesk.pipeline import Services
from teledesk.telegram.updates import envelope_from_update

OUT = "messages-classified"
DEAD = "classify-dead-letter"


def ingested(update: dict) -> Envelope:
    """What ingest published for `update`."""
    return envelope_from_update(update).stamp("ingest").stamp("ingest:out")


@pytest.mark.parametrize(("update", "kind"), [
    (text_update(text="hola"), "CLIENT"),
    (text_update(text="/start"), "COMMAND"),
    ({"update_id": 5, "my_chat_member": {"chat": {"id": CHAT, "type": "private"}, "from": {"id": CHAT}, "date": 0,
                                         "old_chat_member": {"status": "member", "user": {"id": CHAT}},
                                         "new_chat_member": {"status": "kicked", "user": {"id": CHAT}}}},
     "MEMBER"),
])
def test_classify_sets_the_type_and_publishes_on_messages_classified(svc: Services, update: dict, kind: str):
    assert classify(envelope_event(ingested(update))) is None
    assert len(svc.publisher.published) == 1
    topic, envelope, attributes = svc.publisher.published[0]
    assert topic == OUT == svc.manifest.step("classify").topic_out
    assert envelope["type"] == kind
    assert attributes == {"type": kind, "chat_id": str(CHAT), "schema": "1"}


def test_classify_adds_and_never_removes(svc: Services):
    update = text_update(text="hola")
    before = ingested(update)
    classify(envelope_event(before))
    envelope = svc.publisher.on(OUT)[0]
    assert envelope["update"] == update
    assert (envelope["id"], envelope["chat_id"], envelope["text"], envelope["customer"]) == (
        before.id, before.chat_id, before.text, before.customer)
    assert list(envelope["trace"]) == ["ingest", "ingest:out", "classify", "classify:out"]
    assert envelope["trace"]["classify:out"] >= envelope["trace"]["classify"] >= envelope["trace"]["ingest:out"]


@pytest.mark.parametrize("attributes", [
    {"type": "CLIENT", "chat_id": str(CHAT), "schema": "1"},  # already classified
    {"type": "AGENT", "chat_id": str(CHAT), "schema": "1"},
    {},
])
def test_a_message_the_subscription_filter_excludes_is_ignored(svc: Services, attributes: dict):
    # The emulator accepts filters but does not apply them: the step must check for itself.
    classify(push_event(ingested(text_update()).to_json(), attributes))
    assert svc.publisher.published == [] and svc.publisher.raw == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"id": "x"}', b"\xff\xfe",
                                 json.dumps({"id": "x", "type": "UPDATE", "chat_id": 1, "date": 0,
                                             "schema": 99}).encode()])
def test_an_unreadable_message_is_parked_raw_on_the_dead_letter_topic(svc: Services, raw: bytes):
    assert classify(push_event(raw, {"type": "UPDATE"})) is None  # no exception: no pointless retries
    assert svc.publisher.published == []
    [(topic, data, attributes)] = svc.publisher.raw
    assert topic == DEAD == svc.manifest.step("classify").dead_letter_topic
    assert data == raw
    assert set(attributes) == {"error"} and attributes["error"]


def test_data_that_is_not_base64_is_parked_too(svc: Services):
    classify(push_event("%%% not base64 %%%", {"type": "UPDATE"}))
    [(topic, data, attributes)] = svc.publisher.raw
    assert topic == DEAD
    assert b"not base64" in data
    assert "base64" in attributes["error"]


def test_a_long_error_is_cut_to_fit_an_attribute(svc: Services):
    raw = json.dumps({"id": "x", "type": "UPDATE", "chat_id": 1, "date": 0, "schema": "9" * 3000}).encode()
    classify(push_event(raw, {"type": "UPDATE"}))
    [(_, data, attributes)] = svc.publisher.raw
    assert data == raw
    assert attributes["error"].startswith("unknown envelope schema")
    assert len(attributes["error"]) == 1024  # Pub/Sub caps an attribute value at 1024 bytes


def test_a_publish_that_fails_raises_so_pubsub_retries(svc: Services):
    svc.publisher.fail_next = 1
    with pytest.raises(PublishFailed):
        classify(envelope_event(ingested(text_update())))
    assert svc.publisher.raw == []  # a failed publish is not a reason to dead-letter


def test_text_beyond_ascii_survives_the_hop(svc: Services):
    classify(envelope_event(ingested(text_update(text="¿hola? 👋 <b>"))))
    assert svc.publisher.on(OUT)[0]["text"] == "¿hola? 👋 <b>"


def _group_update() -> dict:
    update = text_update()
    update["message"]["chat"] = {"id": -1001234567890, "type": "supergroup", "title": "Clientes"}
    return update


def test_group_chats_are_ignored_and_counted_when_the_setting_is_off(svc: Services):
    classify(envelope_event(envelope_from_update(_group_update())))
    assert svc.publisher.published == []
    assert svc.store.counters == {"ignored_group_updates": 1}


def test_group_chats_go_on_when_the_setting_is_on(svc: Services):
    svc.settings = dataclasses.replace(svc.settings, group_chats=True)
    classify(envelope_event(envelope_from_update(_group_update())))
    [published] = svc.publisher.on("messages-classified")
    assert published["chat_id"] == -1001234567890 and published["type"] == "CLIENT"


def test_a_step_handles_a_message_in_its_trace_keeps_the_trace_id_and_says_so_once(svc: Services, log_lines):
    envelope = ingested(text_update(update_id=1001, message_id=7))
    envelope.extra["trace_id"] = update_trace_id(1001)
    classify(envelope_event(envelope))
    [(_, published, _)] = svc.publisher.published
    assert published["trace_id"] == update_trace_id(1001)
    [line] = log_lines()
    assert line["message"] == f"classify: CLIENT {CHAT}/tg-{CHAT}-7 → {OUT}" and line["severity"] == "INFO"
    assert line["logging.googleapis.com/trace"].endswith("/traces/" + update_trace_id(1001))
    assert line["logging.googleapis.com/labels"] == {"python_logger": "teledesk.pipeline", "part": "unit",
                                                     "chat_id": str(CHAT), "message_id": f"tg-{CHAT}-7"}


def test_a_step_that_fails_says_so_in_the_messages_trace_and_lets_pub_sub_retry(svc: Services, log_lines,
                                                                               monkeypatch: pytest.MonkeyPatch):
    def broken(update: dict) -> str:
        raise RuntimeError("no luck")

    monkeypatch.setattr(functions.classify, "classify_update", broken)
    with pytest.raises(RuntimeError):
        classify(envelope_event(ingested(text_update(update_id=1001, message_id=7))))
    [line] = log_lines()
    assert line["severity"] == "WARNING" and "not handled (RuntimeError: no luck)" in line["message"]
    assert line["logging.googleapis.com/trace"].endswith("/traces/" + trace_id_for(f"tg-{CHAT}-7"))


def test_a_message_in_the_staff_forum_is_staff_and_not_dropped_as_a_group_chat(svc: Services):
    group = -1009000000001
    update = {"update_id": 9, "message": {
        "message_id": 5, "from": {"id": 8000000001, "is_bot": False, "first_name": "Ana"}, "date": 1,
        "chat": {"id": group, "type": "supergroup", "is_forum": True}, "message_thread_id": 3,
        "is_topic_message": True, "text": "/resolve"}}
    classify(envelope_event(ingested(update)))
    assert svc.publisher.published == []  # a group, and no staff forum set: dropped
    svc.settings = dataclasses.replace(svc.settings, desk_staff_chat_id=group)
    classify(envelope_event(ingested(update)))
    [(_topic, envelope, _attributes)] = svc.publisher.published
    assert envelope["type"] == "STAFF"


def test_a_business_chat_keeps_its_key_and_the_owners_typing_is_owner(svc: Services):
    account = {"id": 7000000001, "is_bot": False, "first_name": "Acme"}
    update = {"update_id": 30, "business_message": {
        "business_connection_id": "c1", "message_id": 4, "from": account, "date": 0, "text": "hola",
        "chat": {"id": CHAT, "type": "private", "first_name": "Ana"}}}
    classify(envelope_event(ingested(update)))
    _topic, envelope, attributes = svc.publisher.published[0]
    assert envelope["type"] == "OWNER"
    assert attributes["chat_id"] == str(conversation_key("c1", CHAT))
