"""Parameters from query strings, forms and JSON, with Telegram's error wording."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from devtools.standin.errors import BotApiError
from devtools.standin.params import Params, Upload


def test_form_values_are_decoded_like_json() -> None:
    params = Params({"chat_id": "42", "flag": "true", "off": "false", "markup": '{"a": 1}', "n": "7", "t": "10.0"})
    assert params.chat_id() == 42
    assert params.boolean("flag") is True
    assert params.boolean("off") is False
    assert params.boolean("missing", default=True) is True
    assert params.json_object("markup", "markup") == {"a": 1}
    assert params.integer("n") == 7
    assert params.integer("t") == 10
    assert params.as_dict()["markup"] == {"a": 1}


def test_json_values_are_taken_as_they_are() -> None:
    params = Params({"chat_id": 42, "flag": True, "markup": {"a": 1}, "n": 7})
    assert (params.chat_id(), params.boolean("flag"), params.json_object("markup", "m"), params.integer("n")) == (
        42,
        True,
        {"a": 1},
        7,
    )


def test_channel_usernames_stay_strings() -> None:
    assert Params({"chat_id": "@news"}).chat_id() == "@news"


@pytest.mark.parametrize(
    ("params", "call", "description"),
    [
        ({}, lambda p: p.chat_id(), "Bad Request: chat_id is empty"),
        ({"chat_id": ""}, lambda p: p.chat_id(), "Bad Request: chat_id is empty"),
        ({}, lambda p: p.string("text", empty="message text is empty"), "Bad Request: message text is empty"),
        ({"limit": "many"}, lambda p: p.integer("limit"), "Bad Request: wrong type of the parameter limit"),
        ({"flag": "maybe"}, lambda p: p.boolean("flag"), "Bad Request: wrong type of the parameter flag"),
        (
            {"m": "{oops"},
            lambda p: p.json_object("m", "reply parameters"),
            "Bad Request: can't parse reply parameters JSON object",
        ),
        ({"m": "5"}, lambda p: p.json_object("m", "entities"), "Bad Request: can't parse entities JSON object"),
    ],
)
def test_errors_use_telegrams_wording(params: dict, call, description: str) -> None:
    with pytest.raises(BotApiError) as raised:
        call(Params(params))
    assert (raised.value.error_code, raised.value.description) == (400, description)


def test_input_files_by_part_attach_uri_or_file_id() -> None:
    part = FileStorage(io.BytesIO(b"bytes"), filename="a.txt", content_type="text/plain")
    params = Params({"document": "attach://p1", "photo": "AgAC-file-id", "empty": ""}, {"p1": part, "voice": part})
    upload = params.input_file("document")
    assert isinstance(upload, Upload) and (upload.data, upload.filename, upload.content_type) == (
        b"bytes",
        "a.txt",
        "text/plain",
    )
    assert params.input_file("photo") == "AgAC-file-id"
    assert params.input_file("empty") is None and params.input_file("missing") is None
    assert Params({"document": "attach://nothing"}).input_file("document") is None
    assert isinstance(params.input_file("voice"), Upload)
    with pytest.raises(BotApiError):
        Params({"document": {"a": 1}}).input_file("document")
