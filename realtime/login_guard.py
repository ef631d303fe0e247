"""How often, and how many at once, passwords may be tried at POST /api/login.

Each password check is a scrypt hash: ~0.2 s of a core and ~32 MiB. Unbounded, guesses find a
password by brute force, and concurrent ones take the relay past its memory. So:

- Flask-Limiter counts failed logins (answered 401) per username (`DESK_LOGIN_LIMIT_PER_USERNAME`,
  keyed by an HMAC of the normalised username, so no username is a key in Redis) and per client
  address (`DESK_LOGIN_LIMIT_PER_ADDRESS`; behind a trusted proxy the client's, not the proxy's).
  Once either is reached, every login of that username, or from that address, is refused with 429
  and Retry-After, the right password too, until the moving window has let the oldest failure go.
  Only failures count: a team behind one office address signing in at the start of a shift is
  not locked out by its own successes. A count is checked before the password and added after it,
  so checks already running when a limit is reached still finish: at most DESK_LOGIN_CONCURRENCY
  more per relay. With `DESK_REDIS_URL` every relay counts in the same Redis.
- At most DESK_LOGIN_CONCURRENCY checks run at once on a relay; a login beyond that is answered
  503 with Retry-After at once. Never queued: a queue of checks holds requests and their memory
  for as long as the guesses keep coming.

One guard per app (`create_app` makes it; it is `Relay.login_guard`), with its own limiter and
counts: nothing outlives an app.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from limits import parse_many
from werkzeug.wrappers import Response as WerkzeugResponse

from realtime.errors import error_response
from realtime.state import REDIS_OPTIONS
from teledesk.settings import Settings

View = TypeVar("View", bound=Callable[..., Any])

KEY_PREFIX = "teledesk:login"
STRATEGY = "moving-window"  # a fixed window would let twice the limit through across its edge
FAILED = 401  # the answer that counts against the limits
BUSY_RETRY_AFTER_S = 1  # a password check takes ~0.2 s
TOO_MANY = "too many failed logins: try again in {seconds} s"
BUSY = "too many logins at once: try again in a moment"


def normalised_username(username: object) -> str:
    """The username as the limit counts it: " Ana" and "ana" are one account's guesses."""
    return username.strip().casefold() if isinstance(username, str) else ""


def username_key() -> str:
    """The per-username limit's key: an HMAC (with the session secret) of the normalised username
    of the body, so the shared state never holds a username, nor a digest one could look up."""
    body = request.get_json(silent=True)
    username = normalised_username(body.get("username") if isinstance(body, dict) else None)
    secret = current_app.secret_key
    key = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
    return "username:" + hmac.new(key, username.encode(), hashlib.sha256).hexdigest()


def address_key() -> str:
    """The per-address limit's key: the client's address (ProxyFix's, behind a trusted proxy)."""
    return "address:" + (request.remote_addr or "unknown")


def _failed(response: Response) -> bool:
    return response.status_code == FAILED


def _too_many(limit: RequestLimit) -> Response:
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    response = error_response(429, TOO_MANY.format(seconds=seconds))
    response.headers["Retry-After"] = str(seconds)
    return response


def _answer_too_many(error: RateLimitExceeded) -> WerkzeugResponse:
    """The answer `_too_many` made (the API's generic handler of HTTP errors would replace it)."""
    return error.get_response()


class LoginGuard:
    """The login limits and the bound on concurrent password checks of one app."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        parse_many(settings.desk_login_limit_per_username)  # a wrong setting stops the relay at start
        parse_many(settings.desk_login_limit_per_address)
        if settings.desk_login_concurrency < 1:
            raise ValueError("DESK_LOGIN_CONCURRENCY must be at least 1")
        self.per_username = settings.desk_login_limit_per_username
        self.per_address = settings.desk_login_limit_per_address
        redis_url = settings.desk_redis_url
        self.limiter = Limiter(
            key_func=address_key, app=app, strategy=STRATEGY, key_prefix=KEY_PREFIX, on_breach=_too_many,
            storage_uri=redis_url or "memory://", storage_options=dict(REDIS_OPTIONS) if redis_url else {},
        )
        app.register_error_handler(RateLimitExceeded, _answer_too_many)
        self.concurrency = settings.desk_login_concurrency
        self._checks = threading.BoundedSemaphore(self.concurrency)  # gevent's under gunicorn (patched)
        self._counting = threading.Lock()
        self.in_progress = 0  # password checks running now
        self.peak = 0  # the most that ever ran at once: what the tests of the bound read

    def limit(self, view: View) -> View:
        """`view` (the login route) under the per-username and per-address limits."""
        limited = self.limiter.limit(self.per_username, key_func=username_key, deduct_when=_failed)(view)
        return cast(View, self.limiter.limit(self.per_address, key_func=address_key, deduct_when=_failed)(limited))

    @contextmanager
    def password_check(self) -> Iterator[None]:
        """Hold one of the relay's password checks; 503 with Retry-After at once when all are held.
        (The semaphore is only ever tried, never waited on: nothing blocks the event loop.)"""
        if not self._checks.acquire(blocking=False):
            busy = error_response(503, BUSY)
            busy.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
            abort(busy)
        with self._counting:
            self.in_progress += 1
            self.peak = max(self.peak, self.in_progress)
        try:
            yield
        finally:
            with self._counting:
                self.in_progress -= 1
            self._checks.release()
