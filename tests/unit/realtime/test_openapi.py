"""The API declared once (realtime/schemas.py, realtime/apispec.py): the document at /api/openapi.json is
valid OpenAPI 3 and lists every route the relay serves under /api; the validation generated from the same
declarations refuses a wrong type, a missing field and an oversized value of each route family with a 400
that names the field; and every call of the console's API client is in the document."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from relay_fakes import CHAT_ID, FakePublisher, FakeStore

from realtime.app import create_app
from realtime.relay import Relay
from realtime.schemas import (
    CLIENT_ID_PATTERN,
    COLOR_KEY_PATTERN,
    COLOR_PATTERN,
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_USERNAME_LENGTH,
    PAGE_SIZE,
    PASSWORD_LENGTH,
    RADIUS_PATTERN,
)
from realtime.theme import COLOR, COLOR_KEY, RADIUS
from teledesk.model import BusinessConnection, Customer
from teledesk.settings import ROOT
from teledesk.telegram.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH
from teledesk.telegram.outbound import MAX_ANSWER_LENGTH

CLIENT_ID = "c0ffee-42_ab"
CHAT = f"/api/conversations/{CHAT_ID}"
CONSOLE_API = ROOT / "frontend" / "src" / "api"


def served_routes(app: Flask) -> set[tuple[str, str]]:
    """(method, path in OpenAPI's spelling) of every route under /api."""
    return {
        (method.lower(), re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def documented_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method, path) for path, item in document["paths"].items() for method in item}


# -- the document ------------------------------------------------------------------------------------

def test_the_document_is_valid_openapi_3(document: dict[str, Any]):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_route_under_api_is_in_the_document_and_nothing_else(app: Flask, document: dict[str, Any]):
    served = served_routes(app)
    assert len(served) >= 30  # the walk found the API
    assert served - documented_routes(document) == set(), "routes the document does not have"
    assert documented_routes(document) - served == set(), "documented routes the relay does not serve"


def test_public_routes_say_so_and_the_rest_want_the_session_cookie(document: dict[str, Any]):
    public = {(method, path) for path, item in document["paths"].items() for method, operation in item.items()
              if operation.get("security") == []}
    assert public == {("get", "/api/health"), ("get", "/api/openapi.json"), ("post", "/api/login"),
                      ("post", "/api/logout"), ("get", "/api/theme"), ("get", "/api/theme/logo")}
    assert document["security"] == [{"session": []}]
    assert document["components"]["securitySchemes"]["session"]["in"] == "cookie"


def test_the_limits_in_the_document_are_the_ones_the_relay_applies(document: dict[str, Any]):
    schemas = document["components"]["schemas"]
    reply, note = schemas["Reply"]["properties"], schemas["NewNote"]["properties"]
    assert reply["text"]["maxLength"] == MAX_ANSWER_LENGTH
    assert note["text"]["maxLength"] == MAX_NOTE_LENGTH == MAX_MESSAGE_LENGTH
    assert reply["client_id"]["pattern"] == note["client_id"]["pattern"] == CLIENT_ID_PATTERN
    assert schemas["Upload"]["properties"]["caption"]["maxLength"] == MAX_CAPTION_LENGTH
    limit = next(p for p in document["paths"]["/api/conversations/{chat_id}/messages"]["get"]["parameters"]
                 if p["name"] == "limit")
    assert limit["schema"]["default"] == PAGE_SIZE and str(PAGE_SIZE) in limit["description"]
    chat_id = document["paths"]["/api/conversations/{chat_id}/messages"]["get"]["parameters"][0]
    assert chat_id["schema"] == {"type": "integer", "format": "int64",  # Telegram's ids pass 32 bits
                                 "minimum": -(2**63), "maximum": 2**63 - 1}


def test_the_theme_answer_states_the_rules_the_theme_file_is_held_to(document: dict[str, Any]):
    theme = document["components"]["schemas"]["Theme"]["properties"]
    assert (COLOR_KEY.pattern, COLOR.pattern) == (COLOR_KEY_PATTERN, COLOR_PATTERN)
    assert theme["colors"]["patternProperties"] == theme["dark"]["patternProperties"] == {
        COLOR_KEY_PATTERN: {"type": "string", "pattern": COLOR_PATTERN}}
    assert theme["radius"]["anyOf"][0]["pattern"] == RADIUS_PATTERN == RADIUS.pattern


# -- validation generated from the declarations: a 400 that names the field -------------------------

def _upload(**fields: Any) -> dict[str, Any]:
    return {"data": {"client_id": CLIENT_ID, "file": (io.BytesIO(b"%PDF"), "a.pdf", "application/pdf"), **fields},
            "content_type": "multipart/form-data"}


REFUSED = [
    # family, method, path, request, the field the error names
    ("login", "post", "/api/login", {"json": {"username": 5, "password": "x"}}, "username"),
    ("login", "post", "/api/login", {"json": {"username": "admin"}}, "password"),
    ("login", "post", "/api/login", {"json": {"username": "a" * (MAX_USERNAME_LENGTH + 1), "password": "x"}},
     "username"),
    ("messages", "get", f"{CHAT}/messages", {"query_string": {"limit": "many"}}, "limit"),
    ("messages", "get", f"{CHAT}/messages", {"query_string": {"before": "yesterday"}}, "before"),
    ("reply", "post", f"{CHAT}/messages", {"json": {"text": 5, "client_id": CLIENT_ID}}, "text"),
    ("reply", "post", f"{CHAT}/messages", {"json": {"text": "hola"}}, "client_id"),
    ("reply", "post", f"{CHAT}/messages", {"json": {"client_id": CLIENT_ID}}, "text"),
    ("reply", "post", f"{CHAT}/messages", {"json": {"text": "x" * (MAX_ANSWER_LENGTH + 1), "client_id": CLIENT_ID}},
     "text"),
    ("reply", "post", f"{CHAT}/messages", {"json": {"text": "hola", "client_id": CLIENT_ID, "reply_to": "m" * 257}},
     "reply_to"),
    ("notes", "post", f"{CHAT}/notes", {"json": {"text": ["hola"], "client_id": CLIENT_ID}}, "text"),
    ("notes", "post", f"{CHAT}/notes", {"json": {"client_id": CLIENT_ID}}, "text"),
    ("notes", "post", f"{CHAT}/notes", {"json": {"text": "x" * (MAX_NOTE_LENGTH + 1), "client_id": CLIENT_ID}},
     "text"),
    ("edit", "post", f"{CHAT}/messages/agent-x/edit", {"json": {"text": 5}}, "text"),
    ("edit", "post", f"{CHAT}/messages/agent-x/edit", {"json": {}}, "text"),
    ("edit", "post", f"{CHAT}/messages/agent-x/edit", {"json": {"text": "x" * (MAX_MESSAGE_LENGTH + 1)}}, "text"),
    ("upload", "post", f"{CHAT}/media", _upload(file="not a file"), "file"),
    ("upload", "post", f"{CHAT}/media", {"data": {"client_id": CLIENT_ID}, "content_type": "multipart/form-data"},
     "file"),
    ("upload", "post", f"{CHAT}/media", _upload(caption="x" * (MAX_CAPTION_LENGTH + 1)), "caption"),
    ("actions", "post", f"{CHAT}/assign", {"json": {"username": 5}}, "username"),
    ("actions", "post", f"{CHAT}/assign", {"json": {"username": "u" * (MAX_USERNAME_LENGTH + 1)}}, "username"),
    ("canned", "post", "/api/canned", {"json": {"shortcut": 5, "text": "hola"}}, "shortcut"),
    ("canned", "post", "/api/canned", {"json": {"shortcut": "hola"}}, "text"),
    ("canned", "put", "/api/canned/abc123", {"json": {"shortcut": "hola", "text": "x" * (MAX_MESSAGE_LENGTH + 1)}},
     "text"),
    ("team", "post", "/api/agents", {"json": {"username": "bea", "name": 5, "password": "bea-password"}}, "name"),
    ("team", "post", "/api/agents", {"json": {"username": "bea", "name": "Bea"}}, "password"),
    ("team", "post", "/api/agents", {"json": {"username": "bea", "name": "n" * (MAX_NAME_LENGTH + 1),
                                              "password": "bea-password"}}, "name"),
    ("team", "post", "/api/agents/bob/password", {"json": {"password": 12345678}}, "password"),
    ("team", "post", "/api/agents/bob/password", {"json": {}}, "password"),
    ("team", "post", "/api/agents/bob/password", {"json": {"password": "p" * (PASSWORD_LENGTH[1] + 1)}},
     "password"),
    ("search", "get", "/api/search", {}, "q"),
    ("search", "get", "/api/search", {"query_string": {"q": "x" * 101}}, "q"),
    ("stats", "get", "/api/stats", {"query_string": {"window": "2h"}}, "window"),
]


@pytest.mark.parametrize(("family", "method", "path", "request_", "field"), REFUSED,
                         ids=[f"{case[0]}-{case[4]}-{n}" for n, case in enumerate(REFUSED)])
def test_a_refused_request_is_a_400_that_names_the_field(agent: FlaskClient, publisher: FakePublisher, family: str,
                                                         method: str, path: str, request_: dict[str, Any],
                                                         field: str):
    response = getattr(agent, method)(path, **request_)
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"}
    assert re.match(rf"{field}\b", body["error"]), body["error"]
    assert publisher.published == []


def test_every_wrong_field_is_named_in_the_order_declared(agent: FlaskClient):
    response = agent.post(f"{CHAT}/messages", json={"text": "x" * (MAX_ANSWER_LENGTH + 1), "client_id": "no"})
    assert response.get_json() == {"error": f"text: String should have at most {MAX_ANSWER_LENGTH} characters; "
                                            "client_id must be 8 to 64 letters, digits, '-' or '_'"}


def test_a_body_that_is_not_json_or_not_an_object_says_so(agent: FlaskClient):
    not_json = agent.post(f"{CHAT}/assign", data="{oops", content_type="application/json")
    assert (not_json.status_code, not_json.get_json()) == (400, {"error": "the body is not JSON"})
    a_list = agent.post(f"{CHAT}/notes", json=["hola", CLIENT_ID])
    assert (a_list.status_code, a_list.get_json()) == (400, {"error": "the body must be a JSON object"})


def test_without_a_session_a_body_that_is_not_json_is_a_401_first(client: FlaskClient):
    """The contract: without a valid session, 401; what the body holds is not looked at."""
    response = client.post(f"{CHAT}/assign", data="{oops", content_type="application/json")
    assert (response.status_code, response.get_json()) == (401, {"error": "login required"})
    login = client.post("/api/login", data="{oops", content_type="application/json")
    assert (login.status_code, login.get_json()) == (400, {"error": "the body is not JSON"})


def test_an_upload_that_is_not_multipart_is_a_bad_request(agent: FlaskClient):
    response = agent.post(f"{CHAT}/media", json={"client_id": CLIENT_ID})
    assert response.status_code == 400 and "multipart" in response.get_json()["error"]


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/nothing-here", 404), ("delete", "/api/conversations", 405), ("put", "/api/login", 405),
])
def test_werkzeugs_own_errors_under_api_are_in_the_same_style(agent: FlaskClient, method: str, path: str,
                                                                status: int):
    response = getattr(agent, method)(path)
    assert response.status_code == status and set(response.get_json()) == {"error"}


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/conversations/0.5/resolve"),  # the console's GET route matched it: a 405
    ("post", "/api/nothing-here"),
    ("get", f"/api/conversations/{2**63}/messages"), ("get", f"/api/conversations/{-(2**63) - 1}/messages"),
])
def test_a_path_under_api_no_route_takes_is_a_404_whatever_the_method(agent: FlaskClient, method: str, path: str):
    """Found by Schemathesis (tests/fuzz/test_api_fuzz.py); the document declares chat ids int64."""
    response = getattr(agent, method)(path)
    assert response.status_code == 404 and set(response.get_json()) == {"error"}


