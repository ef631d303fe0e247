"""`python -m realtime`: the relay on 127.0.0.1:$DESK_PORT (on Cloud Run: 0.0.0.0:$PORT)."""

import logging
import os
import signal
import sys
from types import FrameType

from realtime.app import create_app
from teledesk.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings = Settings.from_env()
    app, socketio = create_app(settings)
    subscriber = app.extensions["teledesk"].subscriber

    def shut_down(signum: int, frame: FrameType | None) -> None:
        # Close the streaming pulls first: Pub/Sub then hands what this instance held to the
        # others at once, instead of after the ack deadline (Cloud Run sends SIGTERM to scale in).
        if subscriber is not None:
            subscriber.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, shut_down)
    host = os.environ.get("DESK_HOST", "127.0.0.1")
    port = int(os.environ.get("PORT") or settings.desk_port)
    socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True)


if __name__ == "__main__":
    main()
