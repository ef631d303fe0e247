"""The team: any agent sees who is on it; an admin adds agents, disables and enables them, sets passwords,
and links an agent's Telegram account (what they write in the staff forum is then theirs).

Disabling takes effect at once everywhere: the agent's API calls answer 401 (every call looks the
agent up again, see `auth.current_agent`), and their open consoles get `session_ended` and are
closed (`events.end_sessions`). Disabling and a new password also start a new session epoch
(`Agent.session_epoch`), so the sessions from before stay over after an enable. Nothing
here ever answers a password hash.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, session

from realtime import auth
from realtime.apispec import answers, declare
from realtime.auth import login_required
from realtime.errors import ApiError
from realtime.events import end_sessions
from realtime.relay import current_relay
from realtime.schemas import NewAgent, NewPassword, TeamAgent, TeamAgentAnswer, TeamAnswer, TelegramLink
from teledesk.model import Agent, Role
from teledesk.open_data import JSONObject
from teledesk.store.agents import TelegramTaken

team = Blueprint("team", __name__)
AGENT = "/agents/<username:username>"
NO_SUCH_AGENT = "no such agent"


def agent_view(agent: Agent) -> JSONObject:
    """What the team page shows of an agent: the fields its declaration (`schemas.TeamAgent`) names."""
    return TeamAgent.model_validate({**agent.public(), "disabled": agent.disabled,
                                     "telegram_id": agent.telegram_id}).model_dump(mode="json")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like `login_required`, and 403 unless the agent is an admin."""

    @login_required
    @functools.wraps(view)
    def guarded(agent: Agent, *args: Any, **kwargs: Any) -> Any:
        if agent.role != Role.ADMIN:
            raise ApiError(403, "only an admin can change the team")
        return view(agent, *args, **kwargs)

    return guarded


@team.get("/agents")
@login_required
@declare(answers(200, TeamAnswer, 401))
def list_agents(agent: Agent) -> Response:
    """The team, by username (any agent)"""
    return jsonify(agents=[agent_view(a) for a in current_relay().store.agents.all()])


@team.post("/agents")
@admin_required
@declare(answers(201, TeamAgentAnswer, 401, 403, 409, description="created"))
def create_agent(admin: Agent, json: NewAgent) -> tuple[Response, int]:
    """Add an agent (admin)"""
    store = current_relay().store
    password_hash = auth.hash_password(json.password)
    if not store.agents.create(json.username, json.name, json.role, password_hash):
        raise ApiError(409, f"the username {json.username!r} is taken")
    created = store.agents.get(json.username)
    if created is None:
        raise ApiError(404, NO_SUCH_AGENT)
    return jsonify(agent=agent_view(created)), 201


def _set_disabled(username: str, disabled: bool) -> Response:
    relay = current_relay()
    changed = relay.store.agents.set_disabled(username, disabled)
    if changed is None:
        raise ApiError(404, NO_SUCH_AGENT)
    if disabled:
        end_sessions(relay.socketio, relay.state, username, reason="disabled")
    return jsonify(agent=agent_view(changed))


@team.post(f"{AGENT}/disable")
@admin_required
@declare(answers(200, TeamAgentAnswer, 401, 403, 404))
def disable(admin: Agent, username: str) -> Response:
    """Disable an agent (admin): their API calls answer 401, their sockets get `session_ended` and close

    An admin cannot disable themself (400).
    """
    if username == admin.username:
        raise ApiError(400, "you cannot disable yourself")
    return _set_disabled(username, True)


@team.post(f"{AGENT}/enable")
@admin_required
@declare(answers(200, TeamAgentAnswer, 401, 403, 404))
def enable(admin: Agent, username: str) -> Response:
    """Enable an agent again (admin)"""
    return _set_disabled(username, False)


@team.post(f"{AGENT}/password")
@admin_required
@declare(answers(200, TeamAgentAnswer, 401, 403, 404))
def set_password(admin: Agent, username: str, json: NewPassword) -> Response:
    """Set an agent's password (admin): their other sessions end"""
    relay = current_relay()
    agent = relay.store.agents.get(username)
    if agent is None:
        raise ApiError(404, NO_SUCH_AGENT)
    relay.store.agents.set_password(username, auth.hash_password(json.password))
    if username == admin.username:  # this session goes on under the new epoch; any other ends
        session[auth.EPOCH] = (relay.store.agents.get(username) or agent).session_epoch
    else:
        end_sessions(relay.socketio, relay.state, username, reason="password")
    return jsonify(agent=agent_view(agent))


@team.post(f"{AGENT}/telegram")
@admin_required
@declare(answers(200, TeamAgentAnswer, 401, 403, 404, 409))
def link_telegram(admin: Agent, username: str, json: TelegramLink) -> Response:
    """Link an agent's Telegram account (admin)

    What the account writes in a staff forum topic is then the agent's (docs/telegram.md). One
    Telegram account is one agent's: 409 when another agent has it.
    """
    try:
        return _linked(username, json.telegram_id)
    except TelegramTaken as taken:
        raise ApiError(409, str(taken)) from None


@team.delete(f"{AGENT}/telegram")
@admin_required
@declare(answers(200, TeamAgentAnswer, 401, 403, 404))
def unlink_telegram(admin: Agent, username: str) -> Response:
    """Unlink an agent's Telegram account (admin)"""
    return _linked(username, None)


def _linked(username: str, telegram_id: int | None) -> Response:
    changed = current_relay().store.agents.link_telegram(username, telegram_id)
    if changed is None:
        raise ApiError(404, NO_SUCH_AGENT)
    return jsonify(agent=agent_view(changed))
