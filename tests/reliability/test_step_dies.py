"""A step that dies mid-stream loses nothing: Pub/Sub keeps retrying until it is back."""

from __future__ import annotations

import pytest
from support import text_update, wait_until

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


def test_after_a_relay_restart_the_session_holds_and_history_has_what_came(desk, post_update, agent, customer):
    relay = desk.child("relay")
    relay.stop()
    assert post_update(text_update(customer, "sent while the relay was down")).status_code == 200
    desk.restart("relay", wait_for_port=desk.settings.desk_port)
    wait_until(lambda: agent.get(f"{desk.console_url}api/health", timeout=2).status_code == 200, timeout=60)
    # the agent's cookie is still valid: the session secret is the desk's setting, not per process
    messages = wait_until(lambda: agent.get(f"{desk.console_url}api/conversations/{customer['id']}/messages",
                                            timeout=10).json()["messages"], timeout=30)
    assert [m["text"] for m in messages] == ["sent while the relay was down"]
