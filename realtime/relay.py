"""What one relay app's handlers share, in one typed object: `Relay`, kept on `app.extensions`.

`create_app` (realtime/app.py) makes it; a handler reaches it with `current_relay()`. Nothing
else of the relay keeps per-app state: no module globals, no holders beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from realtime.broadcast import Broadcaster
    from realtime.login_guard import LoginGuard
    from realtime.media_cache import MediaCache
    from realtime.presence import Presence
    from realtime.sessions import SessionStore
    from realtime.state import SharedState
    from realtime.stats import StatsCache
    from realtime.subscriber import RelaySubscriber
    from realtime.theme import ThemeFile
    from teledesk.blobs import BlobStore
    from teledesk.manifest import Manifest
    from teledesk.pubsub import Publisher
    from teledesk.settings import Settings
    from teledesk.store import Store
    from teledesk.telegram.health import WebhookHealth

EXTENSION = "teledesk"


@dataclass
class Relay:
    """What the relay's handlers share; kept on `app.extensions["teledesk"]`."""

    settings: Settings
    manifest: Manifest
    store: Store
    publisher: Publisher
    socketio: SocketIO
    broadcaster: Broadcaster
    subscriber: RelaySubscriber | None
    media_cache: MediaCache
    webhook_health: WebhookHealth
    state: SharedState  # what is per desk, not per process (realtime/state.py)
    presence: Presence  # who has which chat open (realtime/events.py)
    blobs: BlobStore  # agents' uploads (realtime/outbound.py)
    theme: ThemeFile  # the organisation's look (realtime/theme.py)
    stats: StatsCache  # the stats page's figures, held a few seconds per window (realtime/stats.py)
    sessions: SessionStore  # the agents' sessions, kept where `state` is (realtime/sessions.py)
    login_guard: LoginGuard  # the login limits (realtime/login_guard.py)


def current_relay() -> Relay:
    """The relay of the app handling this request (or Socket.IO event)."""
    relay = current_app.extensions[EXTENSION]
    if not isinstance(relay, Relay):
        raise RuntimeError(f"app.extensions[{EXTENSION!r}] is not the relay's state: was it made by create_app?")
    return relay
