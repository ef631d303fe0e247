"""One way to answer an error: `{"error": "<plain sentence>"}` with the status.

A handler (or anything it calls) raises `ApiError(status, message)`; the request validation that
the API's declarations generate (realtime/apispec.py) raises it too, with a message that names
each field that is wrong: "text: String should have at most 4096 characters", or the field's own
rule where it has one ("client_id must be 8 to 64 letters, digits, '-' or '_'"). Werkzeug's
own errors under /api (an unknown path, a wrong method, a range past a file's end, an unhandled
exception) answer the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from pydantic import ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
RULE = "desk_rule"  # the error type of a field's own rule: its message completes the field's name
NOT_AN_OBJECT = "the body must be a JSON object"
NOT_JSON = "the body is not JSON"
BODY_ERRORS = ("model_type", "model_attributes_type", "dict_type")


class ApiError(Exception):
    """An answer that is not a success: `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def rule_error(message: str, **context: Any) -> PydanticCustomError:
    """A field's own rule broken: `message` completes the field's name ("must be 1 to 64 characters")."""
    return PydanticCustomError(RULE, message, context or None)


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def _one(error: ErrorDetails) -> str:
    field = _field(error["loc"])
    if not field:
        return NOT_AN_OBJECT if error["type"] in BODY_ERRORS else error["msg"]
    if error["type"] == RULE:
        return f"{field} {error['msg']}"
    return f"{field}: {error['msg']}"


def validation_message(error: ValidationError) -> str:
    """Every field that is wrong, each named, in the order of the declaration."""
    messages = list(dict.fromkeys(_one(e) for e in error.errors(include_url=False)))
    return "; ".join(messages)


def refuse_invalid(_request: Any, _response: Any, error: Exception | None, *_: Any) -> None:
    """spectree's `before` hook, run on every declared route after its session check: a body sent
    as JSON that is not JSON (spectree reads it as {}), or a request its validation refused, is a
    400 in the one error style."""
    if request.is_json and request.get_data(cache=True) and request.get_json(silent=True) is None:
        raise ApiError(400, NOT_JSON)
    if error is None:
        return
    if isinstance(error, ValidationError):
        raise ApiError(400, validation_message(error))
    raise ApiError(400, str(error))


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message)


def _http_error(error: HTTPException) -> Response | HTTPException:
    """Werkzeug's errors (404, 405, 413, 416, 500 …) under /api in the same shape, with their own
    headers (a 405's Allow, a 416's Content-Range); elsewhere as they are."""
    if not request.path.startswith(API_PREFIX) or error.code is None:
        return error
    response = error_response(error.code, (error.name or "error").lower())
    for name, value in error.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    handlers: list[tuple[type[Exception], Callable[[Any], Any]]] = [(ApiError, _api_error),
                                                                   (HTTPException, _http_error)]
    for kind, handler in handlers:
        app.register_error_handler(kind, handler)
