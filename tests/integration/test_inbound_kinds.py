"""Every kind of Telegram update in the corpus (tests/fixtures/updates), through the whole pipeline
on the emulators: its stored form, and what the console is sent."""

from __future__ import annotations

import itertools
import json
import random
import uuid
from pathlib import Path
from typing import Any

import pytest
from support import wait_until

from teledesk.settings import Settings
from teledesk.store import Store

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "updates"
FIXTURE_CUSTOMERS = (111111111, 222222222)  # the corpus's customers: Alex, and Lucía of the unicode name
_update_ids = itertools.count(random.randint(100_000_000, 900_000_000))

MEDIA_KINDS = ["photo", "document", "video", "video_note", "voice", "audio", "animation", "sticker", "location",
               "venue", "contact", "poll", "dice"]


def fixture(name: str, customer_id: int) -> dict[str, Any]:
    """A corpus Update made this test's own: its customer, a fresh update_id."""
    text = (CORPUS / f"{name}.json").read_text(encoding="utf-8")
    for original in FIXTURE_CUSTOMERS:
        text = text.replace(str(original), str(customer_id))
    update = json.loads(text)
    update["update_id"] = next(_update_ids)
    return update


@pytest.fixture
def chat_id() -> int:
    return random.randint(100_000_000, 999_999_999)


@pytest.fixture
def history(agent, desk):
    def stored(chat: int, count: int = 1) -> list[dict[str, Any]]:
        url = f"{desk.console_url}api/conversations/{chat}/messages"
        return wait_until(lambda: (lambda found: found if len(found) >= count else None)(
            agent.get(url, timeout=10).json()["messages"]))

    return stored


def conversation_of(agent, desk, chat: int) -> dict[str, Any]:
    listed = agent.get(f"{desk.console_url}api/conversations", timeout=10).json()["conversations"]
    return next(c for c in listed if c["chat_id"] == chat)


@pytest.mark.parametrize("kind", MEDIA_KINDS)
def test_every_media_kind_is_stored_whole_and_shown(kind, chat_id, post_update, console_events, history):
    update = fixture(kind, chat_id)
    assert post_update(update).status_code == 200
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == chat_id)
    stored = history(chat_id)[0]
    sent = update["message"]
    assert stored["type"] == shown["type"] == "CLIENT"
    assert stored["media"]["kind"] == shown["media"]["kind"] == kind
    original = sent[kind][-1] if kind == "photo" else sent[kind]
    for field, value in original.items():  # the Telegram object, whole
        assert stored["media"][field] == value
    assert stored["text"] == sent.get("caption", "")
    if kind == "photo":
        assert stored["media"]["sizes"] == sent["photo"]
        assert stored["entities"] == sent["caption_entities"]


@pytest.mark.parametrize(("name", "check"), [
    ("text", lambda s, u: s["entities"] == u["message"]["entities"]),
    ("forwarded", lambda s, u: s["forward_origin"] == u["message"]["forward_origin"]),
    ("forwarded_hidden", lambda s, u: s["forward_origin"]["type"] == "hidden_user"),
    ("reply", lambda s, u: s["reply_to"]["from_bot"] is True
        and s["reply_to"]["text"] == u["message"]["reply_to_message"]["text"]),
    ("customer_with_unicode_name", lambda s, u: s["customer"]["first_name"] == u["message"]["from"]["first_name"]),
])
def test_text_messages_keep_entities_forwards_replies_and_names(name, check, chat_id, post_update, console_events,
                                                               history):
    update = fixture(name, chat_id)
    post_update(update)
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == chat_id)
    stored = history(chat_id)[0]
    assert stored["text"] == shown["text"] == update["message"]["text"]
    assert check(stored, update) and check(shown, update)


@pytest.mark.parametrize(("name", "kind"), [
    ("start_deeplink", "COMMAND"), ("help_command", "COMMAND"), ("callback_query", "CALLBACK"),
    ("unknown_kind", "UNSUPPORTED"), ("service_message", "UNSUPPORTED"), ("my_chat_member_blocked", "MEMBER"),
])
def test_what_is_not_a_customer_message_is_stored_and_not_announced_as_one(
    name, kind, chat_id, post_update, console_events, history, agent, desk
):
    post_update(fixture(name, chat_id))
    console_events.wait_for("conversation", lambda c: c["chat_id"] == chat_id)
    assert history(chat_id)[0]["type"] == kind
    assert console_events.of("message", lambda m: m["chat_id"] == chat_id) == []
    conversation = conversation_of(agent, desk, chat_id)
    assert conversation["unread"] == 0
    if name == "start_deeplink":
        assert conversation["context"] == {"start": "order_1234"}
    if name == "my_chat_member_blocked":
        assert conversation["blocked"] is True


