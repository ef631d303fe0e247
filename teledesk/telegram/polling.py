"""`python -m teledesk.telegram.polling`: long polling for local development with a real bot.

Telegram cannot reach a webhook on 127.0.0.1, so each update taken by `getUpdates` is posted
to the local ingest webhook with the secret: the rest of the desk cannot tell the difference.
An update is confirmed to Telegram (the next offset) only once ingest accepted it.
"""

from __future__ import annotations

import logging
import time

import requests

from teledesk.manifest import load_manifest
from teledesk.settings import Settings

LONG_POLL_SECONDS = 25
RETRY_SECONDS = 2

log = logging.getLogger("teledesk.polling")


def forward_updates(settings: Settings, once: bool = False) -> None:
    bot_api = f"{settings.telegram_api_base}/bot{settings.telegram_bot_token}"
    webhook = f"http://127.0.0.1:{settings.ingest_port}/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": settings.telegram_webhook_secret}
    offset: int | None = None
    allowed_updates = list(load_manifest().allowed_updates)
    while True:
        try:
            answer = requests.post(f"{bot_api}/getUpdates", json={
                "offset": offset, "timeout": LONG_POLL_SECONDS, "allowed_updates": allowed_updates},
                timeout=LONG_POLL_SECONDS + 10).json()
            for update in answer.get("result") or []:
                while requests.post(webhook, json=update, headers=headers, timeout=30).status_code >= 500:
                    time.sleep(RETRY_SECONDS)
                offset = update["update_id"] + 1
        except (requests.RequestException, ValueError) as exc:
            log.warning("getUpdates failed (%s); trying again", exc)
            time.sleep(RETRY_SECONDS)
        if once:
            return


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    forward_updates(Settings.from_env())
