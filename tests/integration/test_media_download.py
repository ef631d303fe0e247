"""A customer's photo and profile picture, fetched by a logged-in agent through the relay."""

from __future__ import annotations

import random

import pytest
import requests
import samples
from support import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def customer_id() -> int:
    return random.randint(100_000_000, 999_999_999)


def test_a_customers_photo_reaches_the_agent_through_the_relay(desk, agent, console_events, customer_id):
    sent = requests.post(f"{desk.standin_url}customer/api/media", timeout=10,
                         data={"user_id": customer_id, "first_name": "Ana", "caption": "la caja rota"},
                         files={"file": ("box.png", samples.png(), "image/png")})
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
    assert first.headers["X-Content-Type-Options"] == "nosniff" and first.headers["Content-Disposition"] == "inline"
    assert agent.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=10).status_code == 304
    part = agent.get(url, headers={"Range": "bytes=1-3"}, timeout=10)
    assert part.status_code == 206 and part.content == first.content[1:4]
    assert part.headers["Content-Range"] == f"bytes 1-3/{len(first.content)}"


def test_the_customers_profile_photo_is_the_avatar(desk, agent, console_events, customer_id):
    assert requests.post(f"{desk.standin_url}customer/api/avatar", json={"user_id": customer_id, "avatar": True},
                         timeout=10).status_code < 300
    requests.post(f"{desk.standin_url}customer/api/messages", timeout=10,
                  json={"user_id": customer_id, "first_name": "Ana", "text": "hola"}).raise_for_status()
    console_events.wait_for("message", lambda m: m["chat_id"] == customer_id)
    avatar = wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(
        agent.get(f"{desk.console_url}api/conversations/{customer_id}/avatar", timeout=10)))
    assert avatar.headers["Content-Type"] == "image/png" and avatar.content.startswith(b"\x89PNG")
