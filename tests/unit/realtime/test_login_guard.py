"""realtime/login_guard.py: failed logins limited per username and per address; a few checks at once."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from relay_fakes import ADMIN_PASSWORD, FakePublisher, FakeStore, login

import realtime.auth
from realtime.app import create_app
from realtime.login_guard import BUSY_RETRY_AFTER_S, address_key, normalised_username, username_key
from teledesk.settings import Settings

PER_USERNAME, PER_ADDRESS = "3/hour", "5/hour"


def relay(settings: Settings, store: FakeStore, **changes: Any) -> Flask:
    return create_app(replace(settings, **changes), store=store, publisher=FakePublisher(), subscribe=False)[0]


@pytest.fixture
def limited(settings: Settings, store: FakeStore) -> Flask:
    return relay(settings, store, desk_login_limit_per_username=PER_USERNAME, desk_login_limit_per_address=PER_ADDRESS)


def from_address(app: Flask, address: str) -> Any:
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def key_of(app: Flask, body: Any, address: str = "10.0.0.1") -> tuple[str, str]:
    with app.test_request_context("/api/login", method="POST", json=body, environ_base={"REMOTE_ADDR": address}):
        return username_key(), address_key()


def test_the_username_key_is_one_per_normalised_username_and_names_nobody(app: Flask, settings: Settings,
                                                                            store: FakeStore):
    admin, address = key_of(app, {"username": "admin", "password": "x"})
    assert key_of(app, {"username": "  Admin ", "password": "y"})[0] == admin
    assert key_of(app, {"username": "bob", "password": "x"})[0] != admin
    assert "admin" not in admin.lower().removeprefix("username:")
    assert address == "address:10.0.0.1"
    # An HMAC with the desk's secret: another desk's (or a dictionary's) digest of "admin" differs.
    other = relay(settings, store, desk_session_secret="t" * 64)
    assert key_of(other, {"username": "admin"})[0] != admin
    assert key_of(app, ["not", "an", "object"])[0] == key_of(app, {"username": ""})[0]


@pytest.mark.parametrize(("given", "counted"), [(" Ana ", "ana"), ("ANA", "ana"), (None, ""), (42, "")])
def test_a_username_is_counted_trimmed_and_case_folded(given: Any, counted: str):
    assert normalised_username(given) == counted


def test_a_wrong_limit_setting_stops_the_relay_at_start(settings: Settings, store: FakeStore):
    with pytest.raises(ValueError, match="couldn't parse"):
        relay(settings, store, desk_login_limit_per_username="five a minute")
    with pytest.raises(ValueError, match="at least 1"):
        relay(settings, store, desk_login_concurrency=0)


def test_after_the_failures_allowed_even_the_right_password_waits(limited: Flask):
    browser = limited.test_client()
    for _ in range(3):
        assert login(browser, "admin", "wrong-guess").status_code == 401
    refused = login(browser, "Admin ", ADMIN_PASSWORD)  # the same account, however it is written
    assert refused.status_code == 429
    assert refused.get_json()["error"].startswith("too many failed logins: try again in ")
    assert 3590 < int(refused.headers["Retry-After"]) <= 3601  # when the first failure leaves the hour
    assert "set-cookie" not in refused.headers
    assert login(browser, "bob", "bob-password").status_code == 200  # another username is not limited


def test_successful_logins_do_not_count(limited: Flask):
    browser = limited.test_client()
    for _ in range(10):
        assert login(browser).status_code == 200


def test_failures_from_one_address_are_limited_across_usernames(limited: Flask, store: FakeStore):
    guesser = from_address(limited, "198.51.100.7")
    for number in range(5):
        assert login(guesser, f"someone-{number}", "guess").status_code == 401
    assert login(guesser, "bob", "bob-password").status_code == 429
    assert login(from_address(limited, "198.51.100.8"), "bob", "bob-password").status_code == 200


def test_a_request_refused_as_malformed_or_busy_does_not_count(limited: Flask):
    browser = limited.test_client()
    for _ in range(5):
        assert browser.post("/api/login", json={"username": "admin"}).status_code == 400
    assert login(browser).status_code == 200


def test_beyond_the_concurrency_a_login_is_refused_at_once_not_queued(settings: Settings, store: FakeStore,
                                                                       monkeypatch: pytest.MonkeyPatch):
    """Two checks are held inside the password check; the other logins are answered 503 while they
    are (so none waited for them); the guard's count never went past two."""
    app = relay(settings, store, desk_login_concurrency=2)
    guard = app.extensions["teledesk"].login_guard
    release = threading.Event()
    checked = realtime.auth.check_password_hash

    def held_check(password_hash: str, password: str) -> bool:
        assert release.wait(10), "the test never let the checks go"
        return checked(password_hash, password)

    monkeypatch.setattr(realtime.auth, "check_password_hash", held_check)
    answers: list[Any] = []
    answered = threading.Condition()

    def one() -> None:
        answer = login(app.test_client(), "admin", "wrong")
        with answered:
            answers.append(answer)
            answered.notify_all()

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    with answered:
        assert answered.wait_for(lambda: len(answers) == 6, timeout=10)
        assert guard.in_progress == 2
        busy = list(answers)
    release.set()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in busy] == [503] * 6
    assert all(a.headers["Retry-After"] == str(BUSY_RETRY_AFTER_S) for a in busy)
    assert busy[0].get_json() == {"error": "too many logins at once: try again in a moment"}
    assert sorted(a.status_code for a in answers) == [401, 401] + [503] * 6
    assert (guard.peak, guard.in_progress) == (2, 0)
    assert login(app.test_client()).status_code == 200  # every check was given back
