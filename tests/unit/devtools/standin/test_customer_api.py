"""The customer's side: the page, and messages/buttons/blocks becoming real Updates."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import samples
from flask.testing import FlaskClient
from werkzeug.test import TestResponse as FlaskResponse

from devtools.standin.state import StandinState

from .api_schema import assert_conforms
from .conftest import CUSTOMER_ID, TOKEN, bot_call, customer_says

STATIC = Path(__file__).resolve().parents[4] / "devtools" / "standin" / "static"


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
    from devtools.standin import create_app

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
    for hook in (
        "customer-name",
        "customer-input",
        "customer-send",
        "customer-attach",
        "customer-location",
        "customer-contact",
        "customer-dice",
        "customer-sticker",
        "customer-poll",
        "customer-edit-last",
        "customer-edit-input",
        "customer-forward",
        "customer-forward-name",
        "customer-language",
        "customer-avatar",
        "customer-status",
    ):
        assert f'data-testid="{hook}"' in html, hook
    assert re.search(r'<input type="file"[^>]*data-testid="customer-attach"[^>]*multiple', html)
    assert '<option value="es">' in html and '<option value="en">' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "media-src 'self'" in policy
    assert "<script>" not in html  # no inline script: the policy would block it anyway
    assert client.get("/static/chat.js").status_code == 200
    assert client.get("/static/chat.css").status_code == 200


def test_page_script_never_renders_text_as_html() -> None:
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", script)
    assert 'dataset.testid = "customer-bubble"' in script
    assert "dataset.from = message.from" in script
    assert "100000000 + (buffer[0] % 900000000)" in script  # user ids in 100000000-999999999
    assert "es:" in script  # Spanish strings, picked by navigator.language or the language selector
    # Hooks drawn per message, and where a bubble says what it is.
    for hook in ('"customer-react"', '"customer-react-option"', '"customer-reply"', '"customer-reaction"'):
        assert hook in script, hook
    assert "bubble.dataset.kind = message.kind" in script
    assert 'bubble.dataset.edited = "true"' in script
    assert "option.dataset.emoji = emoji" in script
    assert '"/start " + startPayload' in script  # /?start=order_1234 sends "/start order_1234" first
    assert "&since=" in script  # the page polls changes (edits, deletions), not just new messages


def test_bot_info_for_the_header(client: FlaskClient) -> None:
    assert client.get("/customer/api/bot").get_json() == {
        "id": 123456789,
        "first_name": "Teledesk Bot",
        "username": "teledesk_bot",
    }


# --- every kind of message a customer can send --------------------------------------------------------

ANA = {"user_id": CUSTOMER_ID, "first_name": "Ana", "language_code": "es"}


def _queued(state: StandinState, update_id: int) -> dict:
    """The Update as the desk would receive it (from the queue), checked against the Bot API tables."""
    update = next(u for u in state.feed.poll(None, None, 0, None) if u["update_id"] == update_id)
    assert_conforms(update, "Update")
    return update


def _upload(client: FlaskClient, files: list[tuple[bytes, str]], **fields: str) -> FlaskResponse:
    data = {key: str(value) for key, value in (ANA | fields).items()}
    data["file"] = [(io.BytesIO(content), name) for content, name in files]  # type: ignore[assignment]
    return client.post("/customer/api/media", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("content", "filename", "kind"),
    [
        (samples.jpeg(1024, 768), "IMG_0001.jpg", "photo"),
        (b"%PDF-1.4 order", "order.pdf", "document"),
        (samples.ogg_opus(2), "voice.oga", "voice"),
        (samples.mp4(640, 360, 4), "clip.mp4", "video"),
        (samples.gif(), "fun.gif", "animation"),
        (b"ID3\x04", "song.mp3", "audio"),
    ],
)
def test_customer_files_become_media_messages(
    client: FlaskClient, state: StandinState, content: bytes, filename: str, kind: str
) -> None:
    response = _upload(client, [(content, filename)], caption="see this")
    assert response.status_code == 201, response.get_json()
    update = _queued(state, response.get_json()["update_id"])
    message = update["message"]
    assert message["caption"] == "see this"
    assert message["from"]["language_code"] == "es"
    media = message[kind][-1] if kind == "photo" else message[kind]
    # The bot can fetch the very same bytes through getFile and the download route.
    _, file = bot_call(client, "getFile", file_id=media["file_id"])
    download = client.get(f"/file/bot{TOKEN}/{file['result']['file_path']}")
    assert download.data == content
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["messages"][-1]
    assert (shown["kind"], shown["text"]) == (kind, "see this")
    assert client.get(shown["file"]["url"]).data == content  # what the page loads


def test_a_file_can_be_sent_as_a_document(client: FlaskClient, state: StandinState) -> None:
    response = _upload(client, [(samples.png(), "screenshot.png")], kind="document")
    document = _queued(state, response.get_json()["update_id"])["message"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("screenshot.png", "image/png")
    refused = _upload(client, [(b"plain text", "a.txt")], kind="photo")
    assert refused.status_code == 400


def test_several_photos_make_an_album(client: FlaskClient, state: StandinState) -> None:
    photos = [(samples.png(100 + i, 80), f"p{i}.png") for i in range(3)]
    response = _upload(client, photos, caption="the damage")
    assert response.status_code == 201
    answers = response.get_json()["updates"]
    assert len(answers) == 3
    updates = [_queued(state, a["update_id"]) for a in answers]
    messages = [u["message"] for u in updates]
    assert [m["message_id"] for m in messages] == [1, 2, 3]
    assert [u["update_id"] for u in updates] == [answers[0]["update_id"] + i for i in range(3)]
    group = {m["media_group_id"] for m in messages}
    assert len(group) == 1 and group.pop().isdigit()
    assert [m.get("caption") for m in messages] == ["the damage", None, None]  # the album's caption: first only
    # A photo and a PDF are not one album: each goes on its own.
    mixed = _upload(client, [(samples.png(), "a.png"), (b"%PDF-1.4", "b.pdf")]).get_json()["updates"]
    assert all("media_group_id" not in a["message"] for a in mixed)


def test_eleven_photos_make_two_albums(client: FlaskClient) -> None:
    answers = _upload(client, [(samples.png(50 + i, 50), f"{i}.png") for i in range(11)]).get_json()["updates"]
    groups = [a["message"].get("media_group_id") for a in answers]
    assert len(set(groups[:10])) == 1 and groups[10] is None


def test_customer_media_validation(client: FlaskClient, state: StandinState) -> None:
    assert client.post("/customer/api/media", data=ANA, content_type="multipart/form-data").status_code == 400
    assert _upload(client, [(b"", "empty.txt")]).status_code == 400
    assert _upload(client, [(b"x", "a.txt")], caption="x" * 1025).status_code == 400
    assert _upload(client, [(b"x", "a.txt")], kind="hologram").status_code == 400
    assert state.feed.pending_count == 0


@pytest.mark.parametrize(
    ("route", "body", "field", "expected"),
    [
        (
            "location",
            {"latitude": 41.3874, "longitude": 2.1686},
            "location",
            {"latitude": 41.3874, "longitude": 2.1686},
        ),
        (
            "contact",
            {"contact": {"phone_number": "+34600111222", "first_name": "Luis"}},
            "contact",
            {"phone_number": "+34600111222", "first_name": "Luis"},
        ),
        ("dice", {"emoji": "🎯", "value": 6}, "dice", {"emoji": "🎯", "value": 6}),
    ],
)
def test_location_contact_dice(
    client: FlaskClient, state: StandinState, route: str, body: dict, field: str, expected: dict
) -> None:
    response = client.post(f"/customer/api/{route}", json=ANA | body)
    assert response.status_code == 201, response.get_json()
    message = _queued(state, response.get_json()["update_id"])["message"]
    assert message[field] == expected
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["messages"][-1]
    assert shown["kind"] == field and shown[field] == expected


def test_defaults_for_the_page_buttons(client: FlaskClient) -> None:
    place = client.post("/customer/api/location", json=ANA).get_json()["message"]["location"]
    assert place["latitude"] == pytest.approx(40.4168, abs=0.01)
    own = client.post("/customer/api/contact", json=ANA).get_json()["message"]["contact"]
    assert own["user_id"] == CUSTOMER_ID and own["first_name"] == "Ana" and own["phone_number"].startswith("+34")
    dice = client.post("/customer/api/dice", json=ANA).get_json()["message"]["dice"]
    assert dice["emoji"] == "🎲" and 1 <= dice["value"] <= 6


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("location", {"latitude": 91, "longitude": 0}),
        ("location", {"latitude": "40", "longitude": 0}),
        ("contact", {"contact": {"first_name": "No phone"}}),
        ("dice", {"emoji": "🐸"}),
        ("dice", {"emoji": "🏀", "value": 6}),
        ("poll", {"question": "", "options": ["a"]}),
        ("poll", {"question": "Q", "options": []}),
        ("poll", {"question": "Q", "options": [str(i) for i in range(13)]}),
        ("poll", {"question": "Q", "options": ["a", "x" * 101]}),
    ],
)
def test_bad_actions_are_refused(client: FlaskClient, state: StandinState, route: str, body: dict) -> None:
    assert client.post(f"/customer/api/{route}", json=ANA | body).status_code == 400
    assert state.feed.pending_count == 0


def test_sticker_and_poll(client: FlaskClient, state: StandinState) -> None:
    first = client.post("/customer/api/sticker", json=ANA | {"emoji": "👍"}).get_json()
    sticker = _queued(state, first["update_id"])["message"]["sticker"]
    assert (sticker["type"], sticker["width"], sticker["height"], sticker["emoji"]) == ("regular", 512, 512, "👍")
    again = client.post("/customer/api/sticker", json=ANA | {"emoji": "👍"}).get_json()["message"]["sticker"]
    assert again["file_unique_id"] == sticker["file_unique_id"]  # the same sticker every time
    _, file = bot_call(client, "getFile", file_id=sticker["file_id"])
    assert file["result"]["file_path"].startswith("stickers/")

    answer = client.post(
        "/customer/api/poll", json=ANA | {"question": "Which size?", "options": ["S", "M", "L"]}
    ).get_json()
    poll = _queued(state, answer["update_id"])["message"]["poll"]
    assert poll["question"] == "Which size?"
    assert [o["text"] for o in poll["options"]] == ["S", "M", "L"]
    assert (poll["type"], poll["is_closed"], poll["total_voter_count"]) == ("regular", False, 0)


def test_reply_to_an_earlier_message(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "my order is late")
    _, sent = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="Which order?")
    response = client.post(
        "/customer/api/messages", json=ANA | {"text": "#1234", "reply_to_message_id": sent["result"]["message_id"]}
    )
    assert response.status_code == 201
    message = _queued(state, response.get_json()["update_id"])["message"]
    assert message["reply_to_message"] == sent["result"]
    assert client.post("/customer/api/messages", json=ANA | {"text": "x", "reply_to_message_id": 99}).status_code == 404
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["messages"][-1]
    assert shown["reply_to_message_id"] == sent["result"]["message_id"]
    located = client.post("/customer/api/location", json=ANA | {"reply_to_message_id": 1}).get_json()
    assert located["message"]["reply_to_message"]["text"] == "my order is late"


def test_forward_as_if_from_another_user(client: FlaskClient, state: StandinState) -> None:
    response = client.post(
        "/customer/api/messages",
        json=ANA | {"text": "Your parcel is delayed", "forward_from": {"first_name": "Correos", "username": "correos"}},
    )
    message = _queued(state, response.get_json()["update_id"])["message"]
    origin = message["forward_origin"]
    assert origin["type"] == "user"
    assert origin["sender_user"]["first_name"] == "Correos" and origin["sender_user"]["id"] != CUSTOMER_ID
    assert origin["date"] < message["date"]
    assert list(message)[:5] == ["message_id", "from", "date", "chat", "forward_origin"]
    hidden = client.post("/customer/api/messages", json=ANA | {"text": "x", "forward_sender_name": "Somebody"})
    hidden_origin = _queued(state, hidden.get_json()["update_id"])["message"]["forward_origin"]
    assert hidden_origin == {"type": "hidden_user", "date": hidden_origin["date"], "sender_user_name": "Somebody"}
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["messages"]
    assert [m.get("forward_from") for m in shown] == ["Correos", "Somebody"]
    bad = client.post("/customer/api/messages", json=ANA | {"text": "x", "forward_from": "Correos"})
    assert bad.status_code == 400


def test_deep_link_start_payload(client: FlaskClient, state: StandinState) -> None:
    """What the page sends first when opened as /?start=order_1234."""
    message = customer_says(client, "/start order_1234")["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


def test_customer_edits_a_message(client: FlaskClient, state: StandinState) -> None:
    sent = customer_says(client, "my order 1243 is late")
    before = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}&since=0").get_json()["revision"]
    response = client.post(
        "/customer/api/edit", json={"user_id": CUSTOMER_ID, "message_id": 1, "text": "my order 1234 is late"}
    )
    assert response.status_code == 201, response.get_json()
    update = _queued(state, response.get_json()["update_id"])
    edited = update["edited_message"]
    assert edited["message_id"] == sent["message"]["message_id"]
    assert edited["text"] == "my order 1234 is late"
    assert edited["date"] == sent["message"]["date"] and edited["edit_date"] >= edited["date"]
    changes = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}&since={before}").get_json()
    assert [(m["message_id"], m["text"], "edit_date" in m) for m in changes["messages"]] == [
        (1, "my order 1234 is late", True)
    ]
    # The bot now quotes the new text.
    _, reply = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="ok", reply_parameters={"message_id": 1})
    assert reply["result"]["reply_to_message"]["text"] == "my order 1234 is late"


def test_edit_refusals(client: FlaskClient) -> None:
    customer_says(client, "hi")
    bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="hello")
    client.post("/customer/api/dice", json=ANA)
    for body, status in (
        ({"message_id": 1, "text": "hi"}, 400),  # unchanged
        ({"message_id": 1, "text": ""}, 400),
        ({"message_id": 2, "text": "x"}, 403),  # the bot's
        ({"message_id": 3, "text": "x"}, 400),  # a dice
        ({"message_id": 9, "text": "x"}, 404),
        ({"message_id": "1", "text": "x"}, 400),
    ):
        assert client.post("/customer/api/edit", json={"user_id": CUSTOMER_ID} | body).status_code == status, body


def test_reactions_respect_allowed_updates(client: FlaskClient, state: StandinState) -> None:
    customer_says(client, "hi")
    _, sent = bot_call(client, "sendMessage", chat_id=CUSTOMER_ID, text="Solved?")
    message_id = sent["result"]["message_id"]
    state.feed.poll(10**12, None, 0, None)  # confirm everything so far
    react = {"user_id": CUSTOMER_ID, "message_id": message_id}

    ignored = client.post("/customer/api/reactions", json=react | {"emoji": "👍"}).get_json()
    assert ignored["queued"] is False  # Telegram's default allowed_updates leave reactions out
    assert state.feed.pending_count == 0

    state.feed.poll(None, None, 0, ["message", "message_reaction"])
    answer = client.post("/customer/api/reactions", json=react | {"emoji": "🔥"})
    assert answer.status_code == 201 and answer.get_json()["queued"] is True
    update = _queued(state, answer.get_json()["update_id"])
    reaction = update["message_reaction"]
    assert list(reaction) == ["chat", "message_id", "user", "date", "old_reaction", "new_reaction"]
    assert reaction["message_id"] == message_id and reaction["user"]["id"] == CUSTOMER_ID
    assert reaction["old_reaction"] == [{"type": "emoji", "emoji": "👍"}]
    assert reaction["new_reaction"] == [{"type": "emoji", "emoji": "🔥"}]
    same = client.post("/customer/api/reactions", json=react | {"emoji": "🔥"}).get_json()
    assert same == {"update_id": None, "queued": False}
    taken_back = client.post("/customer/api/reactions", json=react | {"emoji": None}).get_json()
    assert taken_back["message_reaction"]["new_reaction"] == []
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["messages"]
    assert "reaction" not in shown[-1]
    assert client.post("/customer/api/reactions", json=react | {"emoji": "🐸"}).status_code == 400
    assert client.post("/customer/api/reactions", json=react | {"message_id": 99, "emoji": "👍"}).status_code == 404


def test_language_code_is_sent_in_from(client: FlaskClient) -> None:
    english = customer_says(client, "hello", language_code="en")["message"]["from"]
    assert english["language_code"] == "en"
    spanish = customer_says(client, "hola", language_code="es")["message"]["from"]
    assert spanish["language_code"] == "es"


def test_unknown_files_are_404(client: FlaskClient) -> None:
    assert client.get("/customer/api/files/nope").status_code == 404


def test_blocked_customer_cannot_send_anything(client: FlaskClient) -> None:
    customer_says(client, "hi")
    client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": True})
    assert client.post("/customer/api/location", json=ANA).status_code == 409
    assert _upload(client, [(samples.png(), "a.png")]).status_code == 409
    assert (
        client.post("/customer/api/edit", json={"user_id": CUSTOMER_ID, "message_id": 1, "text": "x"}).status_code
        == 409
    )


def test_bot_media_is_shown_on_the_page(client: FlaskClient) -> None:
    customer_says(client, "hi")
    bot_call(client, "sendChatAction", chat_id=CUSTOMER_ID, action="upload_document")
    assert client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()["action"] == "upload_document"
    content = b"%PDF-1.4 invoice"
    client.post(
        f"/bot{TOKEN}/sendDocument",
        data={"chat_id": str(CUSTOMER_ID), "document": (io.BytesIO(content), "invoice.pdf"), "caption": "Invoice"},
        content_type="multipart/form-data",
    )
    shown = client.get(f"/customer/api/messages?user_id={CUSTOMER_ID}").get_json()
    item = shown["messages"][-1]
    assert (item["from"], item["kind"], item["text"]) == ("bot", "document", "Invoice")
    assert item["file"]["file_name"] == "invoice.pdf" and item["file"]["mime_type"] == "application/pdf"
    download = client.get(item["file"]["url"])
    assert download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert shown["action"] is None  # the message ended the action
