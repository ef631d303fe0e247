"""Local agent accounts: hashed passwords, the session cookie, and the guard on every call."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

import gevent
from flask import current_app, jsonify, session
from gevent import monkey
from werkzeug.security import check_password_hash, generate_password_hash

from teledesk.store import SESSION_EPOCH, Store

ADMIN_USERNAME = "admin"
T = TypeVar("T")

log = logging.getLogger("teledesk.relay.auth")


def store() -> Store:
    return current_app.extensions["teledesk"].store


def ensure_admin(agents: Store, password: str) -> str:
    """Create the first agent, `admin`, if there is none; returns the password it was given."""
    password = password or secrets.token_urlsafe(12)
    if agents.create_agent(ADMIN_USERNAME, "Admin", "admin", generate_password_hash(password)):
        log.info("created agent %r", ADMIN_USERNAME)
    return password


_NO_SUCH_AGENT = generate_password_hash(secrets.token_hex(16))


def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy work that releases the GIL (scrypt: ~0.2 s and 32 MiB a check) on a real
    thread when the relay runs on gevent, so every other socket keeps flowing meanwhile."""
    if monkey.is_module_patched("threading"):
        return gevent.get_hub().threadpool.apply(work, args)
    return work(*args)


def authenticate(username: str, password: str) -> dict[str, Any] | None:
    agent = store().agent(username) if username else None
    # Check a hash either way, so the answer's timing does not tell which usernames exist.
    matches = off_the_loop(check_password_hash, agent["password_hash"] if agent else _NO_SUCH_AGENT, password)
    if agent is None or agent.get("disabled") or not matches:
        return None
    return agent


def current_agent() -> dict[str, Any] | None:
    """The agent of this session, looked up each time so a disabled agent is out at once, and a
    session from before the agent was disabled or got a new password is over."""
    username = session.get("agent")
    if not username:
        return None
    agent = store().agent(username)
    if agent is None or agent.get("disabled") or session.get("epoch", 0) != agent.get(SESSION_EPOCH, 0):
        session.clear()
        return None
    return agent


def public_agent(agent: dict[str, Any]) -> dict[str, Any]:
    return {"username": agent["username"], "name": agent.get("name") or agent["username"],
            "role": agent.get("role", "agent")}


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        agent = current_agent()
        if agent is None:
            return jsonify(error="login required"), 401
        return view(agent, *args, **kwargs)

    return guarded
