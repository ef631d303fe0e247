"""The Bot API routes: Telegram's answers, errors and object shapes."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from devtools.standin.state import StandinState
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH

from .api_schema import assert_conforms
from .conftest import CUSTOMER_ID, TOKEN, bot_call, customer_says


def test_wrong_token_is_401_and_not_recorded(client: FlaskClient, state: StandinState) -> None:
    response = client.get("/bot999:nope/getMe")
    assert response.status_code == 401
    assert response.get_json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert state.calls.calls() == []


def test_unknown_method_is_404(client: FlaskClient) -> None:
    status, body = bot_call(client, "sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_get_me_is_the_bot_user(client: FlaskClient) -> None:
    response = client.get(f"/bot{TOKEN}/getMe")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.get_json()
    assert body["ok"] is True
    me = body["result"]
    assert me["id"] == 123456789  # the number before the token's colon
    assert me["is_bot"] is True
    assert me["username"] == "teledesk_bot"
    assert me["can_join_groups"] is True
    assert me["supports_inline_queries"] is False
    assert_conforms(me, "User")


def test_method_names_are_case_insensitive(client: FlaskClient, state: StandinState) -> None:
    assert client.get(f"/bot{TOKEN}/GETME").status_code == 200
    assert state.calls.calls("getMe")[0]["method"] == "getMe"


def test_send_message_returns_a_full_message_numbered_per_chat(client: FlaskClient) -> None:
    first = customer_says(client, "hello")["message"]
    status, body = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="Hi Ana, how can I help?")
    assert status == 200
    message = body["result"]
    assert message["message_id"] == first["message_id"] + 1  # one sequence for both sides of a private chat
    assert message["from"] == {
        "id": 123456789,
        "is_bot": True,
        "first_name": "Teledesk Bot",
        "username": "teledesk_bot",
    }
    assert message["chat"] == {"id": CUSTOMER_ID, "type": "private", "first_name": "Ana"}
    assert message["text"] == "Hi Ana, how can I help?"
    assert isinstance(message["date"], int)
    assert_conforms(message, "Message")

    customer_says(client, "hi", user_id=555000111, first_name="Bo")
    _, other = bot_call(client, "sendMessage", chat_id=555000111, text="hello Bo")
    assert other["result"]["message_id"] == 2  # another chat, its own numbering


def test_send_message_accepts_form_data_with_json_strings(client: FlaskClient) -> None:
    """python-telegram-bot posts form fields; structured values arrive as JSON strings."""
    customer_says(client, "question")
    keyboard = {
        "inline_keyboard": [[{"text": "👍", "callback_data": "csat:5"}, {"text": "Docs", "url": "https://x.y"}]]
    }
    response = client.post(
        f"/bot{TOKEN}/sendMessage",
        data={
            "chat_id": str(CUSTOMER_ID),
            "text": "Rate us",
            "reply_markup": json.dumps(keyboard),
            "reply_parameters": json.dumps({"message_id": 1}),
            "disable_notification": "true",
        },
    )
    assert response.status_code == 200, response.get_json()
    message = response.get_json()["result"]
    assert message["reply_markup"] == keyboard
    assert message["reply_to_message"]["message_id"] == 1
    assert message["reply_to_message"]["text"] == "question"
    assert_conforms(message, "Message")


def test_send_message_accepts_multipart_and_query_string(client: FlaskClient) -> None:
    customer_says(client, "hi")
    multipart = client.post(
        f"/bot{TOKEN}/sendMessage",
        data={"chat_id": str(CUSTOMER_ID), "text": "multi"},
        content_type="multipart/form-data",
    )
    assert multipart.get_json()["result"]["text"] == "multi"
    query = client.get(f"/bot{TOKEN}/sendMessage", query_string={"chat_id": CUSTOMER_ID, "text": "query"})
    assert query.get_json()["result"]["text"] == "query"


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": CUSTOMER_ID}, "Bad Request: message text is empty"),
        ({"chat_id": CUSTOMER_ID, "text": "   "}, "Bad Request: message text is empty"),
        ({"chat_id": 777, "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": "@somechannel", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": CUSTOMER_ID, "text": "x" * (MAX_MESSAGE_LENGTH + 1)}, "Bad Request: message is too long"),
        ({"chat_id": CUSTOMER_ID, "text": "hi", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
        (
            {"chat_id": CUSTOMER_ID, "text": "hi", "reply_parameters": {"message_id": 99}},
            "Bad Request: message to be replied not found",
        ),
        (
            {"chat_id": CUSTOMER_ID, "text": "hi", "reply_markup": "{not json"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {
                "chat_id": CUSTOMER_ID,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
def test_send_message_refuses_like_telegram(client: FlaskClient, params: dict, description: str) -> None:
    customer_says(client, "hi")
    status, body = bot_call(client, "sendMessage", **params)
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description})


def test_text_of_exactly_the_limit_is_accepted(client: FlaskClient) -> None:
    customer_says(client, "hi")
    status, body = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="é" * MAX_MESSAGE_LENGTH)
    assert status == 200
    assert len(body["result"]["text"]) == MAX_MESSAGE_LENGTH


def test_reply_without_target_is_allowed_when_asked(client: FlaskClient) -> None:
    customer_says(client, "hi")
    status, body = bot_call(
        client,
        "sendMessage",
        chat_id=CUSTOMER_ID,
        text="ok",
        reply_parameters={"message_id": 99, "allow_sending_without_reply": True},
    )
    assert status == 200
    assert "reply_to_message" not in body["result"]


def test_html_parse_mode_becomes_text_and_entities(client: FlaskClient) -> None:
    customer_says(client, "hi")
    _, body = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="<b>Ticket</b> &lt;42&gt;", parse_mode="HTML")
    assert body["result"]["text"] == "Ticket <42>"
    assert body["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 6}]
    status, broken = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="<b>open", parse_mode="HTML")
    assert status == 400
    assert broken["description"].startswith("Bad Request: can't parse entities: ")


def test_blocked_customer_is_403(client: FlaskClient) -> None:
    customer_says(client, "bye")
    assert client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": True}).status_code == 200
    for method, params in (("sendMessage", {"text": "still there?"}), ("sendChatAction", {"action": "typing"})):
        status, body = bot_call(client, method, chat_id=CUSTOMER_ID, **params)
        assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")


def test_send_chat_action(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "hi")
    assert bot_call(client, "sendChatAction", chat_id=CUSTOMER_ID, action="typing") == (
        200,
        {"ok": True, "result": True},
    )
    assert state.chats.current_action(CUSTOMER_ID, state.now()) == "typing"
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="done")
    assert state.chats.current_action(CUSTOMER_ID, state.now()) is None  # a message ends "typing..."
    status, body = bot_call(client, "sendChatAction", chat_id=CUSTOMER_ID, action="dancing")
    assert (status, body["description"]) == (400, "Bad Request: wrong parameter action in request")
    status, body = bot_call(client, "sendChatAction", chat_id=777, action="typing")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


def test_answer_callback_query_accepts_each_query_once(client: FlaskClient) -> None:
    customer_says(client, "hi")
    keyboard = {"inline_keyboard": [[{"text": "5", "callback_data": "csat:5"}]]}
    _, sent = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="Rate us", reply_markup=keyboard)
    pressed = client.post(
        "/customer/api/callbacks",
        json={"user_id": CUSTOMER_ID, "message_id": sent["result"]["message_id"], "data": "csat:5"},
    ).get_json()
    query_id = pressed["callback_query"]["id"]
    assert bot_call(client, "answerCallbackQuery", callback_query_id=query_id, text="Thanks!") == (
        200,
        {"ok": True, "result": True},
    )
    status, body = bot_call(client, "answerCallbackQuery", callback_query_id=query_id)
    assert status == 400
    assert body["description"] == "Bad Request: query is too old and response timeout expired or query ID is invalid"


def test_set_webhook_and_info(client: FlaskClient, state: StandinState) -> None:
    status, body = bot_call(
        client, "setWebhook", url="http://127.0.0.1:9/hook", secret_token="s3cr3t_-X", allowed_updates=["message"]
    )
    assert (status, body) == (200, {"ok": True, "result": True, "description": "Webhook was set"})
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"]["url"] == "http://127.0.0.1:9/hook"
    assert info["result"]["has_custom_certificate"] is False
    assert info["result"]["allowed_updates"] == ["message"]
    assert_conforms(info["result"], "WebhookInfo")
    assert state.feed.webhook.secret_token == "s3cr3t_-X"

    assert bot_call(client, "deleteWebhook")[1]["description"] == "Webhook was deleted"
    assert bot_call(client, "deleteWebhook")[1]["description"] == "Webhook is already deleted"
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"] == {"url": "", "has_custom_certificate": False, "pending_update_count": 0}


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"url": "ftp://example.com/"}, "Bad Request: bad webhook: An HTTP or HTTPS URL must be provided for webhook"),
        (
            {"url": "https://example.com/", "secret_token": "no spaces"},
            "Bad Request: secret token contains unallowed characters",
        ),
        (
            {"url": "https://example.com/", "allowed_updates": "message"},
            "Bad Request: can't parse allowed updates JSON object",
        ),
    ],
)
def test_set_webhook_refuses_bad_settings(client: FlaskClient, params: dict, description: str) -> None:
    status, body = bot_call(client, "setWebhook", **params)
    assert (status, body["description"]) == (400, description)


def test_get_updates_while_webhook_is_set_is_409(client: FlaskClient) -> None:
    bot_call(client, "setWebhook", url="http://127.0.0.1:9/hook")
    status, body = bot_call(client, "getUpdates", timeout=0)
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )


def test_get_updates_returns_and_confirms(client: FlaskClient) -> None:
    ids = [customer_says(client, f"m{i}")["update_id"] for i in range(3)]
    _, body = bot_call(client, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == ids
    assert_conforms(body["result"][0], "Update")
    _, body = bot_call(client, "getUpdates", offset=ids[1] + 1, limit="1")
    assert [u["update_id"] for u in body["result"]] == [ids[2]]
    _, body = bot_call(client, "getUpdates", offset=ids[2] + 1, timeout=0)
    assert body["result"] == []


def test_every_call_is_recorded_with_its_outcome(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "hi")
    client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": str(CUSTOMER_ID), "text": "one"})
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID)
    calls = state.calls.calls("sendMessage")
    assert [c["ok"] for c in calls] == [True, False]
    assert calls[0]["params"] == {"chat_id": str(CUSTOMER_ID), "text": "one"}
    assert calls[1]["error_code"] == 400
    assert calls[0]["time"] <= calls[1]["time"]


def test_invalid_json_body_is_400(client: FlaskClient) -> None:
    response = client.post(f"/bot{TOKEN}/getMe", data="{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["description"] == "Bad Request: can't parse JSON object"
