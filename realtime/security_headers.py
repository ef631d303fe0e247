"""The headers every answer of the relay carries, whoever made it: a route, an error handler,
the console's files, Engine.IO's polling, the Socket.IO gate's 401.

A WSGI middleware rather than an `after_request` hook, because Flask sees only its own answers:
Engine.IO answers its requests before Flask does, and the gate (realtime/app.py) before either.

- `Content-Security-Policy`: scripts only from the relay's own files (the built console has no
  inline script), never `eval`; styles also inline, because the theme's dark colours are a
  `<style>` element the console writes (frontend/src/composables/useTheme.js) and Vue binds
  `style` attributes; images and media also as `blob:` (an upload's preview) and `data:`; the
  socket to the relay's own host (`ws:`/`wss:` are named, as some browsers do not count them in
  'self'); no plugins, no `<base>`, forms only to the relay, and no page may frame the console.
  An answer that brings its own policy (a customer's file: `default-src 'none'; sandbox`) keeps it.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`, `X-Frame-Options: DENY`
  (frame-ancestors for browsers that predate it).
- Over HTTPS (as the trusted proxies say, realtime/origins.py): `Strict-Transport-Security`, and
  every cookie the relay sets is `Secure`. Over plain HTTP (a local desk) neither: a browser would
  drop a Secure cookie sent over http://127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HSTS_MAX_AGE_S = 365 * 24 * 3600
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "connect-src 'self'{socket}",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
OVER_HTTPS = (("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE_S}; includeSubDomains"),)
SOCKET_SCHEMES = {"http": "ws", "https": "wss"}
# a Host header as it may be named in the policy: nothing that could end a directive
A_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


def content_security_policy(environ: WSGIEnvironment) -> str:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST", "")
    socket = f" {SOCKET_SCHEMES.get(scheme, 'ws')}://{host}" if A_HOST.fullmatch(host) else ""
    return CONTENT_SECURITY_POLICY.format(socket=socket)


def secure_cookie(value: str) -> str:
    """A Set-Cookie value with the Secure attribute (added once)."""
    attributes = {part.strip().lower() for part in value.split(";")[1:]}
    return value if "secure" in attributes else f"{value}; Secure"


class SecurityHeaders:
    """Adds the headers above to every answer of `wsgi_app` that does not set its own."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        https = environ.get("wsgi.url_scheme") == "https"
        added = [("Content-Security-Policy", content_security_policy(environ)), *ALWAYS,
                 *(OVER_HTTPS if https else ())]

        def with_headers(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            if https:
                headers = [(name, secure_cookie(value) if name.lower() == "set-cookie" else value)
                           for name, value in headers]
            headers = headers + [(name, value) for name, value in added if name.lower() not in present]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, with_headers)
