"""The metrics step in the whole local desk: fed by its push subscriptions, it counts a customer's
message, the agent's answer and the conversation's first response, each under its own marker."""

from __future__ import annotations

import uuid

import pytest
from support import text_update, wait_until

from teledesk.metrics.ledger import SEEN, marker_id
from teledesk.metrics.stats import read_stats
from teledesk.store import Store

pytestmark = pytest.mark.integration


def test_the_desk_counts_a_message_its_answer_and_the_first_response(telegram_sends, console_events, agent, desk,
                                                                     customer):
    update = text_update(customer, "¿Cuánto tarda el envío?")
    telegram_sends(update)
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])
    client_id = uuid.uuid4().hex
    agent.post(f"{desk.console_url}api/conversations/{customer['id']}/messages",
               json={"text": "Dos días.", "client_id": client_id}, timeout=10)
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] == "sent")

    store = Store(desk.settings.project_id)
    markers = [f"in:tg-{customer['id']}-{update['message']['message_id']}", f"delivery:agent-{client_id}:0:sent",
               f"first-response:{customer['id']}:1"]
    wait_until(lambda: all(store.db.collection(SEEN).document(marker_id(key)).get().exists for key in markers))
    stats = read_stats(store, 3600)
    assert stats.messages["CLIENT"] >= 1 and stats.messages["AGENT"] >= 1 and stats.deliveries.sent >= 1
    assert {"classify", "enrich", "deliver", "metrics"} <= set(stats.hops_ms)
    assert stats.first_response_s.p50 is not None
