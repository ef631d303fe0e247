"""Test hooks under `/standin/api/`: read the call log, plan failures, inject raw Updates.

Not part of the Bot API; they exist so tests of the desk can see what it asked Telegram and
make Telegram misbehave (429, 403, 500...) on demand.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from .limits import FAILURE_DELAY_MAX
from .state import current_state

hooks_api = Blueprint("standin_hooks", __name__, url_prefix="/standin/api")


def _error(message: str, status: int = 400) -> ResponseReturnValue:
    return jsonify({"error": message}), status


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@hooks_api.get("/calls")
def calls() -> ResponseReturnValue:
    """Recorded Bot API calls, oldest first; `?method=sendMessage` keeps one method."""
    return jsonify({"calls": current_state().calls.calls(request.args.get("method"))})


@hooks_api.delete("/calls")
def clear_calls() -> ResponseReturnValue:
    current_state().calls.clear()
    return "", 204


@hooks_api.get("/failures")
def failures() -> ResponseReturnValue:
    return jsonify({"failures": current_state().failures.pending()})


@hooks_api.post("/failures")
def plan_failure() -> ResponseReturnValue:
    """`{method, error_code?, delay?, description?, retry_after?, count?, chat_id?}`: fail or delay the next
    `count` calls (to `chat_id` only, when given).

    `delay` (seconds) holds the answer back: alone, the call is carried out and answers late
    (a client with a shorter timeout times out); with `error_code`, the error comes late.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error("a JSON object is expected")
    method, error_code = body.get("method"), _integer(body.get("error_code"))
    retry_after, count = body.get("retry_after"), body.get("count", 1)
    description, delay, chat_id = body.get("description"), body.get("delay"), body.get("chat_id")
    if not isinstance(method, str) or not method:
        return _error("method is required")
    if delay is not None and (
        isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 < delay <= FAILURE_DELAY_MAX
    ):
        return _error(f"delay must be a number of seconds above 0 and at most {FAILURE_DELAY_MAX}")
    if "error_code" not in body and delay is not None:
        error_code = None
    elif error_code is None or not 400 <= error_code <= 599:
        return _error("error_code must be an HTTP error status (400-599)")
    if retry_after is not None and (_integer(retry_after) is None or retry_after < 0):
        return _error("retry_after must be a non-negative integer")
    if _integer(count) is None or count < 1:
        return _error("count must be a positive integer")
    if description is not None and not isinstance(description, str):
        return _error("description must be a string")
    if chat_id is not None and _integer(chat_id) is None:
        return _error("chat_id must be an integer")
    pending = current_state().failures.add(method, error_code, description, retry_after=retry_after, count=count,
                                           delay=delay, chat_id=chat_id)
    return jsonify({"method": method, "pending": pending}), 201


@hooks_api.delete("/failures")
def clear_failures() -> ResponseReturnValue:
    """Clear all planned failures, or one method's with `?method=`."""
    current_state().failures.clear(request.args.get("method"))
    return "", 204


@hooks_api.get("/updates/taken")
def taken_updates() -> ResponseReturnValue:
    """The updates the bot's webhook took, oldest first (the newest TAKEN_KEPT)."""
    return jsonify({"updates": current_state().feed.taken()})


@hooks_api.post("/updates")
def inject_update() -> ResponseReturnValue:
    """Deliver any Update JSON as if Telegram had produced it (`update_id` assigned if missing)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error("an Update JSON object is expected")
    if "update_id" in body and _integer(body["update_id"]) is None:
        return _error("update_id must be an integer")
    update, queued = current_state().inject(body)
    return jsonify({"update_id": update["update_id"], "queued": queued}), 201
