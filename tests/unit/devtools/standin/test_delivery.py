"""Webhook delivery against a real HTTP receiver: secret header, order, retries, errors."""

from __future__ import annotations

import itertools
import socket
import time

from flask.testing import FlaskClient

from devtools.standin.delivery import SECRET_HEADER, WebhookDeliverer
from devtools.standin.state import StandinState
from devtools.standin.updates import UpdateFeed

from .conftest import CUSTOMER_ID, WebhookReceiver, bot_call, customer_says


def _wait(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_updates_are_posted_in_order_with_the_secret(
    client: FlaskClient, state: StandinState, receiver: WebhookReceiver
) -> None:
    bot_call(client, "setWebhook", url=receiver.url, secret_token="abc_123-XYZ")
    sent = [customer_says(client, f"message {i}") for i in range(5)]
    accepted = receiver.wait_for(5)
    assert [u["update_id"] for u in accepted] == [s["update_id"] for s in sent]
    assert accepted[0] == {"update_id": sent[0]["update_id"], "message": sent[0]["message"]}
    assert all(r.headers[SECRET_HEADER] == "abc_123-XYZ" for r in receiver.received)
    assert all(r.headers["Content-Type"] == "application/json" for r in receiver.received)
    _wait(lambda: state.feed.pending_count == 0)  # removed once the 200 is read back
    taken = client.get("/standin/api/updates/taken").get_json()["updates"]
    assert [u["update_id"] for u in taken] == [s["update_id"] for s in sent]  # what the bot really got
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert "last_error_date" not in info["result"]


def test_no_secret_header_without_a_secret(client: FlaskClient, receiver: WebhookReceiver) -> None:
    bot_call(client, "setWebhook", url=receiver.url)
    customer_says(client, "hi")
    receiver.wait_for(1)
    assert SECRET_HEADER not in receiver.received[0].headers


def test_failed_delivery_is_retried_in_order_and_reported(
    client: FlaskClient, state: StandinState, receiver: WebhookReceiver
) -> None:
    receiver.fail_next = 3
    bot_call(client, "setWebhook", url=receiver.url, secret_token="s")
    first = customer_says(client, "first")["update_id"]
    second = customer_says(client, "second")["update_id"]
    _wait(lambda: len(receiver.received) >= 2)
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 2
    assert info["result"]["last_error_message"] == "Wrong response from the webhook: 500 INTERNAL SERVER ERROR"
    assert abs(info["result"]["last_error_date"] - time.time()) < 5

    accepted = receiver.wait_for(2)
    # The first update is redelivered until accepted; the second waits for it.
    assert [r.body["update_id"] for r in receiver.received] == [first, first, first, first, second]
    assert [u["update_id"] for u in accepted] == [first, second]
    _wait(lambda: state.feed.pending_count == 0)
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"]["pending_update_count"] == 0
    assert "last_error_message" in info["result"]  # Telegram keeps the most recent error


def test_backoff_doubles_up_to_the_cap() -> None:
    """Gaps between attempts follow initial, 2x, 4x... capped at retry_max."""
    feed = UpdateFeed()
    attempts: list[float] = []
    deliverer = WebhookDeliverer(feed, timeout=1, retry_initial=0.05, retry_max=0.12)
    deliverer._post = lambda job: attempts.append(time.monotonic()) or "Connection refused"  # type: ignore[method-assign]
    feed.set_webhook("http://127.0.0.1:9/")
    feed.push({"message": {}})
    deliverer.start()
    try:
        _wait(lambda: len(attempts) >= 5)
    finally:
        deliverer.stop()
    gaps = [b - a for a, b in itertools.pairwise(attempts)][:4]
    # Expected 0.05, 0.10, then capped at 0.12 (uncapped: 0.20, 0.40). Upper bounds leave slack for slow machines.
    assert gaps[0] >= 0.045
    assert gaps[1] >= 0.095
    assert 0.115 <= gaps[2] < 0.19
    assert 0.115 <= gaps[3] < 0.3


def test_connection_errors_are_reported_and_a_new_webhook_gets_the_update(
    client: FlaskClient, receiver: WebhookReceiver
) -> None:
    bot_call(client, "setWebhook", url=f"http://127.0.0.1:{_free_port()}/nobody-home")
    update_id = customer_says(client, "anyone?")["update_id"]

    def errored() -> bool:
        return "last_error_message" in bot_call(client, "getWebhookInfo")[1]["result"]

    _wait(errored)
    _, info = bot_call(client, "getWebhookInfo")
    assert info["result"]["last_error_message"] == "Connection refused"
    assert info["result"]["pending_update_count"] == 1

    bot_call(client, "setWebhook", url=receiver.url)
    assert [u["update_id"] for u in receiver.wait_for(1)] == [update_id]
    assert "last_error_message" not in bot_call(client, "getWebhookInfo")[1]["result"]  # new URL, clean slate


def test_delete_webhook_keeps_updates_for_get_updates(client: FlaskClient, receiver: WebhookReceiver) -> None:
    receiver.fail_next = 1000
    bot_call(client, "setWebhook", url=receiver.url)
    update_id = customer_says(client, "hello")["update_id"]
    _wait(lambda: len(receiver.received) >= 1)
    bot_call(client, "deleteWebhook")
    _, body = bot_call(client, "getUpdates")
    assert [u["update_id"] for u in body["result"]] == [update_id]


def test_drop_pending_updates(client: FlaskClient, receiver: WebhookReceiver) -> None:
    customer_says(client, "old news")
    bot_call(client, "setWebhook", url=receiver.url, drop_pending_updates=True)
    fresh = customer_says(client, "fresh")["update_id"]
    assert [u["update_id"] for u in receiver.wait_for(1)] == [fresh]
    assert [r.body["update_id"] for r in receiver.received] == [fresh]


def test_pending_updates_go_to_a_webhook_set_later(client: FlaskClient, receiver: WebhookReceiver) -> None:
    ids = [customer_says(client, f"m{i}")["update_id"] for i in range(3)]
    bot_call(client, "setWebhook", url=receiver.url)
    assert [u["update_id"] for u in receiver.wait_for(3)] == ids


def test_allowed_updates_filters_what_is_delivered(
    client: FlaskClient, state: StandinState, receiver: WebhookReceiver
) -> None:
    bot_call(client, "setWebhook", url=receiver.url, allowed_updates=["callback_query"])
    customer_says(client, "a message nobody asked for")
    injected = client.post("/standin/api/updates", json={"callback_query": {"id": "q1"}}).get_json()
    assert [u["update_id"] for u in receiver.wait_for(1)] == [injected["update_id"]]
    assert len(receiver.received) == 1


def test_stop_ends_the_worker(state: StandinState, receiver: WebhookReceiver, client: FlaskClient) -> None:
    bot_call(client, "setWebhook", url=receiver.url)
    customer_says(client, "hi", user_id=CUSTOMER_ID)
    receiver.wait_for(1)
    thread = state.deliverer._thread
    assert thread is not None and thread.is_alive()
    state.close()
    assert not thread.is_alive()