def test_a_refused_multipart_body_is_a_400_whatever_its_fields(agent: FlaskClient):
    """Found by Schemathesis: spectree rendered its errors with the form as input, and a form's
    fields are not JSON (a 500)."""
    form = {"": "{}", "caption": ["null", "true"], "reply_to": "null", "x": (io.BytesIO(b"v"), "")}
    response = agent.post(f"{CHAT}/media", data=form, content_type="multipart/form-data")
    assert response.status_code == 400 and "file" in response.get_json()["error"]


def test_the_shortcut_is_declared_as_what_is_taken(document: dict[str, Any], agent: FlaskClient):
    """Found by Schemathesis: the pattern was missing from the document."""
    declared = re.compile(document["components"]["schemas"]["CannedFields"]["properties"]["shortcut"]["pattern"])
    for taken in (" Saludo ", "envio_2", "a-b"):
        assert declared.search(taken)
        assert agent.post("/api/canned", json={"shortcut": taken, "text": "hola"}).status_code == 201
    for refused in ("a b", "ñ", "", "x" * 33):
        assert not declared.search(refused)
        assert agent.post("/api/canned", json={"shortcut": refused, "text": "hola"}).status_code == 400


# -- the factory -------------------------------------------------------------------------------------

def test_each_app_gets_its_own_relay_and_the_same_routes(settings, app: Flask):
    other, _ = create_app(settings, store=FakeStore(), publisher=FakePublisher(), subscribe=False)
    assert isinstance(other.extensions["teledesk"], Relay)
    assert other.extensions["teledesk"] is not app.extensions["teledesk"]
    assert served_routes(other) == served_routes(app)


