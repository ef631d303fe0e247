"""The customer's side: the page, and messages/buttons/blocks becoming real Updates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from teledesk.standin.state import StandinState

from .api_schema import assert_conforms
from .conftest import CUSTOMER_ID, bot_call, customer_says

STATIC = Path(__file__).resolve().parents[3] / "teledesk" / "standin" / "static"


def test_customer_message_becomes_an_update(client: FlaskClient, state: StandinState) -> None:
    answer = customer_says(
        client, "  Hello, my order is late  ", last_name="García", username="ana_g", language_code="es"
    )
    message = answer["message"]
    assert message["message_id"] == 1
    assert message["from"] == {
        "id": CUSTOMER_ID,
        "is_bot": False,
        "first_name": "Ana",
        "last_name": "García",
        "username": "ana_g",
        "language_code": "es",
    }
    assert message["chat"] == {
        "id": CUSTOMER_ID,
        "type": "private",
        "username": "ana_g",
        "first_name": "Ana",
        "last_name": "García",
    }
    assert message["text"] == "Hello, my order is late"
    assert "entities" not in message
    queued = state.feed.poll(None, None, 0, None)
    assert queued == [{"update_id": answer["update_id"], "message": message}]
    assert_conforms(queued[0], "Update")


def test_update_ids_increase_from_a_random_start(client: FlaskClient, app) -> None:
    ids = [customer_says(client, f"m{i}", user_id=100000000 + i)["update_id"] for i in range(3)]
    assert ids == [ids[0], ids[0] + 1, ids[0] + 2]
    assert ids[0] > 1
    from teledesk.standin import create_app

    other = create_app("1:x")
    try:
        assert customer_says(other.test_client(), "hi")["update_id"] != ids[0]  # (1 in 800 million to collide)
    finally:
        other.extensions["standin"].close()


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("/start", [{"type": "bot_command", "offset": 0, "length": 6}]),
        ("/help@teledesk_bot please", [{"type": "bot_command", "offset": 0, "length": 18}]),
        ("😀 /status now", [{"type": "bot_command", "offset": 3, "length": 7}]),  # emoji: 2 UTF-16 units
        ("see a/b or http://x/y", None),
    ],
)
def test_commands_get_bot_command_entities(client: FlaskClient, text: str, entities: list | None) -> None:
    message = customer_says(client, text)["message"]
    assert message.get("entities") == entities


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"first_name": "Ana", "text": "hi"}, 400),
        ({"user_id": -5, "first_name": "Ana", "text": "hi"}, 400),
        ({"user_id": True, "first_name": "Ana", "text": "hi"}, 400),
        ({"user_id": CUSTOMER_ID, "text": "hi"}, 400),
        ({"user_id": CUSTOMER_ID, "first_name": "  ", "text": "hi"}, 400),
        ({"user_id": CUSTOMER_ID, "first_name": "Ana", "text": ""}, 400),
        ({"user_id": CUSTOMER_ID, "first_name": "Ana", "text": "x" * 4097}, 400),
        ({"user_id": CUSTOMER_ID, "first_name": "x" * 65, "text": "hi"}, 400),
    ],
)
def test_customer_message_validation(client: FlaskClient, state: StandinState, body: dict, status: int) -> None:
    response = client.post("/customer/api/messages", json=body)
    assert response.status_code == status
    assert "error" in response.get_json()
    assert state.feed.pending_count == 0


def test_history_both_ways_after_an_id(client: FlaskClient) -> None:
    customer_says(client, "hi")
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="<i>Hello</i>", parse_mode="HTML")
    customer_says(client, "thanks")
    body = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()
    assert [(m["from"], m["message_id"], m["text"]) for m in body["messages"]] == [
        ("customer", 1, "hi"),
        ("bot", 2, "Hello"),
        ("customer", 3, "thanks"),
    ]
    assert body["messages"][1]["entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert all(isinstance(m["date"], int) for m in body["messages"])
    assert body["blocked"] is False
    after = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}&after=2").get_json()
    assert [m["message_id"] for m in after["messages"]] == [3]
    unknown = client.get("/customer/api/messages?user_id=100000001").get_json()
    assert unknown["messages"] == []
    assert client.get("/customer/api/messages?user_id=abc").status_code == 400


def test_pressing_an_inline_button_sends_a_callback_query(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "hi")
    keyboard = {"inline_keyboard": [[{"text": "Good", "callback_data": "csat:5"}]]}
    _, sent = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="How did we do?", reply_markup=keyboard)
    state.feed.poll(None, None, 0, None)  # skip the customer's message
    message_id = sent["result"]["message_id"]
    history = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}&after=1").get_json()["messages"]
    assert history[0]["reply_markup"] == keyboard

    bad = client.post("/customer/api/callbacks", json={"user_id": CUSTOMER_ID, "message_id": message_id, "data": "x"})
    assert bad.status_code == 400
    response = client.post(
        "/customer/api/callbacks", json={"user_id": CUSTOMER_ID, "message_id": message_id, "data": "csat:5"}
    )
    assert response.status_code == 201
    query = response.get_json()["callback_query"]
    assert query["data"] == "csat:5"
    assert query["from"]["id"] == CUSTOMER_ID
    assert query["message"]["message_id"] == message_id
    update = state.feed.poll(response.get_json()["update_id"], None, 0, None)[0]
    assert update["callback_query"] == query
    assert_conforms(update, "Update")


def test_blocking_sends_my_chat_member_once(client: FlaskClient, state: StandinState) -> None:
    first = customer_says(client, "hi")["update_id"]
    assert client.post("/customer/api/block", json={"user_id": 999999998, "blocked": True}).status_code == 404
    blocked = client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": True}).get_json()
    again = client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": True}).get_json()
    assert again == {"blocked": True, "update_id": None}
    refused = client.post("/customer/api/messages", json={"user_id": CUSTOMER_ID, "first_name": "Ana", "text": "x"})
    assert refused.status_code == 409
    client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": False})

    updates = state.feed.poll(first + 1, None, 0, None)
    assert updates[0]["update_id"] == blocked["update_id"]
    member = updates[0]["my_chat_member"]
    assert (member["old_chat_member"]["status"], member["new_chat_member"]["status"]) == ("member", "kicked")
    assert member["new_chat_member"]["user"]["is_bot"] is True
    assert updates[1]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert len(updates) == 2
    for update in updates:
        assert_conforms(update, "Update")
    assert client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["blocked"] is False


def test_page_has_test_hooks_and_a_strict_policy(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for hook in ('data-testid="customer-name"', 'data-testid="customer-input"', 'data-testid="customer-send"'):
        assert hook in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html  # no inline script: the policy would block it anyway
    assert client.get("/static/chat.js").status_code == 200
    assert client.get("/static/chat.css").status_code == 200


def test_page_script_never_renders_text_as_html() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
    assert 'dataset.testid = "customer-bubble"' in script
    assert "dataset.from = message.from" in script
    assert "100000000 + (buffer[0] % 900000000)" in script  # user ids in 100000000-999999999
    assert "es:" in script  # Spanish strings, picked by navigator.language


def test_bot_info_for_the_header(client: FlaskClient) -> None:
    assert client.get("/customer/api/bot").get_json() == {
        "id": 123456789,
        "first_name": "Teledesk Bot",
        "username": "teledesk_bot",
    }
