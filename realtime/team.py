"""The team: any agent sees who is on it; an admin adds agents, disables and enables them, sets passwords.

Disabling takes effect at once everywhere: the agent's API calls answer 401 (every call looks the
agent up again, see `auth.current_agent`), and their open consoles get `session_ended` and are
closed (`events.end_sessions`). Disabling and a new password also start a new session epoch
(`Agent.session_epoch`), so the sessions from before stay over after an enable. Nothing
here ever answers a password hash.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, jsonify, session

from realtime import auth
from realtime.api import NOT_AN_OBJECT, _bad_request, _json_object, api, relay
from realtime.auth import login_required, public_agent
from realtime.events import end_sessions
from teledesk.model import Agent, Role

USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,31}")  # a letter or digit first: no "..", no "__x__" ids
ROLES = tuple(Role)
MAX_NAME_LENGTH = 64
PASSWORD_LENGTH = (8, 256)

team = Blueprint("team", __name__)
api.register_blueprint(team)  # under /api, its endpoints named api.team.*


def agent_view(agent: Agent) -> dict[str, Any]:
    return {**public_agent(agent), "disabled": agent.disabled}


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like `login_required`, and 403 unless the agent is an admin."""

    @login_required
    @functools.wraps(view)
    def guarded(agent: Agent, *args: Any, **kwargs: Any) -> Any:
        if agent.role != Role.ADMIN:
            return jsonify(error="only an admin can change the team"), 403
        return view(agent, *args, **kwargs)

    return guarded


def _no_such_agent() -> tuple[Any, int]:
    return jsonify(error="no such agent"), 404


def _password_error(password: Any) -> str | None:
    low, high = PASSWORD_LENGTH
    if not isinstance(password, str) or not low <= len(password) <= high:
        return f"password must be {low} to {high} characters"
    return None


@team.get("/agents")
@login_required
def list_agents(agent: Agent) -> Any:
    return jsonify(agents=[agent_view(a) for a in relay().store.agents.all()])


@team.post("/agents")
@admin_required
def create_agent(admin: Agent) -> tuple[Any, int]:
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    username, name, role = body.get("username"), body.get("name"), body.get("role", "agent")
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        return _bad_request("username must be 2 to 32 of a-z, 0-9, '_', '.' or '-', a letter or digit first")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        return _bad_request(f"name must be 1 to {MAX_NAME_LENGTH} characters")
    if role not in ROLES:
        return _bad_request("role must be 'admin' or 'agent'")
    if error := _password_error(body.get("password")):
        return _bad_request(error)
    store = relay().store
    password_hash = auth.hash_password(body["password"])
    if not store.agents.create(username, name.strip(), role, password_hash):
        return jsonify(error=f"the username {username!r} is taken"), 409
    created = store.agents.get(username)
    assert created is not None  # just created
    return jsonify(agent=agent_view(created)), 201


def _set_disabled(username: str, disabled: bool) -> tuple[Any, int]:
    changed = relay().store.agents.set_disabled(username, disabled)
    if changed is None:
        return _no_such_agent()
    if disabled:
        end_sessions(current_app.extensions["socketio"], relay().state, username, reason="disabled")
    return jsonify(agent=agent_view(changed)), 200


@team.post("/agents/<username>/disable")
@admin_required
def disable(admin: Agent, username: str) -> tuple[Any, int]:
    if username == admin.username:
        return _bad_request("you cannot disable yourself")
    return _set_disabled(username, True)


@team.post("/agents/<username>/enable")
@admin_required
def enable(admin: Agent, username: str) -> tuple[Any, int]:
    return _set_disabled(username, False)


@team.post("/agents/<username>/password")
@admin_required
def set_password(admin: Agent, username: str) -> tuple[Any, int]:
    body = _json_object()
    if body is None:
        return _bad_request(NOT_AN_OBJECT)
    if error := _password_error(body.get("password")):
        return _bad_request(error)
    store = relay().store
    agent = store.agents.get(username)
    if agent is None:
        return _no_such_agent()
    store.agents.set_password(username, auth.hash_password(body["password"]))
    if username == admin.username:  # this session goes on under the new epoch; any other ends
        session["epoch"] = (store.agents.get(username) or agent).session_epoch
    else:
        end_sessions(current_app.extensions["socketio"], relay().state, username, reason="password")
    return jsonify(agent=agent_view(agent)), 200