# -- the console's API client against the document ----------------------------------------------------

def _template_end(text: str, start: int) -> int:
    """Where the template literal opened at `start` (a backtick) closes, skipping ${…} with their own literals."""
    i = start + 1
    while text[i] != "`":
        if text.startswith("${", i):
            i = _expression_end(text, i + 2)
        else:
            i += 1
    return i


def _expression_end(text: str, i: int) -> int:
    depth = 1
    while depth:
        if text[i] == "`":
            i = _template_end(text, i)
        elif text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
        i += 1
    return i


def _path_of(template: str, helpers: dict[str, str]) -> str:
    """A call's path with each parameter as `{}`: helpers expanded, the query string left out."""
    out, i = "", 0
    while i < len(template):
        if template.startswith("${", i):
            end = _expression_end(template, i + 2)
            expression = template[i + 2:end - 1].strip()
            helper = re.fullmatch(r"(\w+)\(.*\)", expression)
            if helper and helper.group(1) in helpers:
                out += _path_of(helpers[helper.group(1)], helpers)
            elif "?" not in expression:  # a conditional query string is not part of the path
                out += "{}"
            i = end
        else:
            out += template[i]
            i += 1
    return out.split("?", 1)[0]


def console_calls() -> set[tuple[str, str]]:
    """(method, path) of each call in frontend/src/api/*.js: `get('/api/…')`, `post(\\`${conversation(id)}/…\\`)` …"""
    methods = {"get": "get", "post": "post", "put": "put", "del": "delete"}
    calls: set[tuple[str, str]] = set()
    for source in sorted(CONSOLE_API.glob("*.js")):
        if source.name.endswith(".spec.js"):
            continue
        text = source.read_text(encoding="utf-8")
        helpers = {name: body for name, body in re.findall(r"const (\w+) = \([^)]*\) =>\s*`([^`]*)`;", text)}
        for match in re.finditer(r"\b(get|post|put|del)\(\s*(?:([`'])|(\w+)\()", text):
            if match.group(3):  # a helper's path as it is: del(message(chatId, messageId))
                calls.add((methods[match.group(1)], _path_of(helpers[match.group(3)], helpers)))
                continue
            start = match.end(2) - 1
            end = _template_end(text, start) if match.group(2) == "`" else text.index("'", start + 1)
            calls.add((methods[match.group(1)], _path_of(text[start + 1:end], helpers)))
    return calls


