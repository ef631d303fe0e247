"""Issue 13: an answer stored is an answer published, and it reaches the customer once, on the
whole desk (emulators, functions, relay, the Telegram stand-in), with the session desk's short
lease (`TEST_SEND_LEASE_S`) and outbox sweep (`TEST_OUTBOX_SWEEP_S`).

- two deliveries of one answer at once (Pub/Sub's redelivery, the outbox's hand-over) send it once;
- an answer stored whose publish never happened (the relay died between the two) is handed over
  by the relay's outbox sweeper and sent once;
- a repeated POST of an answer Pub/Sub has is not published again;
- a deliver killed mid-send (SIGKILL) leaves the answer `maybe_sent`, never sent again by itself;
  the agent's /retry sends it;
- the deliver process makes one Bot for all its sends: one getMe, not one per send.
"""

from __future__ import annotations

import base64
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from support import TEST_OUTBOX_SWEEP_S, TEST_SEND_LEASE_S, being_sent, held_by_the_standin, reply, wait_until

from devtools.runner.processes import port_open
from teledesk.envelope import Envelope, MessageType
from teledesk.store import Store
from teledesk.store.answers import answer_envelope

pytestmark = pytest.mark.integration


def sends_of(bot_api_calls, chat_id: int, text: str) -> list[dict[str, Any]]:
    """What the stand-in carried out: sendMessage calls of `text` to `chat_id` that it answered."""
    return [c for c in bot_api_calls("sendMessage")
            if str(c["params"].get("chat_id")) == str(chat_id) and c["params"].get("text") == text and c["ok"]]


def settled(console_events, client_id: str, timeout: float = 60) -> dict[str, Any]:
    return console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] != "queued",
                                   timeout=timeout)


def push_body(store: Store, chat_id: int, message_id: str) -> dict[str, Any]:
    """A push delivery of the stored answer, as the relay publishes it and Pub/Sub pushes it."""
    stored = store.messages.get(chat_id, message_id)
    assert stored is not None
    envelope = answer_envelope(stored)
    return {"subscription": "projects/teledesk-test/subscriptions/deliver-push",
            "message": {"data": base64.b64encode(envelope.to_json()).decode(), "attributes": envelope.attributes(),
                        "messageId": uuid.uuid4().hex, "publishTime": "2026-12-04T00:00:00Z"}}


def test_concurrent_deliveries_of_one_answer_send_it_once(desk, agent, chat, console_events, bot_api_calls,
                                                          failures, desk_store):
    failures("sendMessage", None, delay=3, chat_id=chat)  # the first send is held: the others come meanwhile
    text = f"Una sola vez {uuid.uuid4().hex[:6]}"
    client_id = reply(desk, agent, chat, text)
    deliver_url = f"http://127.0.0.1:{desk.step_ports['deliver']}/"
    body = push_body(desk_store, chat, f"agent-{client_id}")
    with ThreadPoolExecutor(3) as pool:  # three more deliveries of it, at once, while Pub/Sub's is under way
        statuses = list(pool.map(lambda _: requests.post(deliver_url, json=body, timeout=60).status_code, range(3)))
    assert settled(console_events, client_id)["state"] == "sent"
    wait_until(lambda: sends_of(bot_api_calls, chat, text), timeout=30)
    time.sleep(2 * TEST_OUTBOX_SWEEP_S)  # a second send would come now
    assert len(sends_of(bot_api_calls, chat, text)) == 1
    assert statuses == [200] * 3
    left = desk.child("deliver").log_path.read_text(encoding="utf-8").count(
        f"agent-{client_id} is being sent by another delivery")
    assert left >= 1  # a delivery found the live lease and left the answer to its holder


