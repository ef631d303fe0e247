"""The stand-in's business account: its connection, customers writing to it, the owner typing, the
bot writing as the account (echoed back), and the connection's rules as 400s."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from devtools.standin.business import ACCOUNT_ID, CONNECTION_ID
from devtools.standin.business_api import CONNECTION_DISABLED, CONNECTION_INVALID, WINDOW_CLOSED, missing_right
from devtools.standin.media import disc_png

from .conftest import CUSTOMER_ID, bot_call, bot_upload

CUSTOMER = {"user_id": CUSTOMER_ID, "first_name": "Ana"}


def updates(client: FlaskClient) -> list[dict[str, Any]]:
    status, body = bot_call(client, "getUpdates", timeout=0)
    assert status == 200
    return body["result"]


def hook(client: FlaskClient, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/standin/api/business/{path}", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def as_account(client: FlaskClient, method: str = "sendMessage", **params: Any) -> tuple[int, dict[str, Any]]:
    return bot_call(client, method, business_connection_id=CONNECTION_ID, chat_id=CUSTOMER_ID, **params)


def test_connecting_sends_the_connections_whole_state(client: FlaskClient):
    hook(client, "connection", rights={"can_delete_all_messages": True})
    [update] = updates(client)
    connection = update["business_connection"]
    assert (connection["id"], connection["user"]["id"], connection["user_chat_id"], connection["is_enabled"]) == (
        CONNECTION_ID, ACCOUNT_ID, ACCOUNT_ID, True)
    assert connection["rights"] == {"can_reply": True, "can_read_messages": True, "can_delete_sent_messages": True,
                                    "can_delete_all_messages": True}
    status, body = bot_call(client, "getBusinessConnection", business_connection_id=CONNECTION_ID)
    assert (status, body["result"]) == (200, connection)
    assert bot_call(client, "getBusinessConnection", business_connection_id="other")[1]["description"] == (
        f"Bad Request: {CONNECTION_INVALID}")


def test_a_customer_and_the_owner_write_in_the_business_chat(client: FlaskClient):
    hook(client, "messages", **CUSTOMER, text="¿Tenéis talla M?")
    hook(client, "owner", user_id=CUSTOMER_ID, text="Sí, mañana llega")
    customer, owner = (u["business_message"] for u in updates(client))
    assert customer["business_connection_id"] == owner["business_connection_id"] == CONNECTION_ID
    assert customer["from"]["id"] == customer["chat"]["id"] == CUSTOMER_ID
    assert owner["from"]["id"] == ACCOUNT_ID and owner["chat"]["id"] == CUSTOMER_ID
    assert (customer["message_id"], owner["message_id"]) == (1, 2)
    assert "sender_business_bot" not in owner


def test_the_bots_send_is_the_accounts_and_is_echoed_back(client: FlaskClient):
    hook(client, "messages", **CUSTOMER, text="hola")
    status, body = as_account(client, text="Hola Ana")
    assert status == 200
    sent = body["result"]
    assert sent["from"]["id"] == ACCOUNT_ID and sent["sender_business_bot"]["is_bot"] is True
    _customer, echo = updates(client)
    assert echo["business_message"] == sent
    [chat] = client.get("/standin/api/business/chats").get_json()["chats"]
    assert [(m["from"], m["text"]) for m in chat["messages"]] == [("customer", "hola"), ("bot", "Hola Ana")]
    assert bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="x")[1]["description"] == (
        "Bad Request: chat not found")  # a business chat is not the bot's own chat with the customer


def test_a_file_goes_as_the_account_and_an_edit_is_echoed(client: FlaskClient):
    hook(client, "messages", **CUSTOMER, text="hola")
    status, body = bot_upload(client, "sendPhoto", {"photo": (disc_png(64, None, (1, 2, 3)), "p.png")},
                              business_connection_id=CONNECTION_ID, chat_id=str(CUSTOMER_ID), caption="el recibo")
    assert status == 200 and body["result"]["caption"] == "el recibo" and body["result"]["photo"]
    status, edited = as_account(client, "editMessageCaption", message_id=body["result"]["message_id"], caption="ok")
    assert status == 200 and edited["result"]["caption"] == "ok"
    assert list(updates(client)[-1]) == ["update_id", "edited_business_message"]


@pytest.mark.parametrize(("change", "written_ago", "description"), [
    ({"is_enabled": False}, 0, CONNECTION_DISABLED),
    ({"rights": {"can_reply": False}}, 0, missing_right("can_reply")),
    ({}, 25 * 3600, WINDOW_CLOSED),
])
def test_what_the_connection_does_not_allow_is_a_400(client: FlaskClient, change: dict, written_ago: int,
                                                    description: str):
    hook(client, "messages", **CUSTOMER, text="hola", date=int(time.time()) - written_ago)
    if change:
        hook(client, "connection", **change)
    status, body = as_account(client, text="Hola")
    assert (status, body["description"]) == (400, f"Bad Request: {description}")
    [chat] = client.get("/standin/api/business/chats").get_json()["chats"]
    assert [m["from"] for m in chat["messages"]] == ["customer"]


def test_deleting_and_reading_follow_the_rights(client: FlaskClient):
    customer = hook(client, "messages", **CUSTOMER, text="hola")["message"]["message_id"]
    sent = as_account(client, text="Hola")[1]["result"]["message_id"]
    ids = {"business_connection_id": CONNECTION_ID}
    assert bot_call(client, "deleteBusinessMessages", **ids, message_ids=[customer])[1]["description"] == (
        f"Bad Request: {missing_right('can_delete_all_messages')}")
    assert bot_call(client, "deleteBusinessMessages", **ids, message_ids=[sent])[0] == 200
    assert bot_call(client, "readBusinessMessage", **ids, chat_id=CUSTOMER_ID, message_id=customer)[0] == 200
    [chat] = client.get("/standin/api/business/chats").get_json()["chats"]
    assert [m["deleted"] for m in chat["messages"]] == [False, True] and chat["read_up_to"] == customer
    hook(client, "connection", rights={"can_read_messages": False})
    assert bot_call(client, "readBusinessMessage", **ids, chat_id=CUSTOMER_ID, message_id=customer)[1][
        "description"] == f"Bad Request: {missing_right('can_read_messages')}"


def test_a_customers_edit_and_deletion_become_updates(client: FlaskClient):
    message_id = hook(client, "messages", **CUSTOMER, text="hola")["message"]["message_id"]
    hook(client, "edit", user_id=CUSTOMER_ID, message_id=message_id, text="hola!")
    hook(client, "delete", user_id=CUSTOMER_ID, message_ids=[message_id])
    _, edited, deleted = updates(client)
    assert edited["edited_business_message"]["text"] == "hola!" and edited["edited_business_message"]["edit_date"]
    assert deleted["deleted_business_messages"] == {"business_connection_id": CONNECTION_ID,
                                                    "chat": {"id": CUSTOMER_ID, "type": "private",
                                                             "first_name": "Ana"},
                                                    "message_ids": [message_id]}


def test_the_hooks_refuse_what_they_cannot_do(client: FlaskClient):
    assert client.post("/standin/api/business/owner", json={"user_id": 1, "text": "x"}).status_code == 404
    assert client.post("/standin/api/business/connection", json={"rights": {"can_fly": True}}).status_code == 400
    assert client.post("/standin/api/business/messages", json={**CUSTOMER, "text": "x",
                                                               "date": int(time.time()) + 60}).status_code == 400
