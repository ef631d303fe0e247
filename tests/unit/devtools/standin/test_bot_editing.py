"""editMessageText, editMessageCaption and deleteMessage: shapes, Telegram's refusals, the page's view."""

from __future__ import annotations

import pytest
import samples
from flask.testing import FlaskClient

from devtools.standin.bot_editing import NOT_MODIFIED

from .api_schema import assert_conforms
from .conftest import CUSTOMER_ID, bot_call, bot_upload, customer_says

KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


@pytest.fixture(autouse=True)
def _conversation(client: FlaskClient) -> None:
    customer_says(client, "hi")  # 1
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="Hello Ana", reply_markup=KEYBOARD)  # 2
    bot_upload(client, "sendPhoto", {"photo": (samples.png(), "p.png")}, chat_id=str(CUSTOMER_ID), caption="old")  # 3


def _page(client: FlaskClient, since: int = 0) -> dict:
    return client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}&since={since}").get_json()


def test_edit_message_text(client: FlaskClient) -> None:
    status, body = bot_call(
        client, "editMessageText", chat_id=CUSTOMER_ID, message_id=2, text="<i>Hello</i> again", parse_mode="HTML"
    )
    assert status == 200, body
    edited = body["result"]
    assert edited["message_id"] == 2
    assert edited["text"] == "Hello again"
    assert edited["entities"] == [{"type": "italic", "offset": 0, "length": 5}]
    assert edited["edit_date"] >= edited["date"]
    assert "reply_markup" not in edited  # an edit without reply_markup drops the keyboard, as in Telegram
    assert list(edited) == ["message_id", "from", "date", "chat", "edit_date", "text", "entities"]
    assert_conforms(edited, "Message")
    shown = next(m for m in _page(client)["messages"] if m["message_id"] == 2)
    assert (shown["text"], shown["edit_date"]) == ("Hello again", edited["edit_date"])


def test_edit_message_text_refusals(client: FlaskClient) -> None:
    cases = [
        ({"message_id": 99, "text": "x"}, "Bad Request: message to edit not found"),
        ({"message_id": 2, "text": "Hello Ana", "reply_markup": KEYBOARD}, f"Bad Request: {NOT_MODIFIED}"),
        ({"message_id": 1, "text": "x"}, "Bad Request: message can't be edited"),
        ({"message_id": 3, "text": "x"}, "Bad Request: there is no text in the message to edit"),
        ({"message_id": 2, "text": " "}, "Bad Request: message text is empty"),
        ({"message_id": 2, "text": "x" * 4097}, "Bad Request: message is too long"),
        ({"text": "x"}, "Bad Request: message identifier is not specified"),
    ]
    for params, description in cases:
        status, body = bot_call(client, "editMessageText", chat_id=CUSTOMER_ID, **params)
        assert (status, body) == (400, {"ok": False, "error_code": 400, "description": description}), params
    assert (
        bot_call(client, "editMessageText", message_id=2, text="x")[1]["description"] == "Bad Request: chat_id is empty"
    )
    assert bot_call(client, "editMessageText", inline_message_id="abc", text="x")[1]["description"] == (
        "Bad Request: MESSAGE_ID_INVALID"
    )
    # Changing only the keyboard is a change.
    status, body = bot_call(client, "editMessageText", chat_id=CUSTOMER_ID, message_id=2, text="Hello Ana")
    assert status == 200 and "reply_markup" not in body["result"]


def test_edit_message_caption(client: FlaskClient) -> None:
    status, body = bot_call(client, "editMessageCaption", chat_id=CUSTOMER_ID, message_id=3, caption="new caption")
    assert status == 200, body
    edited = body["result"]
    assert edited["caption"] == "new caption" and "photo" in edited and "edit_date" in edited
    assert_conforms(edited, "Message")
    again = bot_call(client, "editMessageCaption", chat_id=CUSTOMER_ID, message_id=3, caption="new caption")
    assert again[1]["description"] == f"Bad Request: {NOT_MODIFIED}"
    removed = bot_call(client, "editMessageCaption", chat_id=CUSTOMER_ID, message_id=3)[1]["result"]
    assert "caption" not in removed
    no_caption = bot_call(client, "editMessageCaption", chat_id=CUSTOMER_ID, message_id=2, caption="x")
    assert no_caption[1]["description"] == "Bad Request: there is no caption in the message to edit"
    too_long = bot_call(client, "editMessageCaption", chat_id=CUSTOMER_ID, message_id=3, caption="x" * 1025)
    assert too_long[1]["description"] == "Bad Request: message caption is too long"


def test_delete_message(client: FlaskClient) -> None:
    before = _page(client)["revision"]
    assert bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID, message_id=2) == (200, {"ok": True, "result": True})
    status, body = bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID, message_id=2)
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    assert bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID)[1]["description"] == (
        "Bad Request: message identifier is not specified"
    )
    changes = _page(client, before)
    assert changes["deleted"] == [2] and changes["messages"] == []
    assert 2 not in [m["message_id"] for m in _page(client)["messages"]]
    # Gone for good: no edits, no replies to it.
    assert bot_call(client, "editMessageText", chat_id=CUSTOMER_ID, message_id=2, text="x")[1]["description"] == (
        "Bad Request: message to edit not found"
    )
    reply = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="x", reply_parameters={"message_id": 2})
    assert reply[1]["description"] == "Bad Request: message to be replied not found"
    # In a private chat the bot may delete the customer's messages too.
    assert bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID, message_id=1)[0] == 200


def test_planned_failures_apply_to_edits(client: FlaskClient) -> None:
    client.post("/standin/api/failures", json={"method": "deleteMessage", "error_code": 500})
    assert bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID, message_id=2)[0] == 500
    assert bot_call(client, "deleteMessage", chat_id=CUSTOMER_ID, message_id=2)[0] == 200
