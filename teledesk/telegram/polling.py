"""`python -m teledesk.telegram.polling`: long polling for local development with a real bot.

Telegram cannot reach a webhook on 127.0.0.1, so each update taken by `getUpdates` (through the
process's one `Bot`, `teledesk.telegram.bot`) is posted to the local ingest webhook with the
secret: the rest of the desk cannot tell the difference. An update is confirmed to Telegram (the
next offset) only once ingest answered it:

- 2xx: taken;
- 4xx: ingest will never take that update: it is skipped (confirmed, not posted again), logged
  as a warning and counted (`Forwarder.skipped`), so one bad update does not stop every later one;
- 5xx, or ingest unreachable: posted again, after capped exponential waits (`Backoff`), until
  ingest takes it; a failed getUpdates waits the same way.

No token in a log line: errors are logged by kind or `redact`ed, and the Bot's requests go through
the process's `SharedBot`, whose token every log record of the process is cleaned of.

The updates are asked for as Telegram's JSON (`do_api_request`), not as PTB's `Update` objects:
turned back into JSON those add fields Telegram did not send (`group_chat_created: false` on
every message...) and drop empty ones, and ingest must get what Telegram sent.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import cast

import requests
from telegram import Bot
from telegram.error import TelegramError
from telegram.warnings import PTBUserWarning

from teledesk.logs import configure
from teledesk.manifest import load_manifest
from teledesk.open_data import JSONObject
from teledesk.redaction import redact
from teledesk.settings import Settings
from teledesk.telegram.bot import shared_bot

LONG_POLL_SECONDS = 25
RETRY_INITIAL_S = 1.0
RETRY_MAX_S = 60.0
INGEST_TIMEOUT_S = 30
REFUSED_UPDATE_STATUSES = (400, 413)  # ingest's answers about the update itself (unreadable, too large)
MAX_BACKOFF_DOUBLINGS = 16  # past this the wait is long capped anyway; keeps 2**n a small number

log = logging.getLogger("teledesk.polling")

async def _updates(bot: Bot, offset: int | None, allowed_updates: list[str]) -> list[JSONObject]:
    """getUpdates, answered as Telegram's JSON."""
    params = {"offset": offset, "timeout": LONG_POLL_SECONDS, "allowed_updates": allowed_updates}
    updates = await bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=LONG_POLL_SECONDS + 10)
    return cast(list[JSONObject], updates)


@dataclass
class Backoff:
    """Capped exponential waits between attempts that fail in a row: 1, 2, 4 … up to `cap_s`."""

    initial_s: float = RETRY_INITIAL_S
    cap_s: float = RETRY_MAX_S
    failures: int = 0

    def next_wait(self) -> float:
        wait = min(self.cap_s, self.initial_s * float(2 ** min(self.failures, MAX_BACKOFF_DOUBLINGS)))
        self.failures += 1
        return wait

    def reset(self) -> None:
        self.failures = 0


class Forwarder:
    """Takes updates with getUpdates and posts each to the local webhook (see the module)."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
                 post: Callable[..., requests.Response] = requests.post) -> None:
        self.telegram = shared_bot(settings.telegram_bot_token, settings.telegram_api_base)
        self.webhook = f"http://127.0.0.1:{settings.ingest_port}/"
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret}
        self.allowed_updates = list(load_manifest().allowed_updates)
        self.sleep, self.post = sleep, post
        self.backoff = Backoff()
        self.offset: int | None = None
        self.skipped = 0  # updates ingest refused for good (4xx)

    def _wait(self, why: str) -> None:
        wait = self.backoff.next_wait()
        log.warning("%s; trying again in %g s", why, wait)
        self.sleep(wait)

    def hand_over(self, update: JSONObject) -> None:
        """Post one update until ingest answers it other than 5xx; then it is confirmed (the offset)."""
        update_id = update.get("update_id")
        while True:
            try:
                status = self.post(self.webhook, json=update, headers=self.headers,
                                   timeout=INGEST_TIMEOUT_S).status_code
            except requests.RequestException as exc:
                self._wait(f"the local ingest could not be reached ({type(exc).__name__})")
                continue
            if status < 400 or status in REFUSED_UPDATE_STATUSES:
                break
            # 5xx, or ingest refusing the poller itself (a wrong secret, a wrong address): the
            # update is not the problem, so it waits for the desk to be fixed, never dropped.
            self._wait(f"ingest answered update {update_id} with {status}")
        self.backoff.reset()
        if status >= 400:
            self.skipped += 1
            log.warning("ingest refused update %s with %s; skipped, confirmed to Telegram and not posted again "
                        "(%d skipped so far)", update_id, status, self.skipped)
        self.offset = int(cast(int, update_id)) + 1

    def poll_once(self) -> None:
        """One getUpdates, and each update it brought handed over in order."""
        try:
            updates = self.telegram.run(partial(_updates, offset=self.offset, allowed_updates=self.allowed_updates))
        except TelegramError as exc:
            self._wait(f"getUpdates failed ({redact(exc.message) or type(exc).__name__})")
            return
        self.backoff.reset()
        for update in updates:
            self.hand_over(update)


def forward_updates(settings: Settings, once: bool = False, *, sleep: Callable[[float], None] = time.sleep,
                    post: Callable[..., requests.Response] = requests.post) -> Forwarder:
    # PTB suggests Bot.get_updates when do_api_request names a method it has: the JSON is the point here.
    warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)
    forwarder = Forwarder(settings, sleep=sleep, post=post)
    while True:
        forwarder.poll_once()
        if once:
            return forwarder


if __name__ == "__main__":
    configure("polling")
    forward_updates(Settings.from_env())
