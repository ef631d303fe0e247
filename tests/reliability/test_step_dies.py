"""A step that dies mid-stream loses nothing: Pub/Sub keeps retrying until it is back."""

from __future__ import annotations

import pytest
from support import EventRecorder, text_update, wait_until

from devtools.runner.desk import relay_healthy
from devtools.runner.emulators import Emulators

pytestmark = pytest.mark.integration


def failed_pushes(emulators: Emulators, port: int) -> int:
    """How often the Pub/Sub emulator could not push to a local port (it logs each failure)."""
    output = next(child for child in emulators.children if child.name == "pubsub-emulator").output_path
    return output.read_text(errors="replace").count(f"Failed to push to endpoint 'http://127.0.0.1:{port}/'")


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


def test_a_step_down_past_its_delivery_attempts_gets_every_message_once_it_is_back(
    desk, emulators, post_update, console_events, agent, customer
):
    """The emulator cannot dead-letter from an ordered push subscription: at the last attempt the
    thread that pushes it died, and the step got nothing more of any chat (devtools/runner/topology.py).
    Locally a step's subscription retries until the step is back, however long that takes."""
    port = desk.step_ports["enrich"]
    attempts = desk.manifest.step("enrich").retry.max_delivery_attempts
    failed_before = failed_pushes(emulators, port)
    desk.child("enrich").stop()
    try:
        assert post_update(text_update(customer, "while enrich is down for long")).status_code == 200
        wait_until(lambda: failed_pushes(emulators, port) >= failed_before + attempts, timeout=90, interval=0.5)
    finally:
        desk.restart("enrich", wait_for_port=port)
    other = dict(customer, id=customer["id"] + 1)
    assert post_update(text_update(other, "once enrich is back")).status_code == 200
    for chat, text in ((customer["id"], "while enrich is down for long"), (other["id"], "once enrich is back")):
        console_events.wait_for("message", lambda m, chat=chat, text=text: m["chat_id"] == chat and m["text"] == text,
                                timeout=90)
    stored = agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages", timeout=10).json()
    assert [m["text"] for m in stored["messages"]] == ["while enrich is down for long"]


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
