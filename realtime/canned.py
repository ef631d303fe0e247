"""Canned responses: texts an agent inserts by typing `/` and a shortcut in the composer.

Shared by the whole team (any agent manages them), kept in the Firestore collection `canned`.
A shortcut is what agents type, so it is lower-cased and unique; the store checks uniqueness
in the same transaction that writes.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, jsonify

from realtime.api import NOT_AN_OBJECT, _json_object, _refuse, api, relay
from realtime.auth import login_required
from teledesk.model import Agent, CannedResponse
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH

SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}")
CANNED_ID = re.compile(r"[A-Za-z0-9]{1,64}")  # Firestore's automatic ids; anything else is not one of ours

canned = Blueprint("canned", __name__)
api.register_blueprint(canned)  # under /api, its endpoints named api.canned.*


def canned_view(found: CannedResponse) -> dict[str, Any]:
    return found.model_dump(include={"id", "shortcut", "text"})


def _no_such() -> tuple[Any, int]:
    return jsonify(error="no such canned response"), 404


def _fields() -> tuple[str, str]:
    """The body's shortcut (lower-cased) and text, or a 400."""
    body = _json_object()
    if body is None:
        _refuse(NOT_AN_OBJECT)
    shortcut, text = body.get("shortcut"), body.get("text")
    shortcut = shortcut.strip().lower() if isinstance(shortcut, str) else ""
    if not SHORTCUT.fullmatch(shortcut):
        _refuse("shortcut must be 1 to 32 of a-z, 0-9, '_' or '-'")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_MESSAGE_LENGTH:
        _refuse(f"text must be 1 to {MAX_MESSAGE_LENGTH} characters")
    return shortcut, text


def _saved(agent: Agent, canned_id: str | None, created: int) -> tuple[Any, int]:
    shortcut, text = _fields()
    status, saved = relay().store.canned.save(canned_id, shortcut, text, agent.username)
    if status == "taken":
        return jsonify(error=f"the shortcut {shortcut!r} is taken"), 409
    if saved is None:
        return _no_such()
    return jsonify(canned=canned_view(saved)), created


@canned.get("/canned")
@login_required
def list_canned(agent: Agent) -> Any:
    found = relay().store.canned.all()  # ordered by shortcut
    return jsonify(canned=[canned_view(c) for c in found])


@canned.post("/canned")
@login_required
def add_canned(agent: Agent) -> tuple[Any, int]:
    return _saved(agent, None, 201)


@canned.put("/canned/<canned_id>")
@login_required
def update_canned(agent: Agent, canned_id: str) -> tuple[Any, int]:
    if not CANNED_ID.fullmatch(canned_id):
        return _no_such()
    return _saved(agent, canned_id, 200)


@canned.delete("/canned/<canned_id>")
@login_required
def delete_canned(agent: Agent, canned_id: str) -> tuple[Any, int]:
    if not CANNED_ID.fullmatch(canned_id) or not relay().store.canned.delete(canned_id):
        return _no_such()
    return "", 204
