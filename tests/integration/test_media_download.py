"""A customer's photo and profile picture, fetched by a logged-in agent through the relay."""

from __future__ import annotations

import random
import struct
import zlib

import pytest
import requests
from support import wait_until

pytestmark = pytest.mark.integration


def png(width: int = 40, height: int = 30) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def customer_id() -> int:
    return random.randint(100_000_000, 999_999_999)


def test_a_customers_photo_reaches_the_agent_through_the_relay(desk, agent, console_events, customer_id):
    sent = requests.post(f"{desk.standin_url}customer/api/media", timeout=10,
                         data={"user_id": customer_id, "first_name": "Ana", "caption": "la caja rota"},
                         files={"file": ("box.png", png(), "image/png")})
    assert sent.status_code == 201, sent.text
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == customer_id)
    assert shown["media"]["kind"] == "photo" and shown["text"] == "la caja rota"
    url = f"{desk.console_url.rstrip('/')}{shown['media']['url']}"

    assert requests.get(url, timeout=10).status_code == 401  # agents only
    first = agent.get(url, timeout=10)
    assert first.status_code == 200
    assert first.headers["Content-Type"].startswith("image/")
    assert first.content.startswith(b"\x89PNG") or first.content.startswith(b"\xff\xd8")
    assert agent.get(url, timeout=10).content == first.content  # from the relay's cache the second time


def test_the_customers_profile_photo_is_the_avatar(desk, agent, console_events, customer_id):
    assert requests.post(f"{desk.standin_url}customer/api/avatar", json={"user_id": customer_id, "avatar": True},
                         timeout=10).status_code < 300
    requests.post(f"{desk.standin_url}customer/api/messages", timeout=10,
                  json={"user_id": customer_id, "first_name": "Ana", "text": "hola"}).raise_for_status()
    console_events.wait_for("message", lambda m: m["chat_id"] == customer_id)
    avatar = wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(
        agent.get(f"{desk.console_url}api/conversations/{customer_id}/avatar", timeout=10)))
    assert avatar.headers["Content-Type"] == "image/png" and avatar.content.startswith(b"\x89PNG")
