"""The staff forum: topics through the Bot API, sends into them, staff members' messages as Updates."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from devtools.standin.forum import STAFF_GROUP_ID, STAFF_MEMBERS

from .conftest import CUSTOMER_ID, bot_call, customer_says


def new_topic(client: FlaskClient, name: str = "Ana · open") -> int:
    status, body = bot_call(client, "createForumTopic", chat_id=STAFF_GROUP_ID, name=name)
    assert status == 200, body
    return int(body["result"]["message_thread_id"])


def forum(client: FlaskClient) -> dict[str, Any]:
    return client.get("/standin/api/forum").get_json()


def test_a_created_topic_takes_the_bot_s_messages_in_its_thread(client: FlaskClient) -> None:
    status, body = bot_call(client, "createForumTopic", chat_id=STAFF_GROUP_ID, name="Ana · open")
    assert status == 200
    topic = body["result"]
    assert topic["name"] == "Ana · open" and isinstance(topic["icon_color"], int)
    status, body = bot_call(client, "sendMessage", chat_id=str(STAFF_GROUP_ID),
                            message_thread_id=topic["message_thread_id"], text="👤 Ana: hello")
    assert status == 200, body
    sent = body["result"]
    assert sent["chat"] == {"id": STAFF_GROUP_ID, "title": "Support staff", "type": "supergroup", "is_forum": True}
    assert (sent["message_thread_id"], sent["is_topic_message"]) == (topic["message_thread_id"], True)
    assert sent["from"]["is_bot"] is True
    [shown] = forum(client)["topics"]
    assert shown["name"] == "Ana · open"
    assert [m["text"] for m in shown["messages"]] == ["", "👤 Ana: hello"]  # the topic's creation, then the send


def test_a_topic_is_renamed_closed_reopened_and_deleted_as_telegram_answers(client: FlaskClient) -> None:
    thread_id = new_topic(client)
    assert bot_call(client, "editForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id,
                    name="Ana · resolved")[0] == 200
    status, body = bot_call(client, "editForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id,
                            name="Ana · resolved")
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_NOT_MODIFIED")
    assert bot_call(client, "closeForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id)[0] == 200
    status, body = bot_call(client, "sendMessage", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id, text="x")
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_CLOSED")
    assert bot_call(client, "reopenForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id)[0] == 200
    assert bot_call(client, "sendMessage", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id, text="x")[0] == 200
    assert bot_call(client, "deleteForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id)[0] == 200
    status, body = bot_call(client, "sendMessage", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message thread not found")
    status, body = bot_call(client, "editForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id, name="y")
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_ID_INVALID")
    assert forum(client)["topics"][0]["deleted"] is True


def test_topic_names_are_checked_and_forum_methods_want_the_group(client: FlaskClient) -> None:
    status, body = bot_call(client, "createForumTopic", chat_id=STAFF_GROUP_ID, name=" ")
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_TITLE_EMPTY")
    status, body = bot_call(client, "createForumTopic", chat_id=STAFF_GROUP_ID, name="x" * 129)
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_TITLE_TOO_LONG")
    thread_id = new_topic(client)
    status, body = bot_call(client, "editForumTopic", chat_id=STAFF_GROUP_ID, message_thread_id=thread_id, name=" ")
    assert (status, body["description"]) == (400, "Bad Request: TOPIC_TITLE_EMPTY")
    customer_says(client, "hi")
    status, body = bot_call(client, "createForumTopic", chat_id=CUSTOMER_ID, name="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = bot_call(client, "sendMessage", chat_id=STAFF_GROUP_ID, message_thread_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message thread not found")


def test_private_sends_are_unchanged_beside_the_group(client: FlaskClient) -> None:
    customer_says(client, "hi")
    status, body = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="hello")
    assert status == 200 and "message_thread_id" not in body["result"]


def test_a_staff_member_s_message_in_a_topic_is_a_message_update(client: FlaskClient) -> None:
    thread_id = new_topic(client)
    bot_call(client, "deleteWebhook")
    staff = STAFF_MEMBERS[1]
    response = client.post("/standin/api/forum/messages",
                           json={"from": staff["id"], "message_thread_id": thread_id, "text": "/resolve"})
    assert response.status_code == 201, response.get_json()
    _, body = bot_call(client, "getUpdates")
    [update] = body["result"]
    message = update["message"]
    assert message["from"] == staff
    assert message["chat"]["type"] == "supergroup" and message["chat"]["is_forum"] is True
    assert (message["message_thread_id"], message["is_topic_message"], message["text"]) == (thread_id, True, "/resolve")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 8}]
    assert forum(client)["topics"][0]["messages"][-1]["from"]["id"] == staff["id"]


def test_the_hooks_refuse_bad_input_and_a_gone_topic_with_telegram_s_words(client: FlaskClient) -> None:
    thread_id = new_topic(client)
    says = lambda **body: client.post("/standin/api/forum/messages", json=body)  # noqa: E731
    assert says(message_thread_id=thread_id, text=" ").status_code == 400
    assert says(text="hi").get_json()["error"] == "message_thread_id must be an integer"
    assert says(**{"from": 1, "message_thread_id": thread_id, "text": "hi"}).status_code == 400
    assert client.post(f"/standin/api/forum/topics/{thread_id}/close").get_json()["closed"] is True
    assert says(message_thread_id=thread_id, text="hi").get_json()["error"] == "Bad Request: TOPIC_CLOSED"
    assert client.post(f"/standin/api/forum/topics/{thread_id}/reopen").get_json()["closed"] is False
    assert client.post(f"/standin/api/forum/topics/{thread_id}/delete").get_json()["deleted"] is True
    assert says(message_thread_id=thread_id, text="hi").get_json()["error"] == "Bad Request: message thread not found"
    assert client.post(f"/standin/api/forum/topics/{thread_id}/pin").status_code == 404
    assert client.post("/standin/api/forum/topics/999/close").status_code == 400
    assert [m["id"] for m in forum(client)["members"]] == [m["id"] for m in STAFF_MEMBERS]
