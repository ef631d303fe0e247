"""Test hooks: the call log, planned failures and raw Updates."""

from __future__ import annotations

import threading
import time

from flask.testing import FlaskClient

from devtools.standin.state import StandinState

from .conftest import CUSTOMER_ID, TOKEN, bot_call, customer_says


def test_calls_are_readable_and_filterable(client: FlaskClient) -> None:
    customer_says(client, "hi")
    bot_call(client, "getMe")
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="one")
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="two")
    everything = client.get("/standin/api/calls").get_json()["calls"]
    assert [c["method"] for c in everything] == ["getMe", "sendMessage", "sendMessage"]
    sends = client.get("/standin/api/calls?method=sendMessage").get_json()["calls"]
    assert [c["params"]["text"] for c in sends] == ["one", "two"]
    assert all(isinstance(c["time"], float) and c["ok"] for c in sends)
    assert client.delete("/standin/api/calls").status_code == 204
    assert client.get("/standin/api/calls").get_json()["calls"] == []


def test_planned_failures_are_used_up_in_order(client: FlaskClient) -> None:
    customer_says(client, "hi")
    response = client.post(
        "/standin/api/failures",
        json={"method": "sendMessage", "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    assert response.status_code == 201
    client.post("/standin/api/failures", json={"method": "sendmessage", "error_code": 500, "count": 2})
    assert len(client.get("/standin/api/failures").get_json()["failures"]["sendmessage"]) == 3

    results = [bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="x") for _ in range(4)]
    assert [status for status, _ in results] == [403, 500, 500, 200]
    assert results[0][1] == {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    assert results[1][1] == {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    assert bot_call(client, "getMe")[0] == 200  # other methods untouched
    calls = client.get("/standin/api/calls?method=sendMessage").get_json()["calls"]
    assert [c.get("error_code") for c in calls] == [403, 500, 500, None]


def test_a_failure_planned_for_one_chat_leaves_the_other_chats_served(client: FlaskClient) -> None:
    other = CUSTOMER_ID + 1
    customer_says(client, "hi")
    customer_says(client, "hola", user_id=other)
    planned = client.post("/standin/api/failures", json={"method": "sendMessage", "error_code": 429, "retry_after": 9,
                                                         "count": 2, "chat_id": CUSTOMER_ID})
    assert planned.status_code == 201
    assert client.get("/standin/api/failures").get_json()["failures"]["sendmessage"][0]["chat_id"] == str(CUSTOMER_ID)
    assert bot_call(client, "sendMessage", chat_id=other, text="served")[0] == 200
    flooded = [bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="x") for _ in range(3)]
    assert [status for status, _ in flooded] == [429, 429, 200]
    assert flooded[0][1]["parameters"] == {"retry_after": 9}
    assert client.post("/standin/api/failures", json={"method": "sendMessage", "error_code": 500,
                                                      "chat_id": "nine"}).status_code == 400


def test_429_carries_retry_after_like_telegram(client: FlaskClient) -> None:
    client.post("/standin/api/failures", json={"method": "getMe", "error_code": 429, "retry_after": 7})
    response = client.get(f"/bot{TOKEN}/getMe")
    assert response.status_code == 429
    assert response.get_json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


def test_failures_can_be_cleared(client: FlaskClient) -> None:
    client.post("/standin/api/failures", json={"method": "getMe", "error_code": 500, "count": 5})
    client.post("/standin/api/failures", json={"method": "getUpdates", "error_code": 500})
    assert client.delete("/standin/api/failures?method=getMe").status_code == 204
    assert list(client.get("/standin/api/failures").get_json()["failures"]) == ["getupdates"]
    client.delete("/standin/api/failures")
    assert client.get("/standin/api/failures").get_json()["failures"] == {}
    assert bot_call(client, "getMe")[0] == 200


def test_bad_failure_plans_are_refused(client: FlaskClient) -> None:
    for body in (
        {"error_code": 500},
        {"method": "getMe", "error_code": 200},
        {"method": "getMe", "error_code": "500"},
        {"method": "getMe", "error_code": 429, "retry_after": -1},
        {"method": "getMe", "error_code": 500, "count": 0},
    ):
        assert client.post("/standin/api/failures", json=body).status_code == 400, body


def test_raw_updates_are_numbered_and_delivered(client: FlaskClient, state: StandinState) -> None:
    first = client.post("/standin/api/updates", json={"edited_message": {"message_id": 5, "text": "edit"}})
    assert first.status_code == 201
    body = first.get_json()
    assert body["queued"] is True
    explicit = client.post("/standin/api/updates", json={"update_id": body["update_id"] + 10, "poll": {}})
    after = client.post("/standin/api/updates", json={"poll": {}}).get_json()
    assert after["update_id"] == body["update_id"] + 11  # ids keep rising past an explicit one
    _, got = bot_call(client, "getUpdates")
    assert [u["update_id"] for u in got["result"]] == [
        body["update_id"],
        explicit.get_json()["update_id"],
        after["update_id"],
    ]
    assert got["result"][0] == {"update_id": body["update_id"], "edited_message": {"message_id": 5, "text": "edit"}}
    assert client.post("/standin/api/updates", data="nope", content_type="application/json").status_code == 400
    assert client.post("/standin/api/updates", json={"update_id": "1"}).status_code == 400


def test_raw_update_opens_the_chat_for_replies(client: FlaskClient) -> None:
    user = {"id": 700000001, "is_bot": False, "first_name": "Raw"}
    update = {
        "message": {
            "message_id": 41,
            "from": user,
            "chat": {"id": 700000001, "type": "private", "first_name": "Raw"},
            "date": 1,
            "text": "from a test",
        }
    }
    assert client.post("/standin/api/updates", json=update).status_code == 201
    status, body = bot_call(
        client, "sendMessage", chat_id=700000001, text="answer", reply_parameters={"message_id": 41}
    )
    assert status == 200
    assert body["result"]["message_id"] == 42
    assert body["result"]["reply_to_message"]["text"] == "from a test"


def test_default_allowed_updates_leave_out_chat_member(client: FlaskClient) -> None:
    answer = client.post("/standin/api/updates", json={"chat_member": {}}).get_json()
    assert answer["queued"] is False  # Telegram only sends these when asked for by allowed_updates
    assert bot_call(client, "getUpdates")[1]["result"] == []


def test_a_delay_holds_the_answer_and_can_be_planned_with_an_error(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "hi")
    assert client.post("/standin/api/failures", json={"method": "sendMessage", "delay": 0.2}).status_code == 201
    client.post("/standin/api/failures", json={"method": "getMe", "delay": 0.1, "error_code": 502})
    assert client.get("/standin/api/failures").get_json()["failures"] == {
        "sendmessage": [{"delay": 0.2}],
        "getme": [{"error_code": 502, "description": "Bad Gateway", "delay": 0.1}],
    }
    started = time.monotonic()
    status, body = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="late but sent")
    assert time.monotonic() - started >= 0.2
    assert status == 200 and body["result"]["text"] == "late but sent"  # answered normally, just late
    started = time.monotonic()
    assert bot_call(client, "getMe")[0] == 502
    assert time.monotonic() - started >= 0.1
    assert bot_call(client, "getMe")[0] == 200
    # The call's own refusal comes late too.
    client.post("/standin/api/failures", json={"method": "sendMessage", "delay": 0.1})
    started = time.monotonic()
    assert bot_call(client, "sendMessage", chat_id=777, text="x")[1]["description"] == "Bad Request: chat not found"
    assert time.monotonic() - started >= 0.1


def test_closing_the_stand_in_cuts_a_delay_short(client: FlaskClient, state: StandinState) -> None:
    client.post("/standin/api/failures", json={"method": "getMe", "delay": 30})
    threading.Timer(0.1, state.close).start()
    started = time.monotonic()
    assert bot_call(client, "getMe")[0] == 200
    assert time.monotonic() - started < 5


def test_bad_delays_are_refused(client: FlaskClient) -> None:
    for body in (
        {"method": "getMe"},
        {"method": "getMe", "delay": 0},
        {"method": "getMe", "delay": -1},
        {"method": "getMe", "delay": "5"},
        {"method": "getMe", "delay": True},
        {"method": "getMe", "delay": 10_000},
        {"method": "getMe", "delay": 1, "error_code": 200},
    ):
        assert client.post("/standin/api/failures", json=body).status_code == 400, body
