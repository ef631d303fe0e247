"""`python -m devtools.standin --port P --token T [--host H]`: serve the stand-in."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from werkzeug.serving import make_server

from teledesk.logs import configure
from teledesk.redaction import BOT_TOKEN, keep_secret
from teledesk.settings import Settings

from .app import create_app

# A well-formed but obviously fake token, so `python -m devtools.standin` works with no arguments.
DEFAULT_TOKEN = "1000000001:STANDIN-local-token"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m devtools.standin", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=settings.standin_port, help="port (default: STANDIN_PORT or 8082)")
    parser.add_argument("--token", default=DEFAULT_TOKEN, help="the bot token the desk will use (default: a fake one)")
    parser.add_argument("--bot-username", default="teledesk_bot", help="the bot's @username (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    keep_secret(args.token, BOT_TOKEN)
    configure("standin")
    app = create_app(args.token, bot_username=args.bot_username)
    server = make_server(args.host, args.port, app, threaded=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    base = f"http://{args.host}:{server.server_port}"
    print(f"Telegram stand-in: customer page {base}/  Bot API {base}/bot<token>/<method>", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["standin"].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
