"""The session desk's relay (gunicorn, gevent worker) under the issue's attacks, over real sockets.

What the Flask test client cannot show: gunicorn hands Werkzeug a chunked body (no Content-Length),
the worker's peak memory (VmHWM) barely moves for a 24 MiB body, gunicorn no longer believes an
X-Forwarded-Proto from anyone (DESK_TRUSTED_PROXIES=0 locally), the headers reach Engine.IO's own
answers, and a real Socket.IO client from another origin is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import socketio

from devtools.runner.desk import Desk
from realtime.bodies import TOO_DEEP
from teledesk.settings import MAX_BODY_BYTES, Settings

ATTACK_BYTES = 24 * 1024 * 1024  # the measure: +610 MiB of RSS before the limit
PEAK_GROWTH_LIMIT = 64 * 1024 * 1024
HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def relay_worker_peak_rss(desk: Desk) -> int:
    """The relay's gunicorn worker's peak resident memory (VmHWM), in bytes."""
    master = desk.child("relay").process.pid
    (worker,) = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for line in Path(f"/proc/{worker}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM for the relay's worker")


def chunks(total: int, chunk: bytes = b"[" * 65536) -> Iterator[bytes]:
    """A body sent chunked (requests sends a generator without a Content-Length)."""
    for _ in range(total // len(chunk)):
        yield chunk


def secured(response: requests.Response) -> requests.Response:
    for name in HEADERS:
        assert name in response.headers, (response.url, name)
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP, no trusted proxy
    return response


def refused_or_cut(url: str, body: bytes | Iterator[bytes]) -> None:
    """A body over the limit: 413, or the connection closed while the client still sends (gunicorn
    answers 413 and does not read the rest)."""
    try:
        answer = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    except requests.ConnectionError:
        return
    assert (secured(answer).status_code, answer.json()) == (413, {"error": "request entity too large"})


def test_a_24_mib_body_costs_the_relay_no_memory(desk: Desk):
    login = f"{desk.console_url}api/login"
    before = relay_worker_peak_rss(desk)
    refused_or_cut(login, b"{" * ATTACK_BYTES)  # with its Content-Length
    refused_or_cut(login, chunks(ATTACK_BYTES))  # chunked
    assert relay_worker_peak_rss(desk) - before < PEAK_GROWTH_LIMIT
    assert requests.get(f"{desk.console_url}api/health", timeout=10).status_code == 200


def test_a_body_under_the_limit_sent_chunked_is_read_whole(desk: Desk, desk_settings: Settings):
    body = b'{"username": "admin", "password": "' + b"x" * (MAX_BODY_BYTES // 2) + b'"}'
    answer = requests.post(f"{desk.console_url}api/login", data=iter([body[:1000], body[1000:]]),
                           headers={"Content-Type": "application/json"}, timeout=30)
    assert secured(answer).status_code in (400, 401)  # read and judged (the password is too long), not cut


def test_deep_nesting_is_a_400(desk: Desk, agent: requests.Session):
    for session, path in ((requests, "api/login"), (agent, "api/canned")):
        answer = session.post(f"{desk.console_url}{path}", data=b"[" * 200_000,
                              headers={"Content-Type": "application/json"}, timeout=30)
        assert (secured(answer).status_code, answer.json()) == (400, {"error": TOO_DEEP})


def test_a_forwarded_scheme_from_anyone_is_not_believed(desk: Desk, desk_settings: Settings):
    answer = requests.post(f"{desk.console_url}api/login", headers={"X-Forwarded-Proto": "https"}, timeout=10,
                           json={"username": "admin", "password": desk_settings.desk_admin_password})
    assert secured(answer).status_code == 200
    assert "secure" not in answer.headers["Set-Cookie"].lower()


def test_every_kind_of_answer_carries_the_headers(desk: Desk, agent: requests.Session):
    url = desk.console_url
    secured(requests.get(f"{url}api/health", timeout=10))
    secured(requests.get(url, timeout=10))  # the console (or the page saying it is not built)
    missing = secured(requests.get(f"{url}api/no-such-thing", timeout=10))
    assert (missing.status_code, missing.json()) == (404, {"error": "not found"})
    gate = secured(requests.get(f"{url}socket.io/?EIO=4&transport=polling", timeout=10))
    assert gate.status_code == 401
    handshake = secured(agent.get(f"{url}socket.io/?EIO=4&transport=polling", timeout=10))
    assert handshake.status_code == 200 and handshake.text.startswith("0{")


@pytest.mark.parametrize("origin", ["http://evil.example", "https://127.0.0.1", "http://127.0.0.1:1"])
def test_a_socket_from_another_origin_is_refused(desk: Desk, agent: requests.Session, origin: str):
    cookie = "; ".join(f"{c.name}={c.value}" for c in agent.cookies)
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(desk.console_url.rstrip("/"), headers={"Cookie": cookie, "Origin": origin},
                       transports=["polling"], wait_timeout=10)
    same = socketio.Client(reconnection=False)
    same.connect(desk.console_url.rstrip("/"), headers={"Cookie": cookie, "Origin": desk.console_url.rstrip("/")},
                 transports=["polling"], wait_timeout=10)
    same.disconnect()
