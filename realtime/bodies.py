"""What a request's body may be: at most `DESK_MAX_BODY_BYTES` (more only where a route says so),
and JSON nested at most `MAX_JSON_DEPTH` deep.

The size is Flask's `MAX_CONTENT_LENGTH`: Werkzeug refuses a declared `Content-Length` over it with
a 413 before a byte is read, and reads a body sent without one (chunked; gunicorn tells Werkzeug it
ends such a stream) no further than the limit. Werkzeug then hands over the first `limit` bytes as
if they were the whole body when it is read at once (`get_data`, so `get_json`): `WholeOrNothing`
makes that a 413 too. So one request costs at most the limit in memory, and no truncated body is
ever parsed. Agents'
uploads may be larger (`accepts_body_up_to`). Socket.IO's messages have their own limit, given the
same figure (create_app).

Python's JSON parser recurses once per level of nesting (teledesk.json_depth): the app's JSON
provider counts the nesting before parsing, without recursing, and answers a body nested deeper
than `MAX_JSON_DEPTH` 400 "the body is nested deeper than 64 levels".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

from flask import Flask, Request, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream, get_content_length, get_input_stream

from realtime.errors import ApiError
from teledesk.json_depth import json_depth

View = TypeVar("View", bound=Callable[..., Any])

MAX_JSON_DEPTH = 64  # the API's deepest body is 3 levels; the theme's 2
TOO_DEEP = f"the body is nested deeper than {MAX_JSON_DEPTH} levels"
BODY_LIMIT = "_desk_max_body_bytes"  # a view's own limit, set by accepts_body_up_to


class NestedTooDeep(ValueError):
    """JSON nested deeper than `MAX_JSON_DEPTH` (a ValueError, as json's own errors are)."""


def loads(document: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, refusing a document nested deeper than `MAX_JSON_DEPTH` before parsing it."""
    if json_depth(document) > MAX_JSON_DEPTH:
        raise NestedTooDeep(TOO_DEEP)
    return json.loads(document, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, parsing only what `loads` takes: a body nested too deep is a 400 that says so,
    whoever reads it (`request.get_json`, silent or not, spectree's validation)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return loads(s, **kwargs)
        except NestedTooDeep as exc:
            raise ApiError(400, str(exc)) from None


class WholeOrNothing(LimitedStream):
    """A body without a Content-Length, read up to `limit`: read whole, it is all of it or a 413
    (Werkzeug's own stops at the limit and answers what it read)."""

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._stream.read(1):
            self.on_exhausted()  # 413
        return data


class BoundedRequest(Request):
    @cached_property
    def stream(self) -> IO[bytes]:
        terminated_without_length = ("wsgi.input_terminated" in self.environ
                                     and get_content_length(self.environ) is None)
        limit = self.max_content_length
        if terminated_without_length and limit is not None:
            return cast(IO[bytes], WholeOrNothing(self.environ["wsgi.input"], limit, is_max=True))
        return get_input_stream(self.environ, max_content_length=limit)


def accepts_body_up_to(max_bytes: int) -> Callable[[View], View]:
    """A view that takes a body larger than the app's limit (an upload), up to `max_bytes`."""

    def mark(view: View) -> View:
        setattr(view, BODY_LIMIT, max_bytes)
        return view

    return mark


def _route_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    own = getattr(view, BODY_LIMIT, None)
    if own is not None:
        request.max_content_length = own


def limit_bodies(app: Flask, max_bytes: int) -> None:
    """Every body of `app` at most `max_bytes` (a route's own limit where it has one), JSON at most
    `MAX_JSON_DEPTH` deep."""
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
    app.before_request(_route_limit)
