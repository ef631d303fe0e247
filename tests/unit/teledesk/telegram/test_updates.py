import pytest

from teledesk.envelope import MessageType
from teledesk.telegram.updates import UpdateError, classify_update, envelope_from_update

USER = {"id": 42, "is_bot": False, "first_name": "Ana", "username": "ana", "language_code": "es"}
CHAT = {"id": 42, "type": "private", "first_name": "Ana"}


def message(**fields):
    return {"update_id": 7, "message": {"message_id": 3, "from": USER, "chat": CHAT, "date": 1700000000, **fields}}


def test_text_message_becomes_an_envelope_with_a_stable_id():
    envelope = envelope_from_update(message(text="hola"))
    assert (envelope.id, envelope.chat_id, envelope.text, envelope.date) == ("tg-42-3", 42, "hola", 1700000000)
    assert envelope.type == MessageType.UPDATE
    assert envelope.customer == {"id": 42, "first_name": "Ana", "username": "ana", "language_code": "es"}
    assert envelope.extra["update"]["update_id"] == 7


def test_photo_keeps_the_largest_size_and_the_caption():
    photo = [{"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90},
             {"file_id": "large", "file_unique_id": "l", "width": 800, "height": 800, "file_size": 1000}]
    envelope = envelope_from_update(message(photo=photo, caption="mira"))
    assert envelope.media == {"kind": "photo", "file_id": "large", "file_unique_id": "l", "width": 800,
                              "height": 800, "file_size": 1000, "sizes": photo}
    assert envelope.text == "mira"


@pytest.mark.parametrize("kind", ["document", "photo"])
def test_an_update_cannot_name_a_blob_of_the_desks_own(kind):
    """`blob` and `filename` are what the desk writes on an agent's upload (teledesk.model.Media):
    an Update that sends them (only a holder of the webhook secret can) gets neither through."""
    content = {"file_id": "f", "file_unique_id": "u", "blob": "uploads/someone-elses", "filename": "x.html"}
    envelope = envelope_from_update(message(**{kind: [content] if kind == "photo" else content}))
    assert envelope.media is not None and envelope.media["file_id"] == "f"
    assert "blob" not in envelope.media and "filename" not in envelope.media


@pytest.mark.parametrize(("update", "expected"), [
    (message(text="hola"), MessageType.CLIENT),
    (message(text="/start order_1", entities=[{"type": "bot_command", "offset": 0, "length": 6}]),
     MessageType.COMMAND),
    (message(caption="c", document={"file_id": "d", "file_unique_id": "u"}), MessageType.CLIENT),
    (message(voice={"file_id": "v", "file_unique_id": "u", "duration": 2}), MessageType.CLIENT),
    (message(location={"latitude": 1.0, "longitude": 2.0}), MessageType.CLIENT),
    (message(new_chat_title="x"), MessageType.UNSUPPORTED),
    ({"update_id": 8, "callback_query": {"id": "q", "from": USER, "chat_instance": "c", "data": "5",
                                         "message": {"message_id": 1, "date": 0, "chat": CHAT}}},
     MessageType.CALLBACK),
    ({"update_id": 9, "my_chat_member": {"chat": CHAT, "from": USER, "date": 0,
                                         "old_chat_member": {"status": "member", "user": USER},
                                         "new_chat_member": {"status": "kicked", "user": USER, "until_date": 0}}},
     MessageType.MEMBER),
    ({"update_id": 10, "poll_answer": {"poll_id": "p", "user": USER, "option_ids": [0]}}, MessageType.UNSUPPORTED),
])
def test_classify(update, expected):
    assert classify_update(update) == expected
    assert envelope_from_update(update).chat_id == 42


@pytest.mark.parametrize("bad", [None, [], "x", {}, {"update_id": "1"}, {"update_id": 1}, {"update_id": 1,
                                                                                         "message": {"text": "x"}}])
def test_what_is_not_an_update_is_refused(bad):
    with pytest.raises(UpdateError):
        envelope_from_update(bad)
