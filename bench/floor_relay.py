"""A relay that does nothing but emit: the Socket.IO end of both floors.

`python -m bench.floor_relay --port P direct --secret S`: the webhook POST is read into an
envelope and emitted as `message` at once (no Pub/Sub, no Firestore).
`python -m bench.floor_relay --port P pull`: the last topic of the hops floor (`bench-` copy of
the manifest's path) is pulled by the relay's own `RelaySubscriber` loop, and every message is
emitted as `message`.
Flask-SocketIO in threading mode, served as the relay serves itself (`socketio.run`); emits go
through the relay's `Broadcaster`, so the document and the emit path are the relay's.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Any

from flask import Flask, jsonify, request
from flask_socketio import SocketIO, join_room

from bench.chain import floor_manifest, message_path
from realtime.broadcast import AGENTS_ROOM, Broadcaster
from realtime.subscriber import Handler, RelaySubscriber
from teledesk.envelope import Envelope
from teledesk.manifest import load_manifest
from teledesk.model import Direction, Message
from teledesk.telegram.updates import envelope_from_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class FloorSubscriber(RelaySubscriber):
    """The relay's pull loop on the floor's topic, with a handler that only emits."""

    def handlers(self) -> dict[str, Handler]:
        def emit(envelope: Envelope) -> None:
            self.broadcaster.message(Message.model_validate({**envelope.to_dict(), "direction": Direction.IN}))

        return {topic: emit for topic in self.manifest.relay_subscribes}


def create_app(args: argparse.Namespace) -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=[])
    broadcaster = Broadcaster(socketio)
    subscriber: FloorSubscriber | None = None

    @socketio.on("connect")
    def connect(auth: Any = None) -> bool:
        join_room(AGENTS_ROOM)
        return True

    @app.get("/health")
    def health() -> tuple[Any, int]:
        ready = subscriber is None or subscriber.running
        return jsonify(ready=ready), 200 if ready else 503

    if args.mode == "direct":
        @app.post("/")
        def webhook() -> tuple[Any, int]:
            if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), args.secret.encode()):
                return jsonify(ok=False), 403
            envelope = envelope_from_update(request.get_json(force=True, silent=True)).stamp("ingest")
            broadcaster.message(Message.model_validate({**envelope.to_dict(), "direction": Direction.IN}))
            return jsonify(ok=True), 200
    else:
        manifest = load_manifest()
        floor = floor_manifest(manifest, message_path(manifest))
        subscriber = FloorSubscriber(os.environ["GOOGLE_CLOUD_PROJECT"], floor, broadcaster)
        subscriber.start()
    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_relay")
    parser.add_argument("--port", type=int, required=True)
    modes = parser.add_subparsers(dest="mode", required=True)
    modes.add_parser("direct").add_argument("--secret", required=True)
    modes.add_parser("pull")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    app, socketio = create_app(args)
    socketio.run(app, host="127.0.0.1", port=args.port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
