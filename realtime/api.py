"""The agents' HTTP API under /api (the contract in ARCHITECTURE.md): its root, and the desk's own routes.

`api_blueprint()` makes the root each app gets (create_app nests the route families under it):
the same-origin rule for every write under /api, the check that a JSON body is JSON, and the
routes that are the desk's rather than a conversation's: health, the OpenAPI document, login,
logout, me. Every route is declared once (realtime/apispec.py, realtime/schemas.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, session
from spectree import Response as Answers

from realtime.apispec import PUBLIC, answers, declare, openapi_document
from realtime.auth import authenticate, cookie_session_digest, login_required, public_agent, start_session
from realtime.errors import ApiError
from realtime.events import end_session
from realtime.login_guard import LoginGuard
from realtime.origins import same_origin
from realtime.relay import current_relay
from realtime.schemas import AgentAnswer, Health, Login, OpenAPIDocument
from teledesk.model import Agent

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def same_origin_writes() -> None:
    """A change comes from the console's own origin, never from another page of the same site.

    SameSite=Lax keeps the cookie off cross-site requests, not off same-site ones (a sibling
    subdomain, another port on 127.0.0.1), and the body-less POSTs (disable, pending, retry …) need
    no preflight. Browsers say where a request comes from (`Sec-Fetch-Site`, else `Origin`, whose
    scheme, host and port must all be the relay's: realtime/origins.py); clients that say neither
    (scripts, tests) are not browsers riding an agent's cookie.
    """
    if request.method not in WRITES:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None:
        allowed = fetch_site in ("same-origin", "none")
    else:
        allowed = origin is None or same_origin(origin, request.environ)
    if not allowed:
        raise ApiError(403, "changes are only taken from the console's own origin")


@declare(Answers(HTTP_200=(Health, "every pull loop runs"), HTTP_503=(Health, "a pull loop is down")),
         security=PUBLIC)
def health() -> tuple[Response, int]:
    """200 while every pull loop of the relay runs (the liveness probe), else 503

    With each pull's last error and what Telegram says of the webhook (pending updates, last error).
    """
    relay = current_relay()
    subscriber = relay.subscriber
    subscribed = subscriber is None or subscriber.running
    body = {"status": "ok" if subscribed else "down", "subscribed": subscribed,
            "pulls": subscriber.status() if subscriber is not None else {},
            "telegram": {"mode": relay.settings.telegram_mode, **relay.webhook_health.read()}}
    return jsonify(body), 200 if subscribed else 503


@declare(answers(200, OpenAPIDocument), security=PUBLIC)
def openapi() -> Response:
    """This document, generated from the routes' declarations"""
    return jsonify(openapi_document())


@declare(answers(200, AgentAnswer, 401, 429, 503, description="logged in; the session cookie is set"),
         security=PUBLIC)
def login(json: Login) -> Response:
    """Log in; sets the session cookie

    Failed logins are limited per username and per address (429 with Retry-After, the right
    password too, while a limit holds); a relay checks a few passwords at once (503 with
    Retry-After beyond them).
    """
    with current_relay().login_guard.password_check():
        agent = authenticate(json.username, json.password)
    if agent is None:
        raise ApiError(401, "wrong username or password")
    _end_cookie_session()  # the session this browser had is replaced, not left to a copied cookie
    start_session(agent)
    return jsonify(agent=public_agent(agent))


@declare(answers(204, description="the session is over"), security=PUBLIC)
def logout() -> tuple[str, int]:
    """End the session: the desk forgets it, so a copy of the cookie is no session either, and its
    sockets, on every relay, get `session_ended` (reason `logout`) and are closed"""
    _end_cookie_session()
    return "", 204


def _end_cookie_session() -> None:
    digest = cookie_session_digest()
    if digest is not None:
        relay = current_relay()
        end_session(relay.socketio, relay.sessions, digest, reason="logout")
    session.clear()


@login_required
@declare(answers(200, AgentAnswer, 401))
def me(agent: Agent) -> Response:
    """The logged-in agent"""
    return jsonify(agent=public_agent(agent))


def api_blueprint(login_guard: LoginGuard) -> Blueprint:
    """A new root for one app's API: its hooks and the desk's own routes; create_app nests the rest."""
    api = Blueprint("api", __name__, url_prefix="/api")
    api.before_request(same_origin_writes)
    api.get("/health")(health)
    api.get("/openapi.json")(openapi)
    api.post("/login")(login_guard.limit(login))
    api.post("/logout")(logout)
    api.get("/me")(me)
    return api
