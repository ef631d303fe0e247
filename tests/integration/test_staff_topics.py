"""The staff forum topic per conversation, on the emulators against the stand-in's staff forum.

A desk of this module's own, with DESK_STAFF_CHAT_ID set to the stand-in's staff group (the
session desk has no staff forum, so no other test sees its mirror sends). A customer writes; the
conversation gets a topic with their message; a staff member answers there and the customer gets
it once, every console shows it; a note by prefix stays private; /resolve resolves; a deleted or
closed topic is made again, with a summary, and nothing is lost.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from leaks import marked_secrets
from support import TEST_DESK_SETTINGS, EventRecorder, connect_console, text_update, wait_until

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from devtools.standin.business import ACCOUNT_FIRST_NAME, CONNECTION_ID, DEFAULT_RIGHTS
from devtools.standin.forum import STAFF_GROUP_ID, STAFF_MEMBERS
from teledesk.business import conversation_key
from teledesk.model import Conversation
from teledesk.settings import Settings
from teledesk.store import Store

pytestmark = pytest.mark.integration

PROJECT = "teledesk-staff-topics"
SECRETS = marked_secrets("staff-topics")
BEN = STAFF_MEMBERS[1]  # "Ben Okafor": not the customer's name, so who wrote what is plain


@pytest.fixture(scope="module")
def staff_desk(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = Settings(project_id=PROJECT, **SECRETS, desk_port=free_port(), ingest_port=free_port(),
                        standin_port=free_port(), desk_staff_chat_id=STAFF_GROUP_ID, desk_csat=False,
                        **TEST_DESK_SETTINGS)
    desk = Desk(settings, log_dir=tmp_path_factory.mktemp("staff-topics-logs"), emulators=emulators).start()
    yield desk
    desk.stop()


@pytest.fixture(scope="module")
def store(staff_desk: Desk) -> Store:
    return Store(PROJECT)


@pytest.fixture(scope="module")
def admin(staff_desk: Desk) -> requests.Session:
    session = requests.Session()
    answer = session.post(f"{staff_desk.console_url}api/login",
                          json={"username": "admin", "password": SECRETS["desk_admin_password"]}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session


@pytest.fixture
def console(staff_desk: Desk, admin: requests.Session) -> Iterator[EventRecorder]:
    recorder = connect_console(EventRecorder(), staff_desk.console_url, admin)
    yield recorder
    recorder.client.disconnect()


@pytest.fixture
def customer() -> dict[str, Any]:
    user_id = 100_000_000 + uuid.uuid4().int % 900_000_000
    return {"id": user_id, "is_bot": False, "first_name": "Ana", "last_name": f"García {user_id}",
            "language_code": "es"}


def customer_says(desk: Desk, customer: dict[str, Any], text: str) -> None:
    answer = requests.post(f"{desk.standin_url}standin/api/updates", json=text_update(customer, text), timeout=10)
    assert answer.status_code == 201, answer.text


def staff_says(desk: Desk, thread_id: int, text: str, member: dict[str, Any] = BEN) -> int:
    answer = requests.post(f"{desk.standin_url}standin/api/forum/messages", timeout=10,
                           json={"from": member["id"], "message_thread_id": thread_id, "text": text})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["message"]["message_id"])


def topics(desk: Desk) -> dict[int, dict[str, Any]]:
    answer = requests.get(f"{desk.standin_url}standin/api/forum", timeout=10)
    answer.raise_for_status()
    return {topic["message_thread_id"]: topic for topic in answer.json()["topics"]}


def texts(desk: Desk, thread_id: int) -> list[str]:
    return [m["text"] for m in topics(desk)[thread_id]["messages"] if m["text"]]


def topic_with(desk: Desk, store: Store, chat_id: int, line: str, timeout: float = 20) -> int:
    """The conversation's topic, once `line` is in it."""
    def shown() -> int | None:
        conversation = store.conversations.get(chat_id)
        topic = conversation.staff_topic if conversation is not None else None
        return topic.message_thread_id if topic is not None and line in texts(desk, topic.message_thread_id) else None

    return int(wait_until(shown, timeout=timeout))


