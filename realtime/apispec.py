"""The agent API declared once: spectree checks each request against the route's Pydantic models
(realtime/schemas.py) and generates the OpenAPI document served at /api/openapi.json from the
same declarations.

A route is declared with `@declare(...)` under its Flask route and its `login_required` (which
runs first: a request without a session is a 401 before anything else), and takes what it
declares by annotation: `json: Reply`, `query: SearchQuery`, `form: Upload`. A request that
breaks a declaration never reaches the handler: it is answered 400 in the one error style
(realtime/errors.py), each wrong field named. Answers are checked against their declared model
in the tests (test_openapi.py), not on every request.

`api_spec` holds the declarations, as a Blueprint holds its routes: made at import, the same for
every app; it keeps no app and no state of a request.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from flask import Response as FlaskResponse
from flask import abort
from pydantic import BaseModel, ValidationError
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from spectree.model_adapter.pydantic_adapter import PydanticModelAdapter
from spectree.models import InType, SecureType
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.plugins.werkzeug_utils import werkzeug_parse_rule
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from realtime.errors import refuse_invalid
from realtime.schemas import CANNED_ID_PATTERN, CHAT_ID_RANGE, MESSAGE_ID_PATTERN, ErrorBody
from teledesk.model import USERNAME_PATTERN
from teledesk.open_data import JSONObject

View = TypeVar("View", bound=Callable[..., Any])
SESSION = "session"
PUBLIC: dict[str, list[str]] = {}  # a route anyone may call: no session needed
ERROR_DESCRIPTIONS = {400: "Refused: `error` names each field that is wrong", 401: "No valid session",
                      403: "Not allowed", 404: "Not found", 409: "Conflict with the current state",
                      413: "Too large", 416: "The range asked for is not in the file",
                      429: "Too many attempts: wait the seconds of `Retry-After`",
                      502: "Telegram could not be reached", 503: "Not ready, or busy: `Retry-After` says when to try"}


class _ChatId(IntegerConverter):
    """A chat id: a signed integer; `refuse_beyond_int64` holds it to 64 bits."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, signed=True)


def refuse_beyond_int64(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A chat id past 64 bits is no chat: 404, before the store sees it. (The converter cannot
    refuse it: Werkzeug would answer 405 where another method's route has the same path.)"""
    if any(isinstance(value, int) and not CHAT_ID_RANGE[0] <= value <= CHAT_ID_RANGE[1]
           for value in (values or {}).values()):
        abort(404)


def _matching(pattern: str) -> type[BaseConverter]:
    """A path segment that is one of the store's ids (anything else is no such thing: 404)."""
    return type("IdConverter", (BaseConverter,), {"regex": pattern.removeprefix("^").removesuffix("$")})


# The path parameters' converters (register with the app's url_map before the API's routes) and
# what the OpenAPI document says of each: what reaches a Firestore document path is one of these.
PATH_CONVERTERS: dict[str, type[BaseConverter]] = {
    "chat_id": _ChatId, "message_id": _matching(MESSAGE_ID_PATTERN), "username": _matching(USERNAME_PATTERN),
    "canned_id": _matching(CANNED_ID_PATTERN)}
PATH_SCHEMAS: dict[str, JSONObject] = {
    "chat_id": {"type": "integer", "format": "int64", "minimum": CHAT_ID_RANGE[0], "maximum": CHAT_ID_RANGE[1]},
    "message_id": {"type": "string", "pattern": MESSAGE_ID_PATTERN},
    "username": {"type": "string", "pattern": USERNAME_PATTERN},
    "canned_id": {"type": "string", "pattern": CANNED_ID_PATTERN}}
CHAT = "/conversations/<chat_id:chat_id>"
MESSAGE = f"{CHAT}/messages/<message_id:message_id>"


class _FlaskPlugin(FlaskPlugin):
    """spectree's Flask plugin, with Telegram's ids as what they are (64-bit integers), and the
    answers declared for the document but not checked on every request: they are the stored
    model's documents, and the tests check them against the document (test_openapi.py). A file
    (`send_file`'s answer, passed through) is answered as it is: spectree would read it whole."""

    def validate_response(self, resp: Any, resp_model: Response | None, skip_validation: bool,
                          force_resp_serialize: bool) -> Any:
        if isinstance(resp, FlaskResponse) and resp.direct_passthrough:
            return resp, None
        return super().validate_response(resp, resp_model, True, force_resp_serialize)

    def parse_path(self, route: Any, path_parameter_descriptions: Mapping[str, str] | None) -> tuple[str, list[Any]]:
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        converters = {name: converter for converter, _, name in werkzeug_parse_rule(str(route)) if converter}
        for parameter in parameters:
            declared = PATH_SCHEMAS.get(converters.get(parameter["name"], ""))
            if declared is not None:
                parameter["schema"] = dict(declared)
        return path, parameters


class _ErrorsWithoutInput(PydanticModelAdapter):
    """spectree renders a refused request's errors as JSON before `refuse_invalid` answers in the
    desk's own style; without the input they quote: a form's keys and files are not JSON (a fuzzed
    multipart body made that rendering raise, a 500)."""

    def validation_errors(self, err: ValidationError) -> Any:
        return err.errors(include_context=False, include_input=False, include_url=False)


class _Spec(SpecTree):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._generating = threading.Lock()

    def document(self) -> JSONObject:
        """The OpenAPI document of the current app's routes. (spectree's generator moves nested
        models out of the declarations it keeps; each document starts from a copy of them, one
        request at a time.)"""
        with self._generating:
            declared = copy.deepcopy(self.models)
            try:
                return self._generate_spec()
            finally:
                self.models = declared


api_spec = _Spec(
    backend=_FlaskPlugin,
    mode="strict",  # only what is declared is documented: the console's own routes are not the API
    title="teledesk agent API",
    version="1",
    description="The agents' HTTP API of the relay. Errors are `{\"error\": \"...\"}` with the status.",
    validation_error_status=400,
    validation_error_model=ErrorBody,
    before=refuse_invalid,
    model_adapter=_ErrorsWithoutInput(),
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name=SESSION, data=SecuritySchemeData(
        type=SecureType.API_KEY, field_in=InType.COOKIE, name="session", description="set by POST /api/login"))],
    security={SESSION: []},
)


def answers(status: int, model: type[BaseModel] | None = None, *errors: int, description: str = "") -> Response:
    """A route's answers: `model` with `status` on success, `{"error"}` with each of `errors`."""
    success: Any = (model, description) if description else model
    codes: JSONObject = {f"HTTP_{status}": success}
    for code in errors:
        codes[f"HTTP_{code}"] = (ErrorBody, ERROR_DESCRIPTIONS[code])
    return Response(**codes)


def declare(resp: Response, *, security: dict[str, list[str]] | None = None,
            tags: tuple[str, ...] = ()) -> Callable[[View], View]:
    """Validate a route's request against the models it annotates (`json`, `query`, `form`) and
    its answer against `resp`, and put it in the OpenAPI document."""
    return cast(Callable[[View], View], api_spec.validate(resp=resp, security=security, tags=tags))


def openapi_document() -> JSONObject:
    return api_spec.document()
