"""`python -m teledesk.telegram.polling`: long polling for local development with a real bot.

Telegram cannot reach a webhook on 127.0.0.1, so each update taken by `getUpdates` (through the
process's one `Bot`, `teledesk.telegram.bot`) is posted to the local ingest webhook with the
secret: the rest of the desk cannot tell the difference. An update is confirmed to Telegram (the
next offset) only once ingest answered it: a 5xx is posted again until ingest takes it; a 4xx
(ingest will never take that update) is confirmed and logged, so one bad update does not stop
every later one.

The updates are asked for as Telegram's JSON (`do_api_request`), not as PTB's `Update` objects:
turned back into JSON those add fields Telegram did not send (`group_chat_created: false` on
every message...) and drop empty ones, and ingest must get what Telegram sent.
"""

from __future__ import annotations

import logging
import time
import warnings
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
RETRY_SECONDS = 2
INGEST_TIMEOUT_S = 30

log = logging.getLogger("teledesk.polling")

async def _updates(bot: Bot, offset: int | None, allowed_updates: list[str]) -> list[JSONObject]:
    """getUpdates, answered as Telegram's JSON."""
    params = {"offset": offset, "timeout": LONG_POLL_SECONDS, "allowed_updates": allowed_updates}
    updates = await bot.do_api_request("getUpdates", api_kwargs=params, read_timeout=LONG_POLL_SECONDS + 10)
    return cast(list[JSONObject], updates)


def forward_updates(settings: Settings, once: bool = False) -> None:
    # PTB suggests Bot.get_updates when do_api_request names a method it has: the JSON is the point here.
    warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)
    telegram = shared_bot(settings.telegram_bot_token, settings.telegram_api_base)
    webhook = f"http://127.0.0.1:{settings.ingest_port}/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret}
    offset: int | None = None
    allowed_updates = list(load_manifest().allowed_updates)
    while True:
        try:
            updates = telegram.run(partial(_updates, offset=offset, allowed_updates=allowed_updates))
            for update in updates:
                while (status := requests.post(webhook, json=update, headers=headers,
                                               timeout=INGEST_TIMEOUT_S).status_code) >= 500:
                    time.sleep(RETRY_SECONDS)
                if status >= 400:
                    log.warning("ingest refused update %s with %s; confirmed to Telegram, not posted again",
                                update.get("update_id"), status)
                offset = update["update_id"] + 1
        except TelegramError as exc:
            log.warning("getUpdates failed (%s); trying again", redact(exc.message) or type(exc).__name__)
            time.sleep(RETRY_SECONDS)
        except requests.RequestException as exc:
            log.warning("the local ingest could not be reached (%s); trying again", exc.__class__.__name__)
            time.sleep(RETRY_SECONDS)
        if once:
            return


if __name__ == "__main__":
    configure("polling")
    forward_updates(Settings.from_env())
