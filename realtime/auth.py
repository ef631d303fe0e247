"""Local agent accounts: hashed passwords, the session cookie, and the guard on every call.

The cookie carries the id of a session the desk keeps (realtime/sessions.py) and the agent's
session epoch at login: a session is valid while the desk knows its id and the agent is enabled
under the same epoch (a new password or a disable starts a new one).
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import session
from werkzeug.security import check_password_hash, generate_password_hash

from realtime.errors import ApiError
from realtime.offload import off_the_loop
from realtime.relay import current_relay
from realtime.sessions import DeskSession, session_digest
from teledesk.model import Agent, Role
from teledesk.store import Store

ADMIN_USERNAME = "admin"
SESSION_ID = "sid"  # the session id in the cookie
EPOCH = "epoch"  # the agent's session epoch at login, in the cookie

log = logging.getLogger("teledesk.relay.auth")


def store() -> Store:
    return current_relay().store


def ensure_admin(store: Store, password: str) -> str:
    """Create the first agent, `admin`, if there is none; returns the password it was given."""
    password = password or secrets.token_urlsafe(12)
    if store.agents.create(ADMIN_USERNAME, "Admin", Role.ADMIN, generate_password_hash(password)):
        log.info("created agent %r", ADMIN_USERNAME)
    return password


_NO_SUCH_AGENT = generate_password_hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """A password's scrypt hash, computed off the event loop."""
    return off_the_loop(generate_password_hash, password)


def authenticate(username: str, password: str) -> Agent | None:
    agent = store().agents.get(username) if username else None
    # Check a hash either way, so the answer's timing does not tell which usernames exist.
    matches = off_the_loop(check_password_hash, agent.password_hash if agent else _NO_SUCH_AGENT, password)
    if agent is None or agent.disabled or not matches:
        return None
    return agent


def start_session(agent: Agent) -> None:
    """Log `agent` in: a new session kept by the desk, its id in this response's cookie."""
    session.clear()
    session[SESSION_ID] = current_relay().sessions.start(agent.username)
    session[EPOCH] = agent.session_epoch
    session.permanent = True


def cookie_session_digest() -> str | None:
    """The digest of the session id this request's cookie carries (known to the desk or not)."""
    session_id = session.get(SESSION_ID)
    return session_digest(session_id) if isinstance(session_id, str) else None


def current_session() -> DeskSession | None:
    """The desk's session of this request's cookie; None (and the cookie cleared) when it has none,
    or one the desk no longer knows: ended, expired, or a cookie from before sessions were kept."""
    session_id = session.get(SESSION_ID)
    found = current_relay().sessions.find(session_id) if isinstance(session_id, str) else None
    if found is None and session:
        session.clear()
    return found


def current_agent() -> Agent | None:
    """The agent of this session, looked up each time so a disabled agent is out at once, and a
    session from before the agent was disabled or got a new password is over."""
    desk_session = current_session()
    if desk_session is None:
        return None
    agent = store().agents.get(desk_session.username)
    if agent is None or agent.disabled or session.get(EPOCH, 0) != agent.session_epoch:
        session.clear()
        return None
    return agent


def public_agent(agent: Agent) -> dict[str, str]:
    return agent.public()


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The agent of this session first, then the view's own arguments; 401 without one (before the
    request's body is looked at)."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        agent = current_agent()
        if agent is None:
            raise ApiError(401, "login required")
        return view(agent, *args, **kwargs)

    return guarded