def sends_to(desk: Desk, chat_id: int) -> list[dict[str, Any]]:
    answer = requests.get(f"{desk.standin_url}standin/api/calls", params={"method": "sendMessage"}, timeout=10)
    return [c for c in answer.json()["calls"] if str(c["params"].get("chat_id")) == str(chat_id) and c["ok"]]


def name_of(customer: dict[str, Any]) -> str:
    return f"{customer['first_name']} {customer['last_name']}"


def test_a_new_conversation_gets_a_topic_with_its_customer_s_messages(staff_desk: Desk, store: Store,
                                                                      customer: dict[str, Any]):
    said = "Hola, <b>mi pedido</b> no llega"  # plain text in the topic too: customer text is data
    customer_says(staff_desk, customer, said)
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: {said}")
    topic = topics(staff_desk)[thread_id]
    assert topic["name"] == f"🟢 {name_of(customer)}"
    assert store.staff.chat_of(STAFF_GROUP_ID, thread_id) == customer["id"]
    customer_says(staff_desk, customer, "¿Hay alguien?")
    topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: ¿Hay alguien?")
    # One topic for the conversation, each message in it once.
    assert [t for t in topics(staff_desk).values() if t["name"].endswith(name_of(customer))] == [topics(staff_desk)[
        thread_id]]
    assert len(texts(staff_desk, thread_id)) == 2


def test_a_staff_answer_reaches_the_customer_once_and_every_console(staff_desk: Desk, store: Store,
                                                                    console: EventRecorder, customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Necesito ayuda")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Necesito ayuda")
    message_id = staff_says(staff_desk, thread_id, "Claro, ¿qué número de pedido?")
    shown = console.wait_for("message", lambda m: m["id"] == f"staff-{STAFF_GROUP_ID}-{message_id}")
    assert (shown["type"], shown["direction"], shown["text"]) == ("AGENT", "out", "Claro, ¿qué número de pedido?")
    assert shown["agent"] == {"username": None, "name": "Ben Okafor"}
    assert shown["delivery"]["state"] == "sent"
    sent = wait_until(lambda: sends_to(staff_desk, customer["id"]))
    assert [c["params"]["text"] for c in sent] == ["Claro, ¿qué número de pedido?"]
    conversation = store.conversations.get(customer["id"])
    assert conversation is not None and conversation.first_response_at is not None  # it counts for the SLA
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["unread"] == 0)
    # Written in the topic, it is not mirrored back into it; the customer got it once.
    assert [text for text in texts(staff_desk, thread_id) if "Claro" in text] == ["Claro, ¿qué número de pedido?"]
    assert len(sends_to(staff_desk, customer["id"])) == 1


