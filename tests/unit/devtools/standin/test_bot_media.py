"""Uploads, re-sends, getFile, the download route and profile photos, in Telegram's shapes."""

from __future__ import annotations

import pytest
import samples
from flask.testing import FlaskClient

from devtools.standin.state import StandinState
from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_DOWNLOAD_BYTES, MAX_UPLOAD_BYTES

from .api_schema import assert_conforms
from .conftest import CUSTOMER_ID, TOKEN, bot_call, bot_upload, customer_says


@pytest.fixture(autouse=True)
def _customer_wrote(client: FlaskClient) -> None:
    customer_says(client, "hi")  # message 1: Telegram lets a bot write only to users who wrote first


def test_send_photo_answers_a_message_with_sizes(client: FlaskClient) -> None:
    status, body = bot_upload(
        client,
        "sendPhoto",
        {"photo": (samples.jpeg(800, 600), "receipt.jpg")},
        chat_id=str(CUSTOMER_ID),
        caption="<b>Your</b> receipt",
        parse_mode="HTML",
        reply_parameters={"message_id": 1},
        has_spoiler="true",
    )
    assert status == 200, body
    message = body["result"]
    assert list(message) == [
        "message_id",
        "from",
        "date",
        "chat",
        "reply_to_message",
        "photo",
        "caption",
        "caption_entities",
        "has_media_spoiler",
    ]
    assert message["message_id"] == 2 and message["reply_to_message"]["message_id"] == 1
    assert [(p["width"], p["height"]) for p in message["photo"]] == [(90, 68), (800, 600)]
    assert message["caption"] == "Your receipt"
    assert message["caption_entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert_conforms(message, "Message")


@pytest.mark.parametrize(
    ("method", "field", "content", "filename", "expected"),
    [
        (
            "sendDocument",
            "document",
            b"%PDF-1.4 invoice",
            "invoice.pdf",
            {"file_name": "invoice.pdf", "mime_type": "application/pdf", "file_size": 16},
        ),
        (
            "sendVoice",
            "voice",
            samples.ogg_opus(5),
            "application.octet-stream",
            {"duration": 5, "mime_type": "audio/ogg"},
        ),
        ("sendVideo", "video", samples.mp4(640, 360, 9), "clip.mp4", {"width": 640, "height": 360, "duration": 9}),
        ("sendAudio", "audio", b"ID3\x04tags", "song.mp3", {"file_name": "song.mp3", "mime_type": "audio/mpeg"}),
        ("sendAnimation", "animation", samples.gif(48, 32), "party.gif", {"width": 48, "height": 32}),
    ],
)
def test_each_upload_method_answers_its_media_object(
    client: FlaskClient, method: str, field: str, content: bytes, filename: str, expected: dict
) -> None:
    status, body = bot_upload(client, method, {field: (content, filename)}, chat_id=str(CUSTOMER_ID))
    assert status == 200, body
    message = body["result"]
    media = message[field]
    assert media.items() >= expected.items()
    assert media["file_id"] and media["file_unique_id"]
    assert "caption" not in message
    assert_conforms(message, "Message")


def test_stated_duration_and_tags_win(client: FlaskClient) -> None:
    _, body = bot_upload(
        client,
        "sendAudio",
        {"audio": (b"ID3\x04tags", "song.mp3")},
        chat_id=str(CUSTOMER_ID),
        duration="215",
        performer="Band",
        title="Song",
    )
    audio = body["result"]["audio"]
    assert (audio["duration"], audio["performer"], audio["title"]) == (215, "Band", "Song")


def test_attach_uri_and_file_id_resend(client: FlaskClient, state: StandinState) -> None:
    status, body = bot_upload(
        client, "sendDocument", {"part1": (b"hello", "notes.txt")}, chat_id=str(CUSTOMER_ID), document="attach://part1"
    )
    assert status == 200, body
    document = body["result"]["document"]
    assert document["mime_type"] == "text/plain"
    status, again = bot_call(client, "sendDocument", chat_id=CUSTOMER_ID, document=document["file_id"], caption="again")
    assert status == 200
    assert again["result"]["document"] == document  # the same file, nothing uploaded twice
    assert again["result"]["caption"] == "again"
    assert state.calls.calls("sendDocument")[0]["params"]["part1"] == "<file notes.txt>"


@pytest.mark.parametrize(
    ("method", "params", "files", "status", "description"),
    [
        ("sendPhoto", {}, {}, 400, "Bad Request: there is no photo in the request"),
        ("sendVoice", {}, {}, 400, "Bad Request: there is no voice in the request"),
        ("sendPhoto", {}, {"photo": (b"<html>not an image</html>", "x.jpg")}, 400, "Bad Request: IMAGE_PROCESS_FAILED"),
        ("sendPhoto", {}, {"photo": (samples.png(400, 10), "strip.png")}, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS"),
        ("sendDocument", {}, {"document": (b"", "empty.txt")}, 400, "Bad Request: file must be non-empty"),
        ("sendDocument", {"document": "AgAAnope"}, {}, 400, "Bad Request: wrong file identifier/HTTP URL specified"),
        ("sendDocument", {"document": "https://x.test/a.pdf"}, {}, 400, "Bad Request: failed to get HTTP URL content"),
        (
            "sendPhoto",
            {"caption": "x" * (MAX_CAPTION_LENGTH + 1)},
            {"photo": (samples.png(), "p.png")},
            400,
            "Bad Request: message caption is too long",
        ),
        ("sendPhoto", {"chat_id": "777"}, {"photo": (samples.png(), "p.png")}, 400, "Bad Request: chat not found"),
        (
            "sendPhoto",
            {"reply_parameters": {"message_id": 99}},
            {"photo": (samples.png(), "p.png")},
            400,
            "Bad Request: message to be replied not found",
        ),
    ],
)
def test_uploads_refused_like_telegram(
    client: FlaskClient, method: str, params: dict, files: dict, status: int, description: str
) -> None:
    got_status, body = bot_upload(client, method, files, **({"chat_id": str(CUSTOMER_ID)} | params))
    assert (got_status, body) == (status, {"ok": False, "error_code": status, "description": description})


def test_caption_of_exactly_the_limit_is_accepted(client: FlaskClient) -> None:
    status, body = bot_upload(
        client,
        "sendPhoto",
        {"photo": (samples.png(), "p.png")},
        chat_id=str(CUSTOMER_ID),
        caption="é" * MAX_CAPTION_LENGTH,
    )
    assert status == 200
    assert len(body["result"]["caption"]) == MAX_CAPTION_LENGTH


def test_resending_a_file_as_another_kind_is_a_mismatch(client: FlaskClient) -> None:
    _, body = bot_upload(client, "sendDocument", {"document": (b"%PDF-1.4", "a.pdf")}, chat_id=str(CUSTOMER_ID))
    status, refused = bot_call(client, "sendPhoto", chat_id=CUSTOMER_ID, photo=body["result"]["document"]["file_id"])
    assert (status, refused["description"]) == (400, "Bad Request: type of file mismatch")


def test_blocked_customer_gets_no_file(client: FlaskClient, state: StandinState) -> None:
    client.post("/customer/api/block", json={"user_id": CUSTOMER_ID, "blocked": True})
    status, body = bot_upload(client, "sendPhoto", {"photo": (samples.png(), "p.png")}, chat_id=str(CUSTOMER_ID))
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    assert state.files.by_path("photos/file_1.png") is None  # refused before anything was stored


def test_over_50_mb_is_413(client: FlaskClient) -> None:
    too_big = b"\0" * (MAX_UPLOAD_BYTES + 1)
    status, body = bot_upload(client, "sendDocument", {"document": (too_big, "big.bin")}, chat_id=str(CUSTOMER_ID))
    assert (status, body) == (413, {"ok": False, "error_code": 413, "description": "Request Entity Too Large"})
    way_too_big = b"\0" * (MAX_UPLOAD_BYTES + 4 * 1024 * 1024)  # refused by its Content-Length alone
    status, body = bot_upload(client, "sendVideo", {"video": (way_too_big, "big.mp4")}, chat_id=str(CUSTOMER_ID))
    assert (status, body["description"]) == (413, "Request Entity Too Large")


def test_get_file_and_download(client: FlaskClient) -> None:
    content = samples.jpeg(320, 200)
    _, sent = bot_upload(client, "sendPhoto", {"photo": (content, "p.jpg")}, chat_id=str(CUSTOMER_ID))
    largest = sent["result"]["photo"][-1]
    status, body = bot_call(client, "getFile", file_id=largest["file_id"])
    assert status == 200
    file = body["result"]
    assert file == {
        "file_id": largest["file_id"],
        "file_unique_id": largest["file_unique_id"],
        "file_size": len(content),
        "file_path": file["file_path"],
    }
    assert file["file_path"].startswith("photos/file_") and file["file_path"].endswith(".jpg")
    assert_conforms(file, "File")
    download = client.get(f"/file/bot{TOKEN}/{file['file_path']}")
    assert download.status_code == 200
    assert download.data == content
    assert download.headers["Content-Type"] == "image/jpeg"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/file/bot{TOKEN}/photos/file_999.jpg").status_code == 404
    assert client.get(f"/file/bot1:wrong/{file['file_path']}").status_code == 401


def test_documents_download_as_attachments(client: FlaskClient) -> None:
    _, sent = bot_upload(
        client, "sendDocument", {"document": (b"<script>x</script>", "page.html")}, chat_id=str(CUSTOMER_ID)
    )
    _, body = bot_call(client, "getFile", file_id=sent["result"]["document"]["file_id"])
    download = client.get(f"/file/bot{TOKEN}/{body['result']['file_path']}")
    assert download.headers["Content-Type"].startswith("text/html")
    assert download.headers["Content-Disposition"].startswith("attachment")  # never rendered on our origin
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_get_file_refusals(client: FlaskClient) -> None:
    assert bot_call(client, "getFile", file_id="nope")[1]["description"] == "Bad Request: invalid file_id"
    assert bot_call(client, "getFile")[0] == 400
    big = b"\0" * (MAX_DOWNLOAD_BYTES + 1)
    _, sent = bot_upload(client, "sendDocument", {"document": (big, "big.bin")}, chat_id=str(CUSTOMER_ID))
    status, body = bot_call(client, "getFile", file_id=sent["result"]["document"]["file_id"])
    assert (status, body) == (400, {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"})


def test_profile_photos(client: FlaskClient) -> None:
    _, none = bot_call(client, "getUserProfilePhotos", user_id=CUSTOMER_ID)
    assert none["result"] == {"total_count": 0, "photos": []}
    assert client.post("/customer/api/avatar", json={"user_id": CUSTOMER_ID, "avatar": True}).status_code == 200
    _, body = bot_call(client, "getUserProfilePhotos", user_id=CUSTOMER_ID)
    result = body["result"]
    assert_conforms(result, "UserProfilePhotos")
    assert result["total_count"] == 1
    sizes = result["photos"][0]
    assert [(s["width"], s["height"]) for s in sizes] == [(160, 160), (640, 640)]
    _, file = bot_call(client, "getFile", file_id=sizes[-1]["file_id"])
    picture = client.get(f"/file/bot{TOKEN}/{file['result']['file_path']}")
    assert picture.data.startswith(b"\x89PNG") and picture.headers["Content-Type"] == "image/png"
    assert bot_call(client, "getUserProfilePhotos", user_id=CUSTOMER_ID, offset=1)[1]["result"]["photos"] == []
    status, unknown = bot_call(client, "getUserProfilePhotos", user_id=123)
    assert (status, unknown["description"]) == (400, "Bad Request: user not found")
    client.post("/customer/api/avatar", json={"user_id": CUSTOMER_ID, "avatar": False})
    assert bot_call(client, "getUserProfilePhotos", user_id=CUSTOMER_ID)[1]["result"]["total_count"] == 0


@pytest.mark.parametrize("method", ["sendPhoto", "getFile", "getUserProfilePhotos"])
def test_planned_500_applies_to_media_methods(client: FlaskClient, method: str) -> None:
    client.post("/standin/api/failures", json={"method": method, "error_code": 500})
    status, body = bot_upload(client, method, {"photo": (samples.png(), "p.png")}, chat_id=str(CUSTOMER_ID))
    assert (status, body) == (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
