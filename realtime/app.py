"""The relay's factory: the Flask app with its API, Socket.IO events and the built console."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, send_from_directory
from flask_socketio import SocketIO

import realtime.canned  # registers the canned responses' endpoints on the API blueprint
import realtime.outbound  # registers the outbound endpoints on the API blueprint
import realtime.team  # registers the team's endpoints on the API blueprint
import realtime.theme  # noqa: F401  (registers /api/theme, read when the API blueprint is registered)
from realtime.api import api
from realtime.auth import ensure_admin
from realtime.broadcast import Broadcaster
from realtime.events import register_events
from realtime.media import MediaCache, media
from realtime.presence import Presence
from realtime.subscriber import RelaySubscriber
from teledesk.manifest import Manifest, load_manifest
from teledesk.pubsub import Publisher
from teledesk.settings import Settings
from teledesk.store import Store
from teledesk.telegram.health import WebhookHealth

SESSION_LIFETIME = timedelta(hours=12)


@dataclass
class Relay:
    """What the relay's handlers share; kept on `app.extensions["teledesk"]`."""

    settings: Settings
    manifest: Manifest
    store: Store
    publisher: Publisher
    broadcaster: Broadcaster
    subscriber: RelaySubscriber | None
    media_cache: MediaCache
    webhook_health: WebhookHealth
    presence: Presence = field(default_factory=Presence)  # who has which chat open (realtime/events.py)


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, publisher: Publisher | None = None,
    subscribe: bool = True,
) -> tuple[Flask, SocketIO]:
    settings = settings or Settings.from_env()
    manifest = load_manifest()
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.desk_session_secret or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    # None: engineio takes only the relay's own origin (Host, or X-Forwarded-Host behind a proxy);
    # a page of another origin cannot open a socket that rides an agent's cookie.
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=None)
    broadcaster = Broadcaster(socketio)
    store = store or Store(settings.project_id)
    subscriber = RelaySubscriber(settings.project_id, manifest, broadcaster) if subscribe else None
    app.extensions["teledesk"] = Relay(
        settings, manifest, store, publisher or Publisher(settings.project_id), broadcaster, subscriber,
        MediaCache(settings.media_cache_dir), WebhookHealth(settings.telegram_bot_token, settings.telegram_api_base),
    )
    app.register_blueprint(api)
    app.register_blueprint(media)
    register_events(socketio)
    _serve_console(app, settings.frontend_dist)
    ensure_admin(store, settings.desk_admin_password)
    if subscriber is not None:
        subscriber.start()
    logging.getLogger("teledesk.relay").info("relay ready")
    return app, socketio


def _serve_console(app: Flask, dist: Path) -> None:
    """The built console at /, with its client-side routes falling back to index.html."""

    @app.get("/")
    @app.get("/<path:path>")
    def console(path: str = "index.html"):  # type: ignore[no-untyped-def]
        if path.startswith("api/"):
            abort(404)
        if (dist / path).is_file():
            return send_from_directory(dist, path)
        if (dist / "index.html").is_file():
            return send_from_directory(dist, "index.html")
        return "The console is not built: run `make build` (or `make run`).", 503