def test_a_console_answer_once_sent_and_a_console_assign_are_mirrored(staff_desk: Desk, store: Store,
                                                                      admin: requests.Session,
                                                                      customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Hola")
    topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Hola")
    answer = admin.post(f"{staff_desk.console_url}api/conversations/{customer['id']}/messages", timeout=10,
                        json={"text": "Hola, soy Admin", "client_id": uuid.uuid4().hex})
    assert answer.status_code == 202, answer.text
    topic_with(staff_desk, store, customer["id"], "💬 Admin: Hola, soy Admin")
    assigned = admin.post(f"{staff_desk.console_url}api/conversations/{customer['id']}/assign", json={}, timeout=10)
    assert assigned.status_code == 200, assigned.text
    topic_with(staff_desk, store, customer["id"], "🔄 assigned to @admin (by @admin)")


def test_a_note_by_prefix_stays_private_and_a_console_note_is_mirrored(staff_desk: Desk, store: Store,
                                                                       admin: requests.Session,
                                                                       console: EventRecorder,
                                                                       customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Quiero devolverlo")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Quiero devolverlo")
    message_id = staff_says(staff_desk, thread_id, "! cliente VIP, sin gastos de envío")
    note = console.wait_for("message", lambda m: m["id"] == f"note-staff-{STAFF_GROUP_ID}-{message_id}")
    assert (note["direction"], note["private"], note["text"]) == ("note", True, "cliente VIP, sin gastos de envío")
    written = admin.post(f"{staff_desk.console_url}api/conversations/{customer['id']}/notes", timeout=10,
                         json={"text": "Ofrecer cupón", "client_id": uuid.uuid4().hex})
    assert written.status_code == 202, written.text
    topic_with(staff_desk, store, customer["id"], "📝 Admin (note): Ofrecer cupón")
    assert sends_to(staff_desk, customer["id"]) == []  # neither note went to the customer


def test_resolve_and_assign_from_the_topic(staff_desk: Desk, store: Store, console: EventRecorder,
                                           customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Gracias, ya está")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Gracias, ya está")
    staff_says(staff_desk, thread_id, "/resolve")
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["status"] == "resolved")
    topic_with(staff_desk, store, customer["id"], "🔄 resolved (by Ben Okafor)")
    wait_until(lambda: topics(staff_desk)[thread_id]["name"] == f"✅ {name_of(customer)}")
    staff_says(staff_desk, thread_id, "/assign@teledesk_bot @admin")
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["assignee"] == "admin")
    wrong = staff_says(staff_desk, thread_id, "/assign @nobody")
    topic_with(staff_desk, store, customer["id"], "⚠️ No active agent @nobody to assign.")
    reply = next(m for m in topics(staff_desk)[thread_id]["messages"] if m["text"].startswith("⚠️"))
    assert reply["message_id"] > wrong


@pytest.mark.parametrize("action", ["delete", "close"])
def test_a_deleted_or_closed_topic_is_made_again_with_a_summary_and_nothing_lost(
        staff_desk: Desk, store: Store, customer: dict[str, Any], action: str):
    customer_says(staff_desk, customer, "Primer mensaje")
    old = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Primer mensaje")
    gone = requests.post(f"{staff_desk.standin_url}standin/api/forum/topics/{old}/{action}", timeout=10)
    assert gone.status_code == 200, gone.text
    customer_says(staff_desk, customer, "¿Sigue ahí?")
    new = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: ¿Sigue ahí?", timeout=30)
    assert new != old and store.staff.chat_of(STAFF_GROUP_ID, new) == customer["id"]
    summary, latest = texts(staff_desk, new)
    assert summary.splitlines()[1:] == [f"👤 {name_of(customer)}: Primer mensaje"]
    assert latest == f"👤 {name_of(customer)}: ¿Sigue ahí?"
    refused = requests.get(f"{staff_desk.standin_url}standin/api/calls", params={"method": "sendMessage"},
                           timeout=10).json()["calls"]
    assert any(str(c["params"].get("message_thread_id")) == str(old) and c.get("error_code") == 400 for c in refused)
    conversation = store.conversations.get(customer["id"])
    assert isinstance(conversation, Conversation) and conversation.staff_topic is not None
    assert conversation.staff_topic.message_thread_id == new
    # And a staff answer in the new topic still reaches the customer.
    staff_says(staff_desk, new, "Sí, aquí estoy")
    wait_until(lambda: [c for c in sends_to(staff_desk, customer["id"]) if c["params"]["text"] == "Sí, aquí estoy"])


