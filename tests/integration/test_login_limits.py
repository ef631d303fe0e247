"""The login limits on a real desk: two relays (gunicorn, gevent) counting failed logins in one real
Redis, per username and per client address, and a bound on the password checks a relay runs at once.

Each test sends from a loopback address of its own (`client_at`), so the per-address counts of
the tests do not mix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
from leaks import marked_secrets
from support import at_once, client_at, own_loopback_address, wait_until

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from devtools.runner.redis_server import RedisServer
from teledesk.settings import Settings

pytestmark = pytest.mark.integration

SECRETS = marked_secrets("login-limits")
PASSWORD = SECRETS["desk_admin_password"]
PER_USERNAME_FAILURES, WINDOW_S = 3, 2
PER_ADDRESS_FAILURES = 5
CONCURRENCY = 2


@pytest.fixture(scope="module")
def limited_desk(emulators: Emulators, redis_server: RedisServer,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = Settings(
        project_id="teledesk-login-limits", **SECRETS,
        desk_port=free_port(), desk_relays=2,
        desk_redis_url=redis_server.url, ingest_port=free_port(), standin_port=free_port(),
        desk_login_limit_per_username=f"{PER_USERNAME_FAILURES}/{WINDOW_S} seconds",
        desk_login_limit_per_address=f"{PER_ADDRESS_FAILURES}/minute", desk_login_concurrency=CONCURRENCY,
    )
    desk = Desk(settings, log_dir=tmp_path_factory.mktemp("login-limits-logs"), emulators=emulators).start()
    yield desk
    desk.stop()


@pytest.fixture(scope="module")
def admin(limited_desk: Desk) -> requests.Session:
    session = client_at(own_loopback_address())
    answer = session.post(f"{limited_desk.console_url}api/login", json={"username": "admin", "password": PASSWORD},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    return session


@pytest.fixture
def account(limited_desk: Desk, admin: requests.Session) -> dict[str, str]:
    """A new agent's credentials, as the login form sends them."""
    credentials = {"username": f"ana-{uuid.uuid4().hex[:8]}", "password": uuid.uuid4().hex}
    created = admin.post(f"{limited_desk.console_url}api/agents", timeout=10,
                         json={**credentials, "name": "Ana", "role": "agent"})
    assert created.status_code == 201, created.text
    return credentials


def login(client: requests.Session, console_url: str, username: str, password: str) -> requests.Response:
    return client.post(f"{console_url}api/login", json={"username": username, "password": password}, timeout=10)


def test_after_the_failures_allowed_the_right_password_waits_for_the_window(limited_desk: Desk,
                                                                             account: dict[str, str]):
    browser, url = client_at(own_loopback_address()), limited_desk.console_url
    for _ in range(PER_USERNAME_FAILURES):
        assert login(browser, url, account["username"], "a-wrong-guess").status_code == 401
    refused = login(browser, url, account["username"], account["password"])
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("too many failed logins: try again in ")
    assert 1 <= int(refused.headers["Retry-After"]) <= WINDOW_S + 1
    assert "Set-Cookie" not in refused.headers and not browser.cookies
    # Refused logins do not count: asking again until the window has moved on gets in.
    accepted = wait_until(lambda: login(browser, url, **account).status_code == 200 or None, timeout=WINDOW_S + 10,
                          interval=0.25)
    assert accepted and browser.get(f"{url}api/me", timeout=10).json()["agent"]["username"] == account["username"]


def test_failures_from_one_address_are_limited_across_usernames(limited_desk: Desk, account: dict[str, str]):
    guesser, url = client_at(own_loopback_address()), limited_desk.console_url
    for _ in range(PER_ADDRESS_FAILURES):  # each username once: no per-username limit is reached
        assert login(guesser, url, f"someone-{uuid.uuid4().hex[:8]}", "guess").status_code == 401
    assert login(guesser, url, **account).status_code == 429
    assert login(client_at(own_loopback_address()), url, **account).status_code == 200  # another address


def test_two_relays_count_one_usernames_failures_together(limited_desk: Desk, account: dict[str, str]):
    browser = client_at(own_loopback_address())
    first, second = limited_desk.console_urls
    for url in (first, second, first):  # two failures on one relay, one on the other: three for the desk
        assert login(browser, url, account["username"], "a-wrong-guess").status_code == 401
    assert login(browser, second, **account).status_code == 429


def test_beyond_the_concurrent_checks_a_login_is_refused_with_retry_after(limited_desk: Desk):
    """Many guesses at once (each from its own address and for its own username, below every
    limit): a relay checks CONCURRENCY of them at a time and answers the rest 503 at once."""

    def guess() -> requests.Response:
        return login(client_at(own_loopback_address()), limited_desk.console_url,
                     f"someone-{uuid.uuid4().hex[:8]}", "guess")

    answers = at_once(guess, times=24)
    statuses = sorted(a.status_code if isinstance(a, requests.Response) else repr(a) for a in answers)
    assert set(statuses) == {401, 503}, statuses
    busy = [a for a in answers if isinstance(a, requests.Response) and a.status_code == 503]
    assert all(a.headers["Retry-After"] == "1" and a.json() == {"error": "too many logins at once: try again in a "
                                                                          "moment"} for a in busy)
