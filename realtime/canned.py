"""Canned responses: texts an agent inserts by typing `/` and a shortcut in the composer.

Shared by the whole team (any agent manages them), kept in the Firestore collection `canned`.
A shortcut is what agents type, so it is lower-cased and unique; the store checks uniqueness
in the same transaction that writes.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.errors import ApiError
from realtime.relay import current_relay
from realtime.schemas import Canned, CannedAnswer, CannedFields, CannedListAnswer
from teledesk.model import Agent, CannedResponse
from teledesk.open_data import JSONObject

NO_SUCH = "no such canned response"

canned = Blueprint("canned", __name__)


def canned_view(found: CannedResponse) -> JSONObject:
    """What the API shows of a canned response: the fields its declaration (`schemas.Canned`) names."""
    return Canned.model_validate(found.to_firestore()).model_dump()


def _saved(agent: Agent, canned_id: str | None, fields: CannedFields) -> Response:
    status, saved = current_relay().store.canned.save(canned_id, fields.shortcut, fields.text, agent.username)
    if status == "taken":
        raise ApiError(409, f"the shortcut {fields.shortcut!r} is taken")
    if saved is None:
        raise ApiError(404, NO_SUCH)
    return jsonify(canned=canned_view(saved))


@canned.get("/canned")
@login_required
@declare(answers(200, CannedListAnswer, 401))
def list_canned(agent: Agent) -> Response:
    """Canned responses, by shortcut"""
    found = current_relay().store.canned.all()  # ordered by shortcut
    return jsonify(canned=[canned_view(c) for c in found])


@canned.post("/canned")
@login_required
@declare(answers(201, CannedAnswer, 401, 409, description="created"))
def add_canned(agent: Agent, json: CannedFields) -> tuple[Response, int]:
    """Add a canned response"""
    return _saved(agent, None, json), 201


@canned.put("/canned/<canned_id:canned_id>")
@login_required
@declare(answers(200, CannedAnswer, 401, 404, 409))
def update_canned(agent: Agent, canned_id: str, json: CannedFields) -> Response:
    """Change a canned response"""
    return _saved(agent, canned_id, json)


@canned.delete("/canned/<canned_id:canned_id>")
@login_required
@declare(answers(204, None, 401, 404, description="deleted"))
def delete_canned(agent: Agent, canned_id: str) -> tuple[str, int]:
    """Delete a canned response"""
    if not current_relay().store.canned.delete(canned_id):
        raise ApiError(404, NO_SUCH)
    return "", 204
