"""Issue 13, point 4: Telegram's faults, on the whole desk with the Telegram stand-in.

One customer's chat is flooded with 429s (`retry_after` longer than deliver waits inline) or its
Bot API calls hang past the client's timeout, while agents answer other customers: the troubled
chat's answers are sent once each, in order (or, for a hang, once and marked `maybe_sent`), and
the other chats' answers are not held up. Their latency (the agent's POST to the stand-in
receiving the send) is measured and must stay below the troubled chat's `retry_after` (or the
client's timeout); the figures are printed (`pytest -s`).

5xx, a 403 (the customer blocked the bot: failed and the conversation flagged) and a single
timeout are in test_outbound_flow.py.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import pytest
from support import being_sent, held_by_the_standin, reply, text_update, wait_until

from teledesk.telegram.client import MAYBE_SENT_REASON, REQUEST_TIMEOUT_S

pytestmark = pytest.mark.integration

OTHER_CHATS = 8
FLOOD_RETRY_AFTER_S = 10  # past deliver's inline wait (MAX_INLINE_WAIT_S, 5 s): back to Pub/Sub each time
FLOOD_429S = 3
HANG_S = REQUEST_TIMEOUT_S + 4  # the stand-in carries the send out and answers this late


@pytest.fixture
def other_chats(telegram_sends, console_events, customer) -> list[int]:
    """Chats of other customers, opened (the stand-in knows them)."""
    first = customer["id"] + 1
    people = [{**customer, "id": first + n, "username": f"otro{first + n}"} for n in range(OTHER_CHATS)]
    for person in people:
        telegram_sends(text_update(person, "Hola"))
    for person in people:
        console_events.wait_for("message", lambda m, chat_id=person["id"]: m["chat_id"] == chat_id, timeout=60)
    return [p["id"] for p in people]


def sends(bot_api_calls, chat_id: int, text: str) -> list[dict[str, Any]]:
    return [c for c in bot_api_calls("sendMessage")
            if str(c["params"].get("chat_id")) == str(chat_id) and c["params"].get("text") == text and c["ok"]]


def answer_others(desk, agent, chats: list[int], bot_api_calls) -> list[float]:
    """One answer to each chat; the seconds from each POST to the stand-in receiving its send."""
    asked: list[tuple[int, str, float]] = []
    for chat_id in chats:
        text = f"Para {chat_id}: {uuid.uuid4().hex[:6]}"
        started = time.time()
        reply(desk, agent, chat_id, text)
        asked.append((chat_id, text, started))
    received = {text: wait_until(lambda c=chat_id, t=text: sends(bot_api_calls, c, t), timeout=60)
                for chat_id, text, _ in asked}
    for chat_id, text, _ in asked:
        assert len(sends(bot_api_calls, chat_id, text)) == 1
    return [received[text][0]["time"] - started for _, text, started in asked]


def figures(name: str, latencies: list[float]) -> tuple[float, float]:
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    print(f"\n{name}: other chats' send latency over {len(latencies)} answers: p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    return p50, p99


def test_a_chat_flooded_with_429s_gets_each_answer_once_in_order_and_holds_up_no_other_chat(
        desk, agent, chat, other_chats, console_events, bot_api_calls, failures):
    failures("sendMessage", 429, retry_after=FLOOD_RETRY_AFTER_S, count=FLOOD_429S, chat_id=chat)
    flooded = [f"Primero {uuid.uuid4().hex[:6]}", f"Segundo {uuid.uuid4().hex[:6]}"]
    client_ids = [reply(desk, agent, chat, text) for text in flooded]

    latencies = answer_others(desk, agent, other_chats, bot_api_calls)
    _, p99 = figures("429 flood", latencies)
    assert max(latencies) < FLOOD_RETRY_AFTER_S and p99 < FLOOD_RETRY_AFTER_S

    for client_id in client_ids:
        console_events.wait_for("delivery", lambda d, c=client_id: d["client_id"] == c and d["state"] == "sent",
                                timeout=120)
    refused = [c for c in bot_api_calls("sendMessage") if str(c["params"].get("chat_id")) == str(chat)
               and c.get("error_code") == 429]
    assert len(refused) == FLOOD_429S
    carried = [c["params"]["text"] for c in bot_api_calls("sendMessage")
               if str(c["params"].get("chat_id")) == str(chat) and c["ok"] and c["params"]["text"] in flooded]
    assert carried == flooded  # each once, in the order the agent wrote them


def test_a_chat_whose_bot_api_calls_hang_sends_once_and_holds_up_no_other_chat(
        desk, agent, chat, other_chats, console_events, bot_api_calls, failures, desk_store):
    failures("sendMessage", None, delay=HANG_S, chat_id=chat)
    text = f"¿Se cuelga? {uuid.uuid4().hex[:6]}"
    client_id = reply(desk, agent, chat, text)
    wait_until(lambda: being_sent(desk_store, chat, f"agent-{client_id}"))  # hanging before the others go
    wait_until(lambda: held_by_the_standin(desk.standin_url, chat))

    latencies = answer_others(desk, agent, other_chats, bot_api_calls)
    _, p99 = figures("hanging Bot API", latencies)
    assert max(latencies) < REQUEST_TIMEOUT_S and p99 < REQUEST_TIMEOUT_S

    delivery = console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] != "queued",
                                       timeout=60)
    assert (delivery["state"], delivery["reason"]) == ("failed", MAYBE_SENT_REASON)
    wait_until(lambda: sends(bot_api_calls, chat, text), timeout=HANG_S + 10)
    assert len(sends(bot_api_calls, chat, text)) == 1
