"""What Telegram says about the webhook (`getWebhookInfo`): pending updates and its last error.

Asked through the process's one `Bot` (`teledesk.telegram.bot`), at most once per `CACHE_S`, and
one question at a time (`SingleFlight`): a console polling /api/health, or a burst of anonymous
requests to it, costs Telegram one `getWebhookInfo` per `CACHE_S` at most. /api/health is public: the report
carries Telegram's own description of a refusal, the kind of a network failure, never a token.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TypedDict, cast

from telegram.error import NetworkError, TelegramError

from teledesk.redaction import redact
from teledesk.single_flight import SingleFlight
from teledesk.telegram.bot import shared_bot

CACHE_S = 30.0
TIMEOUT_S = 5


class WebhookReport(TypedDict, total=False):
    """getWebhookInfo's fields the desk shows (Telegram's names), or why Telegram could not say."""

    url: str
    pending_update_count: int
    last_error_date: int
    last_error_message: str
    max_connections: int
    error: str


FIELDS = tuple(name for name in WebhookReport.__annotations__ if name != "error")  # Telegram's own


class WebhookHealth:
    def __init__(self, token: str, api_base: str, clock: Any = time.monotonic):
        self.token, self.api_base = token, api_base
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, WebhookReport] | None = None
        self._asking: SingleFlight[WebhookReport] = SingleFlight()

    def read(self) -> WebhookReport:
        with self._lock:
            if self._cached is not None and self.clock() - self._cached[0] < CACHE_S:
                return self._cached[1]
        return self._asking.run("getWebhookInfo", self._refresh)

    def _refresh(self) -> WebhookReport:
        report = self._ask()
        with self._lock:
            self._cached = (self.clock(), report)
        return report

    def _ask(self) -> WebhookReport:
        if not self.token:
            return {"error": "Telegram could not be reached: no bot token is set"}
        try:
            # TIMEOUT_S bounds the whole read, the process's first getMe included: the liveness
            # probe waits on this.
            info = shared_bot(self.token, self.api_base).run(lambda bot: bot.get_webhook_info(
                read_timeout=TIMEOUT_S, connect_timeout=TIMEOUT_S), timeout=TIMEOUT_S)
        except (NetworkError, TimeoutError) as exc:  # timeouts, refused connections, 5xx
            return {"error": f"Telegram could not be reached: {exc.__class__.__name__}"}
        except TelegramError as exc:  # refused: 401, 404...
            return {"error": redact(exc.message) or "refused"}
        found = info.to_dict()  # Telegram's own shape again: dates as epoch seconds
        return cast(WebhookReport, {k: found[k] for k in FIELDS if k in found})