def test_block_then_unblock(chat_id, post_update, console_events):
    post_update(fixture("my_chat_member_blocked", chat_id))
    console_events.wait_for("conversation", lambda c: c["chat_id"] == chat_id and c["blocked"] is True)
    post_update(fixture("my_chat_member_unblocked", chat_id))
    console_events.wait_for("conversation", lambda c: c["chat_id"] == chat_id and c["blocked"] is False)


def test_an_album_is_two_messages_sharing_a_group(chat_id, post_update, console_events, history):
    for part in ("album_1", "album_2"):
        post_update(fixture(part, chat_id))
    stored = history(chat_id, count=2)
    assert {m["media_group_id"] for m in stored} == {fixture("album_1", chat_id)["message"]["media_group_id"]}
    shown = wait_until(lambda: (lambda m: m if len(m) == 2 else None)(
        console_events.of("message", lambda m: m["chat_id"] == chat_id)))
    assert [m["media"]["kind"] for m in shown] == ["photo", "photo"]


def test_an_edit_updates_the_message_keeps_history_and_reaches_the_console(chat_id, post_update, console_events,
                                                                          history):
    original, edited = fixture("text", chat_id), fixture("edited_message", chat_id)
    post_update(original)
    console_events.wait_for("message", lambda m: m["chat_id"] == chat_id)
    post_update(edited)
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == chat_id and m.get("edited"))
    assert shown["text"] == edited["edited_message"]["text"]
    assert [h["text"] for h in shown["edit_history"]] == [original["message"]["text"]]
    stored = history(chat_id)
    assert len(stored) == 1 and stored[0]["text"] == edited["edited_message"]["text"]


def test_a_reaction_to_the_agents_answer_is_stored_and_shown(chat_id, telegram_sends, console_events, agent, desk,
                                                            history):
    telegram_sends(fixture("text", chat_id))  # through the stand-in, so it knows the chat
    console_events.wait_for("message", lambda m: m["chat_id"] == chat_id)
    client_id = uuid.uuid4().hex
    agent.post(f"{desk.console_url}api/conversations/{chat_id}/messages",
               json={"text": "Mañana llega", "client_id": client_id}, timeout=10)
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")
    answer = next(m for m in history(chat_id, count=2) if m.get("client_id") == client_id)
    reaction = fixture("message_reaction", chat_id)
    reaction["message_reaction"]["message_id"] = answer["delivery"]["telegram_message_id"]
    telegram_sends(reaction)
    shown = console_events.wait_for("message", lambda m: m["id"] == answer["id"] and m.get("reactions"))
    assert shown["reactions"] == {"customer": ["👍"]}


def test_group_chats_are_ignored_and_counted_when_the_setting_is_off(chat_id, post_update, desk, agent):
    store = Store(desk.settings.project_id)
    before = (store.db.collection("stats").document("inbound").get().to_dict() or {}).get("ignored_group_updates", 0)
    update = fixture("group_text", chat_id)
    assert post_update(update).status_code == 200
    wait_until(lambda: (store.db.collection("stats").document("inbound").get().to_dict() or {})
               .get("ignored_group_updates", 0) == before + 1)
    group = update["message"]["chat"]["id"]
    assert agent.get(f"{desk.console_url}api/conversations/{group}/messages", timeout=10).json()["messages"] == []


def test_settings_default_to_private_chats_only():
    assert Settings.from_env({}).group_chats is False


def test_group_chats_go_through_when_the_setting_is_on(chat_id, post_update, desk, agent, console_events,
                                                       monkeypatch):
    monkeypatch.setenv("DESK_GROUP_CHATS", "on")  # what classify reads at its start
    desk.restart("classify", wait_for_port=desk.step_ports["classify"])
    try:
        update = fixture("group_text", chat_id)
        group = update["message"]["chat"]["id"] = -chat_id  # a group of this test's own
        assert post_update(update).status_code == 200
        shown = console_events.wait_for("message", lambda m: m["chat_id"] == group, timeout=30)
        assert shown["text"] == update["message"]["text"] and shown["chat_type"] == "group"
    finally:
        monkeypatch.delenv("DESK_GROUP_CHATS")
        desk.restart("classify", wait_for_port=desk.step_ports["classify"])
