"""The relay's factory: the Flask app with its API, Socket.IO events and the built console."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import socketio as socketio_server
from flask import Flask, abort, send_from_directory
from flask_socketio import SocketIO
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from realtime.api import api_blueprint
from realtime.apispec import PATH_CONVERTERS, refuse_beyond_int64
from realtime.auth import current_agent, ensure_admin
from realtime.bodies import limit_bodies
from realtime.broadcast import Broadcaster
from realtime.business import business
from realtime.canned import canned
from realtime.conversations import conversations
from realtime.errors import register_error_handlers
from realtime.events import register_events
from realtime.login_guard import LoginGuard
from realtime.media import media
from realtime.media_cache import MediaCache
from realtime.origins import behind_proxies, same_origin
from realtime.outbound import outbound
from realtime.outbox import run_sweeper
from realtime.presence import Presence
from realtime.relay import EXTENSION, Relay
from realtime.search import search
from realtime.security_headers import SecurityHeaders
from realtime.sessions import SESSION_LIFETIME, session_store
from realtime.state import QUEUE_REDIS_OPTIONS, shared_state
from realtime.stats import StatsCache, stats
from realtime.subscriber import RelaySubscriber
from realtime.team import team
from realtime.theme import ThemeFile, theme
from teledesk.blobs import blob_store
from teledesk.manifest import load_manifest
from teledesk.pubsub import Publisher
from teledesk.settings import Settings
from teledesk.store import Store
from teledesk.telegram.health import WebhookHealth

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["Relay", "create_app"]

SOCKETIO_PATH = "/socket.io"
API_FAMILIES = (conversations, outbound, search, canned, team, theme, media, stats, business)  # each under /api


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, publisher: Publisher | None = None,
    subscribe: bool = True, async_mode: str = "threading",
) -> tuple[Flask, SocketIO]:
    """The relay. `async_mode` is how it is served: "gevent" under gunicorn's gevent worker
    (realtime/wsgi.py), "threading" under the Flask test client.

    Everything an app has is wired here: its state (one `Relay` on `app.extensions`), the API's
    blueprints, the Socket.IO handlers, the error style, the console. Importing a module of the
    relay registers nothing anywhere.
    """
    settings = settings or Settings.from_env()
    manifest = load_manifest()
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.desk_session_secret or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    limit_bodies(app, settings.desk_max_body_bytes)
    # A page of another origin (scheme, host or port) cannot open a socket that rides an agent's
    # cookie; a Socket.IO message is held to the same size as a request's body.
    # With several relays, every emit goes through Redis to the sockets of every relay.
    queue = (socketio_server.RedisManager(settings.desk_redis_url, channel="flask-socketio",
                                          redis_options=QUEUE_REDIS_OPTIONS) if settings.desk_redis_url else None)
    socketio = SocketIO(app, async_mode=async_mode, cors_allowed_origins=same_origin, client_manager=queue,
                        max_http_buffer_size=settings.desk_max_body_bytes)
    state = shared_state(settings.desk_redis_url)
    broadcaster = Broadcaster(socketio, state)
    store = store or Store(settings.project_id)
    subscriber = RelaySubscriber(settings.project_id, manifest, broadcaster) if subscribe else None
    look = ThemeFile(settings.desk_theme)
    look.current()  # read now, so a bad theme file is reported when the relay starts, not at first use
    relay = Relay(
        settings=settings, manifest=manifest, store=store, publisher=publisher or Publisher(settings.project_id),
        socketio=socketio, broadcaster=broadcaster, subscriber=subscriber,
        media_cache=MediaCache(settings.media_cache_dir, settings.media_cache_bytes),
        webhook_health=WebhookHealth(settings.telegram_bot_token, settings.telegram_api_base),
        state=state, presence=Presence(state), blobs=blob_store(), theme=look,
        stats=StatsCache(), sessions=session_store(state, store), login_guard=LoginGuard(app, settings),
    )
    app.extensions[EXTENSION] = relay

    app.url_map.converters.update(PATH_CONVERTERS)  # before the routes that name them
    app.url_value_preprocessor(refuse_beyond_int64)
    api = api_blueprint(relay.login_guard)  # a new root per app: its same-origin rule covers every family under it
    for family in API_FAMILIES:
        api.register_blueprint(family)
    app.register_blueprint(api)
    register_error_handlers(app)
    register_events(socketio, relay.presence)
    app.wsgi_app = SessionGate(app, app.wsgi_app)  # type: ignore[method-assign]
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    app.wsgi_app = behind_proxies(app.wsgi_app, settings.desk_trusted_proxies)  # type: ignore[method-assign,assignment]
    _serve_console(app, settings.frontend_dist)
    ensure_admin(store, settings.desk_admin_password)
    if subscriber is not None:
        subscriber.start()
        socketio.start_background_task(run_sweeper, app)  # the outbox (realtime/outbox.py)
    logging.getLogger("teledesk.relay").info("relay ready")
    return app, socketio


class SessionGate:
    """Refuses a Socket.IO handshake without a valid session before Engine.IO makes anything of it.

    Socket.IO's own `connect` refusal comes after Engine.IO opened a session (and, over websocket,
    a greenlet and a socket that the client may keep alive with pings); here an anonymous or
    signed-out client gets a plain 401 and the connection is closed. Requests of an existing
    Engine.IO session (with `sid`) were let in at their handshake.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        handshake = "sid" not in parse_qs(environ.get("QUERY_STRING", ""))
        if environ.get("PATH_INFO", "").startswith(SOCKETIO_PATH) and handshake:
            with self.app.request_context(environ):
                allowed = current_agent() is not None
            if not allowed:
                start_response("401 UNAUTHORIZED", [("Content-Type", "application/json"), ("Connection", "close")])
                return [b'{"error": "login required"}']
        return self.wsgi_app(environ, start_response)


class ConsolePath(PathConverter):
    """A path of the console: anything but the API's (which answers its own 404 and 405)."""

    regex = r"(?!api(?:/|$))[^/].*?"


def _serve_console(app: Flask, dist: Path) -> None:
    """The built console at /, with its client-side routes falling back to index.html.

    Only a file under `dist` is ever looked at: a path that would leave it (`..`, an absolute
    path, however encoded) is a 404 whether or not something exists there, so the route tells
    nothing about the machine's files. Unknown paths under /api/ are the API's JSON 404.
    """

    app.url_map.converters["console_path"] = ConsolePath

    @app.get("/")
    @app.get("/<console_path:path>")
    def console(path: str = "index.html"):  # type: ignore[no-untyped-def]
        inside = safe_join(str(dist), path)
        if inside is None:
            abort(404)
        if Path(inside).is_file():
            return send_from_directory(dist, path)
        if (dist / "index.html").is_file():
            return send_from_directory(dist, "index.html")
        return "The console is not built: run `make build` (or `make run`).", 503
