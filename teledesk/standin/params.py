"""Bot API parameters, read the way Telegram reads them.

Telegram accepts the same parameters in the query string, as `application/json`,
`application/x-www-form-urlencoded` or `multipart/form-data`. Form-encoding clients (such as
python-telegram-bot) send every non-string value as a JSON string (`reply_markup`, `true`,
`123`), JSON clients send real values: `Params` accepts both so handlers never care which.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from flask import Request

from .errors import BotApiError

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class Params:
    """One call's parameters with typed accessors that fail with Telegram's wording."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    @classmethod
    def from_request(cls, request: Request) -> Params:
        """Merge query string, form fields, uploaded file names and a JSON body (body wins)."""
        values: dict[str, Any] = dict(request.args.items())
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
            # Files are only named: the stand-in implements no upload method yet, but a recorded
            # call should still show that something was attached.
            for name, storage in request.files.items():
                values[name] = f"<file {storage.filename or name}>"
        return cls(values)

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
