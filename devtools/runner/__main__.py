"""`python -m devtools.runner` (what `make run` starts): the whole desk until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from devtools.runner.desk import Desk, with_standin_staff_forum
from devtools.runner.emulators import MissingPrerequisite
from devtools.runner.redis_server import shown_url
from devtools.runner.secrets import ensure_local_secrets
from teledesk.logs import configure
from teledesk.settings import ROOT, Settings, merged_environment


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the whole desk locally until Ctrl-C.")
    parser.add_argument("--log-dir", type=Path, default=ROOT / ".teledesk" / "logs")
    args = parser.parse_args()
    ensure_local_secrets()
    configure("runner", log_dir=args.log_dir, echo=True)  # after the secrets exist: they are kept out of it
    settings = with_standin_staff_forum(Settings.from_env(), merged_environment(None, None))
    desk = Desk(settings, log_dir=args.log_dir)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # also when started with SIGINT ignored (a background job)
        signal.signal(signum, lambda *_: stop.set())
    print(f"Starting the desk (emulators, functions, relay)… logs in {args.log_dir}", flush=True)
    try:
        desk.start()
    except (MissingPrerequisite, RuntimeError, TimeoutError) as exc:
        print(f"Could not start the desk: {exc}", file=sys.stderr)
        return 1
    several = len(desk.console_urls) > 1
    pubsub = desk.emulators.environment["PUBSUB_EMULATOR_HOST"] if desk.emulators else "?"
    consoles = "".join(f"  Console        {url}{f'  ({name})' if several else ''}\n"
                       for name, url in zip(desk.relay_names, desk.console_urls, strict=True))
    try:
        print(
            "\nThe desk is ready.\n"
            + consoles
            + (f"  Redis          {shown_url(desk.redis_url)}  (shared by the relays)\n" if desk.redis_url else "")
            + f"  Agent login    admin / {settings.desk_admin_password}\n"
            f"  Webhook        {desk.webhook_url}  (header X-Telegram-Bot-Api-Secret-Token from .env)\n"
            + (f"  Customer page  {desk.standin_url}  (the Telegram stand-in: play the customer here)\n"
               if desk.uses_standin else f"  Telegram       real bot, mode {settings.telegram_mode}\n")
            + (f"  Staff forum    chat {settings.desk_staff_chat_id}  (a topic per conversation; docs/telegram.md)\n"
               if settings.desk_staff_chat_id is not None else "")
            + f"  Logs           {args.log_dir}  (one message's path: python -m teledesk.logs find <chat id>,\n"
            "                 then python -m teledesk.logs trace <trace id>)\n"
            + (f"  Workflows      {desk.workflows.url}  (the lifecycle: SLA {settings.desk_sla_first_response_s} s, "
               f"pending resolved after {settings.desk_pending_resolve_s} s, rating "
               f"{'on' if settings.desk_csat else 'off'}; docs/lifecycle.md)\n" if desk.workflows else "")
            + f"  Pub/Sub        PUBSUB_EMULATOR_HOST={pubsub}  (for python -m teledesk.replay, docs/replay.md)\n"
            + "Press Ctrl-C to stop.",
            flush=True,
        )
        desk.supervise(stop)  # starts again what dies, as Cloud Run and Cloud Functions would; it says which
    finally:
        print("\nStopping…", flush=True)
        desk.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