def test_the_console_client_is_read_whole():
    calls = console_calls()
    assert ("post", "/api/conversations/{}/messages") in calls and ("get", "/api/search") in calls
    assert ("delete", "/api/conversations/{}/messages/{}") in calls
    assert len(calls) >= 30


def test_every_call_of_the_consoles_api_client_is_in_the_document(document: dict[str, Any]):
    documented = {(method, re.sub(r"\{\w+\}", "{}", path)) for method, path in documented_routes(document)}
    assert console_calls() - documented == set(), "calls of frontend/src/api that the API does not declare"


def test_the_query_parameters_the_console_sends_are_declared(document: dict[str, Any]):
    sent = {("get", "/api/search"): "q", ("get", "/api/conversations/{chat_id}/messages"): "before",
            ("get", "/api/stats"): "window"}
    client = "".join(source.read_text(encoding="utf-8") for source in CONSOLE_API.glob("*.js"))
    for (method, path), name in sent.items():
        assert re.search(rf"[?&]{name}=", client), f"the console no longer sends {name}: update this test"
        parameters = document["paths"][path][method]["parameters"]
        assert any(p["name"] == name and p["in"] == "query" for p in parameters), (path, name)


# -- the answers against the document -----------------------------------------------------------------

def _answer_schema(document: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    content = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    return {**content["schema"], "components": document["components"]}


def test_the_answers_are_what_the_document_says(agent: FlaskClient, store: FakeStore, document: dict[str, Any]):
    store.add_business_connection(BusinessConnection(id="conn-1", user=Customer(id=7, first_name="Acme"),
                                                     rights={"can_reply": True}, is_enabled=True))
    store.add_message(CHAT_ID, {"id": f"tg-{CHAT_ID}-7", "type": "CLIENT", "chat_id": CHAT_ID, "date": 1_700_000_000,
                                "text": "¿Hay envío a Cádiz?", "direction": "in", "stored_at": 1.0,
                                "customer": {"id": CHAT_ID, "first_name": "Ana"}, "telegram_message_id": 7,
                                "media": {"kind": "photo", "file_id": "F1", "file_unique_id": "U1"},
                                "trace": {"ingest": 1.0}, "update": {"update_id": 1}})
    calls = [
        ("post", f"{CHAT}/messages", "/api/conversations/{chat_id}/messages", 202,
         {"json": {"text": "Sí", "client_id": CLIENT_ID, "reply_to": f"tg-{CHAT_ID}-7"}}),
        ("post", f"{CHAT}/notes", "/api/conversations/{chat_id}/notes", 202,
         {"json": {"text": "VIP", "client_id": "note-0001"}}),
        ("get", f"{CHAT}/messages", "/api/conversations/{chat_id}/messages", 200, {}),
        ("get", "/api/conversations", "/api/conversations", 200, {}),
        ("post", f"{CHAT}/assign", "/api/conversations/{chat_id}/assign", 200, {}),
        ("post", f"{CHAT}/read", "/api/conversations/{chat_id}/read", 200, {}),
        ("get", "/api/search", "/api/search", 200, {"query_string": {"q": "cadiz"}}),
        ("post", "/api/canned", "/api/canned", 201, {"json": {"shortcut": "hola", "text": "¡Hola!"}}),
        ("get", "/api/canned", "/api/canned", 200, {}),
        ("get", "/api/agents", "/api/agents", 200, {}),
        ("get", "/api/business/connections", "/api/business/connections", 200, {}),
        ("get", "/api/me", "/api/me", 200, {}),
        ("get", "/api/theme", "/api/theme", 200, {}),
        ("get", "/api/health", "/api/health", 200, {}),
        ("post", f"{CHAT}/typing", "/api/conversations/{chat_id}/typing", 202, {}),
        ("get", f"{CHAT}/messages/nope/media", "/api/conversations/{chat_id}/messages/{message_id}/media", 404, {}),
    ]
    for method, url, path, status, request_ in calls:
        response = getattr(agent, method)(url, **request_)
        assert response.status_code == status, (url, response.get_data(as_text=True))
        OAS31Validator(_answer_schema(document, method, path, status)).validate(response.get_json())
    found = agent.get("/api/search", query_string={"q": "cadiz"}).get_json()
    assert [m["id"] for m in found["messages"]] == [f"tg-{CHAT_ID}-7"]  # "cadiz" finds "Cádiz"
