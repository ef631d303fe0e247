"""The agent API fuzzed by Schemathesis from its own /api/openapi.json, with a logged-in session.

The relay is the real app (realtime/app.py's create_app) on the relay's in-memory fakes
(tests/unit/realtime/relay_fakes.py), called through WSGI: every operation the document declares
gets valid and invalid requests (path, query, bodies), sent with an admin's session cookie, and
every answer goes through Schemathesis' checks: never a 5xx, and the status, content type,
headers and body as the document declares them (the check that schema-valid data is accepted
is left out, see the note on it below). `POST /api/logout` is left out: it ends the session the others
run under.

The fuzzed desk's login limits are the test desks' generous ones (`TEST_DESK_SETTINGS`): the wrong
passwords Schemathesis tries at /api/login must not lock the fuzz session's own login out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from fuzz_profile import FIGURES, PROFILE, SEED, hypothesis_settings
from hypothesis import given, seed
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from support import TEST_DESK_SETTINGS
from unit.realtime.relay_fakes import ADMIN_PASSWORD, CHAT_ID, FakePublisher, FakeStore, cheap_hash

import realtime.auth
from realtime.app import create_app
from teledesk.settings import Settings

OPENAPI = "/api/openapi.json"
SESSION_ENDING = {("POST", "/api/logout")}
# The figures are Firestore aggregation queries the fakes do not have: fuzzed on the emulators
# (test_fuzz_desk.py).
NEEDS_FIRESTORE = {("GET", "/api/stats")}
# Schema-valid is not always acceptable: a reply_to that names no stored message of the chat, an
# assignee who is no active agent, a text message edited to blank are refused with a 400 naming
# the field, which no schema can say (positive_data_acceptance is left out). Everything else a
# check can see is checked.

# The fuzzed relay has no Telegram to reach: what it fetches from there is a 502 as declared
# ("Telegram could not be reached"), the one 5xx allowed, and only on these.
FROM_TELEGRAM = {("GET", "/api/conversations/{chat_id}/avatar"),
                 ("GET", "/api/conversations/{chat_id}/messages/{message_id}/media")}
TELEGRAM_UNREACHABLE = 502
pytestmark = pytest.mark.timeout(PROFILE.timeout_s)
TARGET = "agent API (fakes)"


def fuzz_desk_settings(tmp: Path) -> Settings:
    """The fuzzed relay's settings: Telegram unreachable (media and avatars answer 502, as declared)."""
    return Settings(desk_admin_password=ADMIN_PASSWORD, desk_session_secret="s" * 64, frontend_dist=tmp / "dist",
                    telegram_api_base="http://127.0.0.1:9", media_cache_dir=tmp / "media-cache", **TEST_DESK_SETTINGS)


@pytest.fixture(scope="module")
def store() -> FakeStore:
    store = FakeStore()
    store.add_conversation(CHAT_ID)
    return store


@pytest.fixture(scope="module")
def relay(store: FakeStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(realtime.auth, "generate_password_hash", cheap_hash)  # scrypt is not what is fuzzed
        app, _socketio = create_app(fuzz_desk_settings(tmp_path_factory.mktemp("relay")), store=store,
                                    publisher=FakePublisher(), subscribe=False)
        yield app


@pytest.fixture(scope="module")
def api(relay: Flask) -> Any:
    return schemathesis.openapi.from_wsgi(OPENAPI, relay)


def _session_cookies(relay: Flask, store: FakeStore) -> dict[str, str]:
    """An admin's session, as the cookie the document declares (`session`). A fuzzed operation may
    have set the admin's password (`POST /api/agents/{username}/password` drew `admin`): put back."""
    store.agents.set_password("admin", cheap_hash(ADMIN_PASSWORD))
    client = relay.test_client()
    answer = client.post("/api/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert answer.status_code == 200, answer.get_data()
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _cases(relay_for_listing: Flask) -> list[tuple[str, str, GenerationMode]]:
    """Each operation with valid data, and with invalid data where it takes any (parameters or a body:
    the session cookie is fixed)."""
    document = relay_for_listing.test_client().get(OPENAPI).json
    cases = []
    for path, operations in document["paths"].items():
        for method, declared in operations.items():
            if (method.upper(), path) in SESSION_ENDING | NEEDS_FIRESTORE:
                continue
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            if declared.get("parameters") or declared.get("requestBody"):
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "operation" in metafunc.fixturenames:
        tmp = Path(metafunc.config._tmp_path_factory.mktemp("listing"))  # type: ignore[attr-defined]
        app, _socketio = create_app(fuzz_desk_settings(tmp), store=FakeStore(), publisher=FakePublisher(),
                                    subscribe=False)
        cases = _cases(app)
        metafunc.parametrize(("operation", "mode"), [((m, p), mode) for m, p, mode in cases],
                             ids=[f"{m} {p} {mode.value}" for m, p, mode in cases])


def test_every_operation_answers_as_declared_and_never_5xx(relay: Flask, store: FakeStore, api: Any,
                                                           operation: tuple[str, str], mode: GenerationMode) -> None:
    method, path = operation
    declared = api[path][method]
    cookies = _session_cookies(relay, store)
    FIGURES.counts["API operations fuzzed"] += mode == GenerationMode.POSITIVE

    @seed(SEED)
    @hypothesis_settings(PROFILE.api_examples)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        # Half the valid requests are about the stored conversation, so they get past the 404.
        known = {"chat_id": CHAT_ID} if "{chat_id}" in path and data.draw(st.booleans(), label="known chat") else {}
        case = data.draw(declared.as_strategy(generation_mode=mode, cookies=cookies,
                                              path_parameters=known if mode == GenerationMode.POSITIVE else None))
        response = case.call()
        FIGURES.counts["API requests"] += 1
        FIGURES.status(TARGET, response.status_code)
        case.validate_response(response, excluded_checks=[positive_data_acceptance, not_a_server_error])
        assert response.status_code < 500 or (response.status_code == TELEGRAM_UNREACHABLE
                                               and operation in FROM_TELEGRAM), (response.status_code, response.text)

    try:
        fuzz()
    except Unsatisfiable:
        # Nothing the document declares can be made invalid: a free-form string in the path is all it takes.
        assert mode == GenerationMode.NEGATIVE
