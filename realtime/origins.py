"""Where a request comes from: the proxies the relay believes, and the console's own origin.

Locally the relay is reached directly (`DESK_TRUSTED_PROXIES=0`): the scheme is the connection's,
the host its Host header, the address the peer's, and an `X-Forwarded-*` header is anyone's word.
On Cloud Run, Google's front end (and, before it, the HTTPS load balancer, terraform/lb.tf) says
how the browser came in: with `DESK_TRUSTED_PROXIES=N`, Werkzeug's ProxyFix takes the client's
address from the N-th `X-Forwarded-For` entry from the right (what the nearest N proxies appended;
an entry the client wrote itself is further left and never read) and the scheme from the nearest
proxy's `X-Forwarded-Proto`. The Host stays the request's own: Google's proxies pass the agents'.

An origin is a scheme, a host and a port (RFC 6454): `http://desk.example` is not
`https://desk.example`, nor `https://desk.example:8443`. The API's changes (realtime/api.py) and
the Socket.IO handshake (Engine.IO's `cors_allowed_origins`, realtime/app.py) both hold a browser
to the console's own, by `same_origin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment

DEFAULT_PORTS = {"http": 80, "https": 443}


def behind_proxies(wsgi_app: WSGIApplication, trusted: int) -> WSGIApplication:
    """`wsgi_app` seeing the client's scheme and address as the `trusted` nearest proxies say."""
    if trusted <= 0:
        return wsgi_app
    return ProxyFix(wsgi_app, x_for=trusted, x_proto=1, x_host=0, x_port=0, x_prefix=0)


def _origin_of(scheme: str, netloc: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, or out of range
        return None
    return (scheme, (parts.hostname or "").lower(), port) if parts.hostname else None


def request_origin(environ: WSGIEnvironment) -> tuple[str, str, int | None] | None:
    """The relay's own origin as this request reached it: its scheme and its Host."""
    return _origin_of(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""))


def same_origin(origin: str | None, environ: WSGIEnvironment) -> bool:
    """Whether `origin` (a browser's `Origin` header) is the relay's own: scheme, host and port."""
    if not origin:
        return False
    parts = urlsplit(origin)
    if parts.path or parts.query or parts.username or parts.password:  # not an origin (or "null")
        return False
    theirs = _origin_of(parts.scheme.lower(), parts.netloc)
    return theirs is not None and theirs == request_origin(environ)