def test_a_linked_staff_member_answers_as_their_agent(staff_desk: Desk, store: Store, admin: requests.Session,
                                                     console: EventRecorder, customer: dict[str, Any]):
    ana = STAFF_MEMBERS[0]
    username = f"ana-{uuid.uuid4().hex[:6]}"
    created = admin.post(f"{staff_desk.console_url}api/agents", timeout=10,
                         json={"username": username, "name": "Ana Staff", "password": uuid.uuid4().hex})
    assert created.status_code == 201, created.text
    linked = admin.post(f"{staff_desk.console_url}api/agents/{username}/telegram", json={"telegram_id": ana["id"]},
                        timeout=10)
    assert linked.status_code == 200 and linked.json()["agent"]["telegram_id"] == ana["id"]
    customer_says(staff_desk, customer, "¿Quién me atiende?")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: ¿Quién me atiende?")
    message_id = staff_says(staff_desk, thread_id, "Yo, Ana", member=ana)
    shown = console.wait_for("message", lambda m: m["id"] == f"staff-{STAFF_GROUP_ID}-{message_id}")
    assert shown["agent"] == {"username": username, "name": "Ana García"}
    unlinked = admin.delete(f"{staff_desk.console_url}api/agents/{username}/telegram", timeout=10)
    assert unlinked.status_code == 200 and unlinked.json()["agent"]["telegram_id"] is None


def test_a_staff_answer_telegram_refuses_is_said_in_the_topic(staff_desk: Desk, store: Store,
                                                               customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Adiós")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Adiós")
    planned = requests.post(f"{staff_desk.standin_url}standin/api/failures", timeout=10, json={
        "method": "sendMessage", "error_code": 403, "chat_id": customer["id"]})
    assert planned.status_code == 201, planned.text
    message_id = staff_says(staff_desk, thread_id, "¿Sigues ahí?")
    topic_with(staff_desk, store, customer["id"], "⚠️ Not delivered to the customer: blocked by the customer")
    stored = store.messages.get(customer["id"], f"staff-{STAFF_GROUP_ID}-{message_id}")
    assert stored is not None and stored.delivery is not None and stored.delivery.state == "failed"


def test_pending_from_the_topic_and_an_answer_there_opens_a_resolved_conversation_again(
        staff_desk: Desk, store: Store, console: EventRecorder, customer: dict[str, Any]):
    customer_says(staff_desk, customer, "Os mando la factura luego")
    thread_id = topic_with(staff_desk, store, customer["id"], f"👤 {name_of(customer)}: Os mando la factura luego")
    staff_says(staff_desk, thread_id, "/pending")
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["status"] == "pending")
    wait_until(lambda: topics(staff_desk)[thread_id]["name"] == f"⏳ {name_of(customer)}")
    staff_says(staff_desk, thread_id, "/resolve")
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["status"] == "resolved")
    staff_says(staff_desk, thread_id, "Por cierto, ya la tenemos")
    console.wait_for("conversation", lambda c: c["chat_id"] == customer["id"] and c["status"] == "open")
    wait_until(lambda: topics(staff_desk)[thread_id]["name"] == f"🟢 {name_of(customer)}")


def test_a_business_chat_has_its_topic_with_the_owner_s_typing_and_staff_answer_as_the_account(
        staff_desk: Desk, store: Store, customer: dict[str, Any]):
    business = f"{staff_desk.standin_url}standin/api/business"
    connected = requests.post(f"{business}/connection", json={"rights": DEFAULT_RIGHTS, "is_enabled": True},
                              timeout=10)
    assert connected.status_code == 201, connected.text
    key = conversation_key(CONNECTION_ID, customer["id"])
    wrote = requests.post(f"{business}/messages", timeout=10, json={
        "user_id": customer["id"], "first_name": customer["first_name"], "text": "Hola, Acme"})
    assert wrote.status_code == 201, wrote.text
    thread_id = topic_with(staff_desk, store, key, f"👤 {customer['first_name']}: Hola, Acme")
    typed = requests.post(f"{business}/owner", json={"user_id": customer["id"], "text": "Hola, soy Marta"},
                          timeout=10)
    assert typed.status_code == 201, typed.text
    topic_with(staff_desk, store, key, f"🏢 {ACCOUNT_FIRST_NAME} (in Telegram): Hola, soy Marta")
    staff_says(staff_desk, thread_id, "Te escribimos desde Acme")
    sent = wait_until(lambda: [c for c in sends_to(staff_desk, customer["id"])
                               if c["params"].get("text") == "Te escribimos desde Acme"])
    assert [c["params"]["business_connection_id"] for c in sent] == [CONNECTION_ID]
