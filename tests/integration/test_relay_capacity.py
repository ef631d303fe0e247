"""The relay on gevent: anonymous websockets are refused at the handshake and cost nothing lasting;
hundreds of them, and hundreds of idle connections, leave the API answering at once."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import websocket

pytestmark = pytest.mark.integration

ATTEMPTS = 300
AT_ONCE_S = 2.0  # generous on a loaded 2-core machine; a starved relay takes its full timeout and more


def refused_status(url: str) -> int:
    try:
        websocket.create_connection(url, timeout=10).close()
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code
    return 101


def test_anonymous_websockets_are_refused_and_leave_the_api_answering(desk, agent):
    host, port = "127.0.0.1", desk.relay_ports[0]
    url = f"ws://{host}:{port}/socket.io/?EIO=4&transport=websocket"
    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(refused_status, [url] * ATTEMPTS))
    assert statuses == [401] * ATTEMPTS

    idle = [socket.create_connection((host, port), timeout=5) for _ in range(ATTEMPTS)]  # connected, saying nothing
    try:
        started = time.monotonic()
        health = requests.get(f"{desk.console_url}api/health", timeout=AT_ONCE_S)
        conversations = agent.get(f"{desk.console_url}api/conversations", timeout=AT_ONCE_S)
        assert health.status_code == 200 and conversations.status_code == 200
        assert time.monotonic() - started < AT_ONCE_S
        assert refused_status(url) == 401  # still refusing, at once
    finally:
        for connection in idle:
            connection.close()
