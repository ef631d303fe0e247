"""The team on the running desk: disabling an agent closes their consoles at once; presence and typing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import support
from support import EventRecorder, connect_console, wait_until

pytestmark = pytest.mark.integration

TEAM_EVENTS = ("presence", "session_ended")


@pytest.fixture
def consoles(desk: Any) -> Iterator[Any]:
    """Open a console (a real Socket.IO client) for a logged-in HTTP session; all closed at the end."""
    opened: list[EventRecorder] = []

    def open_console(session: requests.Session) -> EventRecorder:
        opened.append(connect_console(EventRecorder(*TEAM_EVENTS), desk.console_url, session))
        return opened[-1]

    yield open_console
    for recorder in opened:
        if recorder.client.connected:
            recorder.client.disconnect()


def new_agent(desk: Any, admin: requests.Session, name: str) -> tuple[str, requests.Session]:
    return support.new_agent(desk.console_url, admin, name)


def test_a_disabled_agents_console_is_ended_at_once_and_their_api_calls_refused(desk, agent, consoles):
    username, bea = new_agent(desk, agent, "Bea")
    beas_console = consoles(bea)
    admins_console = consoles(agent)
    assert bea.get(f"{desk.console_url}api/me", timeout=10).status_code == 200

    disabled = agent.post(f"{desk.console_url}api/agents/{username}/disable", timeout=10)

    assert disabled.status_code == 200 and disabled.json()["agent"]["disabled"] is True
    assert beas_console.wait_for("session_ended", lambda _: True, timeout=10) == {"reason": "disabled"}
    wait_until(lambda: not beas_console.client.connected, timeout=10)
    assert bea.get(f"{desk.console_url}api/me", timeout=10).status_code == 401
    assert bea.get(f"{desk.console_url}api/conversations", timeout=10).status_code == 401
    assert admins_console.client.connected and admins_console.of("session_ended") == []
    team = agent.get(f"{desk.console_url}api/agents", timeout=10).json()["agents"]
    assert {"username": username, "name": "Bea", "role": "agent", "disabled": True, "telegram_id": None} in team
    assert all("password_hash" not in member for member in team)


def test_another_agent_sees_who_has_a_chat_open_and_typing_that_stops(desk, agent, consoles):
    chat_id = random.randint(100_000_000, 999_999_999)  # presence needs no stored conversation
    _, cy = new_agent(desk, agent, "Cy")
    watcher = consoles(cy)
    typist = consoles(agent)
    admin = {"username": "admin", "name": "Admin"}

    typist.client.emit("presence", {"chat_id": chat_id, "typing": True})
    assert watcher.wait_for("presence", lambda p: p["chat_id"] == chat_id, timeout=10) == {
        "chat_id": chat_id, "agents": [{**admin, "typing": True}]}
    late = consoles(cy)  # a console that connects now is told at once
    assert late.wait_for("presence", lambda p: p["chat_id"] == chat_id, timeout=10)["agents"][0]["username"] == "admin"

    # no further report: typing expires (6 s) while the chat stays open
    assert watcher.wait_for("presence", lambda p: p["chat_id"] == chat_id and not p["agents"][0]["typing"],
                            timeout=15) == {"chat_id": chat_id, "agents": [{**admin, "typing": False}]}

    typist.client.emit("presence", {"chat_id": None, "typing": False})
    assert watcher.wait_for("presence", lambda p: p["chat_id"] == chat_id and not p["agents"], timeout=10) == {
        "chat_id": chat_id, "agents": []}
