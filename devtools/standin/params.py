"""Bot API parameters, read the way Telegram reads them.

Telegram accepts the same parameters in the query string, as `application/json`,
`application/x-www-form-urlencoded` or `multipart/form-data`. Form-encoding clients (such as
python-telegram-bot) send every non-string value as a JSON string (`reply_markup`, `true`,
`123`), JSON clients send real values: `Params` accepts both so handlers never care which.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage

from teledesk.telegram.limits import MAX_UPLOAD_BYTES

from .errors import BotApiError

ATTACH_PREFIX = "attach://"


@dataclass(frozen=True)
class Upload:
    """A file sent as a multipart part (an `InputFile`), read into memory."""

    data: bytes
    filename: str | None
    content_type: str | None

    @classmethod
    def read(cls, storage: FileStorage) -> Upload:
        """The part's bytes; 413 like Telegram when the file is over the 50 MB upload limit."""
        stream = storage.stream
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.seek(0, os.SEEK_END)
            size = stream.tell()
            stream.seek(0)
            if size > MAX_UPLOAD_BYTES:
                raise BotApiError(413, "Request Entity Too Large")
        data = stream.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise BotApiError(413, "Request Entity Too Large")
        return cls(data, storage.filename or None, storage.mimetype or None)


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class Params:
    """One call's parameters with typed accessors that fail with Telegram's wording."""

    def __init__(self, values: Mapping[str, Any], files: Mapping[str, FileStorage] | None = None) -> None:
        self._values = dict(values)
        self._files = dict(files or {})

    @classmethod
    def from_request(cls, request: Request) -> Params:
        """Merge query string, form fields, uploaded file names and a JSON body (body wins)."""
        values: dict[str, Any] = dict(request.args.items())
        files: dict[str, FileStorage] = {}
        if request.is_json:
            raw = request.get_data(cache=True)
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise BotApiError.bad_request("can't parse JSON object") from exc
                if not isinstance(body, dict):
                    raise BotApiError.bad_request("JSON object expected")
                values.update(body)
        else:
            values.update(request.form.items())
            # The call log shows a file by its name; the bytes are read by `input_file`.
            for name, storage in request.files.items():
                files[name] = storage
                values.setdefault(name, f"<file {storage.filename or name}>")
        return cls(values, files)

    def as_dict(self) -> dict[str, Any]:
        """The parameters as received, with JSON strings decoded, for the call log."""
        return {name: _maybe_json(value) for name, value in self._values.items()}

    def present(self, name: str) -> bool:
        """Telegram treats an empty value as an absent one."""
        value = self._values.get(name)
        return value is not None and value != ""

    def string(self, name: str, *, empty: str | None = None) -> str | None:
        """A string parameter; with `empty` set it is required and its absence is that 400."""
        value = self._values.get(name)
        if value is None or value == "":
            if empty is not None:
                raise BotApiError.bad_request(empty)
            return None
        if isinstance(value, (dict, list)):
            raise BotApiError.bad_request(f"wrong type of the parameter {name}")
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return int(value.strip())
            with contextlib.suppress(ValueError):
                number = float(value)  # "10.0" from a client that keeps timeouts as floats
                if number.is_integer():
                    return int(number)
        raise BotApiError.bad_request(f"wrong type of the parameter {name}")

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise BotApiError.bad_request(f"wrong type of the parameter {name}")

    def json_object(self, name: str, what: str) -> Any:
        """A structured parameter (object or array), given as real JSON or as a JSON string.

        `what` names it in the error as Telegram does ("can't parse reply keyboard markup JSON object").
        """
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise BotApiError.bad_request(f"can't parse {what} JSON object") from exc
        if not isinstance(value, (dict, list)):
            raise BotApiError.bad_request(f"can't parse {what} JSON object")
        return value

    def input_file(self, name: str) -> Upload | str | None:
        """A file parameter: an uploaded part (directly under `name`, or named by "attach://<part>"),
        or a string (a file_id to re-send, or a URL); None when absent."""
        storage = self._files.get(name)
        value = self._values.get(name)
        if storage is None and isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            storage = self._files.get(value[len(ATTACH_PREFIX) :])
            if storage is None:
                return None
        if storage is not None:
            return Upload.read(storage)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise BotApiError.bad_request(f"wrong type of the parameter {name}")
        return value.strip()

    def chat_id(self) -> int | str:
        """`chat_id`: an integer id, or an `@channelusername` string."""
        value = self._values.get("chat_id")
        if value is None or value == "":
            raise BotApiError.bad_request("chat_id is empty")
        if isinstance(value, (bool, dict, list)):
            raise BotApiError.bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text


def _maybe_json(value: Any) -> Any:
    """Decode values that look like JSON objects/arrays, leave everything else alone."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
