"""Pushes queued updates to the webhook the way Telegram does.

One update at a time, in order: the next one waits until the webhook has answered 2xx to the
previous one. Non-2xx answers and connection errors are retried after 1, 2, 4 ... seconds
(capped), and the last error is kept for getWebhookInfo, so the desk's ingest can be tested
for what Telegram will really do to it: redeliver the same update until it is accepted.
"""

from __future__ import annotations

import logging
import threading

import requests

from .updates import DeliveryJob, UpdateFeed

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_INITIAL = 1.0
RETRY_MAX = 30.0


class WebhookDeliverer:
    """A background thread draining an UpdateFeed into its webhook."""

    def __init__(
        self,
        feed: UpdateFeed,
        *,
        timeout: float = 5.0,
        retry_initial: float = RETRY_INITIAL,
        retry_max: float = RETRY_MAX,
    ) -> None:
        self._feed = feed
        self._timeout = timeout
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._session = requests.Session()
        # The webhook is the desk on this machine or its network: never send it through a proxy
        # picked up from the environment.
        self._session.trust_env = False

    def start(self) -> None:
        """Start the worker once; later calls do nothing."""
        with self._lock:
            if self._thread is None and not self._feed.closed:
                self._thread = threading.Thread(target=self._run, name="standin-webhook", daemon=True)
                self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Close the feed and wait for the worker (at most one in-flight POST's timeout)."""
        self._feed.close()
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(self._timeout + 1 if timeout is None else timeout)
        self._session.close()

    def _run(self) -> None:
        backoff = self._retry_initial
        generation = None
        while (job := self._feed.next_job()) is not None:
            if job.generation != generation:
                generation, backoff = job.generation, self._retry_initial
            error = self._post(job)
            if error is None:
                self._feed.delivered(job)
                backoff = self._retry_initial
                continue
            log.info("webhook delivery of update %s failed: %s", job.update["update_id"], error)
            self._feed.failed(job, error)
            self._feed.pause(backoff, job.generation)
            backoff = min(backoff * 2, self._retry_max)

    def _post(self, job: DeliveryJob) -> str | None:
        """POST one update; None on 2xx, otherwise Telegram-style wording of what went wrong."""
        headers = {SECRET_HEADER: job.secret_token} if job.secret_token else {}
        try:
            response = self._session.post(job.url, json=job.update, headers=headers, timeout=self._timeout)
        except requests.Timeout:
            return "Read timeout expired"
        except requests.ConnectionError:
            return "Connection refused"
        except requests.RequestException as exc:
            return f"Failed to deliver: {exc.__class__.__name__}"
        with response:
            if 200 <= response.status_code < 300:
                return None
            return f"Wrong response from the webhook: {response.status_code} {response.reason or ''}".rstrip()
