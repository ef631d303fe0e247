"""Sending through python-telegram-bot's `Bot`, against any Bot-API-compatible base URL.

The same code talks to Telegram or to the local stand-in: only `TELEGRAM_API_BASE` differs.
Outcomes Telegram decides for good (403, 400) become a failed delivery with a reason; the
ones worth another try (429, 5xx, timeouts) raise `TransientTelegramError`, so the Pub/Sub
retry policy tries again later.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

BLOCKED_REASON = "blocked by the customer"


class TransientTelegramError(RuntimeError):
    """Telegram could not take the message now; the same request may succeed later."""


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # "sent" or "failed"
    reason: str | None = None
    telegram_message_id: int | None = None


class TelegramClient:
    def __init__(self, token: str, api_base: str):
        self.token = token
        self.api_base = api_base.rstrip("/")

    def _bot(self) -> Bot:
        return Bot(self.token, base_url=f"{self.api_base}/bot", base_file_url=f"{self.api_base}/file/bot")

    def send_text(self, chat_id: int, text: str) -> DeliveryOutcome:
        return asyncio.run(self._send_text(chat_id, text))

    async def _send_text(self, chat_id: int, text: str) -> DeliveryOutcome:
        try:
            async with self._bot() as bot:
                sent = await bot.send_message(chat_id=chat_id, text=text)
        except Forbidden:
            return DeliveryOutcome("failed", BLOCKED_REASON)
        except BadRequest as exc:
            return DeliveryOutcome("failed", exc.message)
        except RetryAfter as exc:
            raise TransientTelegramError(f"Telegram asks to wait {exc.retry_after}") from exc
        except (NetworkError, TelegramError) as exc:
            raise TransientTelegramError(str(exc)) from exc
        return DeliveryOutcome("sent", telegram_message_id=sent.message_id)
