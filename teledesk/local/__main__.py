"""`python -m teledesk.local` (what `make run` starts): the whole desk until Ctrl-C."""

from __future__ import annotations

import logging
import signal
import sys
import threading

from teledesk.local.desk import Desk
from teledesk.local.emulators import MissingPrerequisite
from teledesk.local.secrets import ensure_local_secrets
from teledesk.settings import ROOT, Settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ensure_local_secrets()
    settings = Settings.from_env()
    desk = Desk(settings, log_dir=ROOT / ".teledesk" / "logs")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("Starting the desk (emulators, functions, relay)… logs in .teledesk/logs/", flush=True)
    try:
        desk.start()
    except (MissingPrerequisite, RuntimeError, TimeoutError) as exc:
        print(f"Could not start the desk: {exc}", file=sys.stderr)
        return 1
    try:
        print(
            "\nThe desk is ready.\n"
            f"  Console        {desk.console_url}\n"
            f"  Agent login    admin / {settings.desk_admin_password}\n"
            f"  Webhook        {desk.webhook_url}  (header X-Telegram-Bot-Api-Secret-Token from .env)\n"
            + (f"  Customer page  {desk.standin_url}  (the Telegram stand-in: play the customer here)\n"
               if desk.uses_standin else f"  Telegram       real bot, mode {settings.telegram_mode}\n")
            + "Press Ctrl-C to stop.",
            flush=True,
        )
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        desk.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