def test_an_answer_stored_but_never_published_is_handed_over_by_the_sweeper(desk, chat, console_events,
                                                                              bot_api_calls, desk_store):
    # What the relay leaves when it dies (or Pub/Sub fails) between storing an answer and publishing it.
    client_id = uuid.uuid4().hex
    text = f"Guardada, no publicada {client_id[:6]}"
    envelope = Envelope(id=f"agent-{client_id}", type=MessageType.AGENT, chat_id=chat, date=int(time.time()),
                        text=text, extra={"client_id": client_id, "agent": {"username": "admin", "name": "Admin"}})
    desk_store.answers.queue(chat, envelope)
    assert settled(console_events, client_id, timeout=30)["state"] == "sent"
    stored = desk_store.messages.get(chat, envelope.id)
    assert stored is not None and stored.published_at is not None and stored.outbox_since is None
    time.sleep(2 * TEST_OUTBOX_SWEEP_S)
    assert len(sends_of(bot_api_calls, chat, text)) == 1
    handed = (desk.child("relay").log_path.read_text(encoding="utf-8")).count(f"outbox: handed {envelope.id} ")
    assert handed == 1


def test_a_repeated_post_of_a_published_answer_publishes_nothing_more(desk, agent, chat, console_events,
                                                                       bot_api_calls):
    client_id = uuid.uuid4().hex
    text = f"Repetida {client_id[:6]}"
    url = f"{desk.console_url}api/conversations/{chat}/messages"
    answers = [agent.post(url, json={"text": text, "client_id": client_id}, timeout=10) for _ in range(3)]
    assert [a.status_code for a in answers] == [202] * 3
    assert len({a.json()["message"]["id"] for a in answers}) == 1
    assert settled(console_events, client_id)["state"] == "sent"
    published = desk.child("relay").log_path.read_text(encoding="utf-8").count(f"agent-{client_id} → agent-replies")
    assert published == 1
    assert len(sends_of(bot_api_calls, chat, text)) == 1


def test_a_deliver_killed_mid_send_leaves_the_answer_maybe_sent_and_the_agents_retry_sends_it(
        desk, agent, chat, console_events, bot_api_calls, failures, desk_store):
    failures("sendMessage", None, delay=8, chat_id=chat)  # carried out at once, answered 8 s later
    text = f"¿Llegó? {uuid.uuid4().hex[:6]}"
    client_id = reply(desk, agent, chat, text)
    message_id = f"agent-{client_id}"

    wait_until(lambda: being_sent(desk_store, chat, message_id), timeout=30)
    wait_until(lambda: held_by_the_standin(desk.standin_url, chat), timeout=30)
    deliver = desk.child("deliver")
    os.killpg(deliver.process.pid, signal.SIGKILL)  # mid-send: Telegram has it, nobody recorded it
    deliver.process.wait()
    assert desk.restart_dead(pause_s=0) == ["deliver"]
    desk.child("deliver").wait_until(lambda: port_open(desk.step_ports["deliver"]), timeout=60)

    failed = settled(console_events, client_id, timeout=TEST_SEND_LEASE_S + 90)
    assert (failed["state"], failed["reason"]) == ("failed", "may have reached the customer: check the chat "
                                                             "before retrying")
    wait_until(lambda: sends_of(bot_api_calls, chat, text), timeout=30)
    assert len(sends_of(bot_api_calls, chat, text)) == 1  # never resent by itself
    stored = desk_store.messages.get(chat, message_id)
    assert stored is not None and stored.delivery is not None and stored.delivery.cause == "maybe_sent"

    retried = agent.post(f"{desk.console_url}api/conversations/{chat}/messages/{message_id}/retry", timeout=10)
    assert retried.status_code == 202  # the agent looked at the chat and chose to send it again
    console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d.get("retry") == 1
                            and d["state"] == "sent", timeout=60)
    assert len(sends_of(bot_api_calls, chat, text)) == 2


def test_the_deliver_process_makes_one_bot_for_all_its_sends(desk, agent, chat, console_events, bot_api_calls):
    before = len(bot_api_calls("getMe"))
    client_ids = [reply(desk, agent, chat, f"Respuesta {n}") for n in range(5)]
    for client_id in client_ids:
        assert settled(console_events, client_id)["state"] == "sent"
    assert len(bot_api_calls("getMe")) - before <= 1  # at most deliver's first, if it had sent nothing yet
