"""What Telegram says about the webhook (`getWebhookInfo`): pending updates and its last error.

Read at most once per `CACHE_S`, so a console polling /api/health costs Telegram nothing more.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

CACHE_S = 30.0
TIMEOUT_S = 5
FIELDS = ("url", "pending_update_count", "last_error_date", "last_error_message", "max_connections")


class WebhookHealth:
    def __init__(self, token: str, api_base: str, clock: Any = time.monotonic):
        self.url = f"{api_base.rstrip('/')}/bot{token}/getWebhookInfo"
        self.clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, Any]] | None = None

    def read(self) -> dict[str, Any]:
        with self._lock:
            if self._cached is not None and self.clock() - self._cached[0] < CACHE_S:
                return self._cached[1]
        try:
            body = requests.get(self.url, timeout=TIMEOUT_S).json()
            info = body["result"] if body.get("ok") else {"error": body.get("description", "refused")}
            report = {k: info[k] for k in (*FIELDS, "error") if k in info}
        except (requests.RequestException, ValueError, KeyError) as exc:
            report = {"error": f"Telegram could not be reached: {exc.__class__.__name__}"}
        with self._lock:
            self._cached = (self.clock(), report)
        return report
