"""A step that dies mid-stream loses nothing: Pub/Sub keeps retrying until it is back."""

from __future__ import annotations

import pytest
from support import EventRecorder, text_update, wait_until

from devtools.runner.desk import relay_healthy

pytestmark = pytest.mark.integration


def test_enrich_killed_and_restarted_loses_nothing_and_doubles_nothing(
    desk, post_update, console_events, agent, customer
):
    enrich = desk.child("enrich")
    enrich.stop()
    texts = [f"while enrich is down {n}" for n in range(5)]
    for text in texts:
        assert post_update(text_update(customer, text)).status_code == 200

    desk.restart("enrich", wait_for_port=desk.step_ports["enrich"])
    for text in texts:
        console_events.wait_for("message", lambda m, text=text: m["chat_id"] == customer["id"] and m["text"] == text,
                                timeout=90)
    stored = wait_until(lambda: agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages",
                                          timeout=10).json()["messages"])
    assert [m["text"] for m in stored] == texts  # once each, in the order the customer wrote
    shown = [m["text"] for m in console_events.of("message", lambda m: m["chat_id"] == customer["id"])]
    assert shown == texts


def test_after_a_relay_restart_nothing_is_lost_on_the_way_to_the_consoles(desk, post_update, agent, customer):
    """The emulator misroutes StreamingPull deliveries to a dead stream after a restart; the relay's
    unary pull must not (this lost about half the messages before)."""
    desk.child("relay").stop()
    assert post_update(text_update(customer, "sent while the relay was down")).status_code == 200
    desk.restart("relay", wait_for_port=desk.settings.desk_port)
    # Its port opens before its worker has loaded the app: a first call may wait a few seconds.
    wait_until(lambda: relay_healthy(desk.settings.desk_port), timeout=60)
    # The agent's cookie still holds: the session secret is the desk's setting, not the process's.
    history = wait_until(lambda: agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages",
                                           timeout=10).json()["messages"], timeout=30)
    assert [m["text"] for m in history] == ["sent while the relay was down"]

    events = EventRecorder()
    events.client.connect(desk.console_url.rstrip("/"), transports=["websocket"], wait_timeout=10,
                          headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in agent.cookies)})
    try:
        others = [dict(customer, id=customer["id"] + n) for n in range(1, 9)]
        for other in others:
            assert post_update(text_update(other, "after the restart")).status_code == 200
        for other in others:
            events.wait_for("message", lambda m, chat=other["id"]: m["chat_id"] == chat, timeout=20)
    finally:
        events.client.disconnect()
