"""`SyncPublisherClient`: each message is one Publish RPC in the caller's thread, one chat at a time."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from google.api_core import exceptions as gexc

from teledesk.envelope import Envelope
from teledesk.pubsub import PUBLISH_TIMEOUT_S, Publisher, SyncPublisherClient


class FakePublisherApi:
    """The GAPIC `PublisherClient.publish`: records each request, answers with a message id."""

    def __init__(self, delay_s: float = 0.0, error: Exception | None = None):
        self.delay_s, self.error = delay_s, error
        self.requests: list[dict[str, Any]] = []
        self.threads: list[int] = []
        self.running: dict[str, int] = {}
        self.overlapped: set[str] = set()
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()

    def publish(self, *, topic: str, messages: list[dict[str, Any]], retry: Any, timeout: float) -> Any:
        key = messages[0]["ordering_key"]
        with self._lock:
            self.requests.append({"topic": topic, "messages": messages, "retry": retry, "timeout": timeout})
            self.threads.append(threading.get_ident())
            self.running[key] = self.running.get(key, 0) + 1
            if self.running[key] > 1:
                self.overlapped.add(key)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        time.sleep(self.delay_s)
        with self._lock:
            self.running[key] -= 1
            self.in_flight -= 1
        if self.error is not None:
            raise self.error
        return SimpleNamespace(message_ids=[f"id-{len(self.requests)}"])


def envelope(chat_id: int = 42, n: int = 1) -> Envelope:
    return Envelope(id=f"tg-{chat_id}-{n}", type="CLIENT", chat_id=chat_id, date=1, text=f"m{n}")


def test_a_publish_is_one_rpc_in_the_callers_thread_with_the_chat_as_ordering_key():
    api = FakePublisherApi()
    publisher = Publisher("p", client=SyncPublisherClient(api))
    assert publisher.publish("messages-classified", envelope()) == "id-1"
    [request] = api.requests
    assert request["topic"] == "projects/p/topics/messages-classified"
    [message] = request["messages"]
    assert message["ordering_key"] == "42"
    assert message["attributes"] == {"type": "CLIENT", "chat_id": "42", "schema": "1"}
    assert Envelope.from_json(message["data"]).id == "tg-42-1"
    assert request["timeout"] == PUBLISH_TIMEOUT_S and request["retry"] is not None
    assert api.threads == [threading.get_ident()]  # no batching thread in between


def test_a_failed_publish_raises_to_the_step_and_pauses_nothing():
    api = FakePublisherApi(error=gexc.ServiceUnavailable("down"))
    publisher = Publisher("p", client=SyncPublisherClient(api))
    with pytest.raises(gexc.ServiceUnavailable):
        publisher.publish("tg-updates", envelope())
    api.error = None
    assert publisher.publish("tg-updates", envelope(n=2)) == "id-2"  # the chat's next message goes out


def test_one_chats_messages_leave_one_at_a_time():
    api = FakePublisherApi(delay_s=0.02)
    publisher = Publisher("p", client=SyncPublisherClient(api))
    threads = []
    for n in range(6):
        threads.append(threading.Thread(target=publisher.publish, args=("tg-updates", envelope(n=n))))
        threads[-1].start()
        time.sleep(0.002)
    for thread in threads:
        thread.join()
    assert len(api.requests) == 6 and api.overlapped == set()


def test_raw_messages_have_no_ordering_key():
    api = FakePublisherApi()
    publisher = Publisher("p", client=SyncPublisherClient(api))
    assert publisher.publish_raw("enrich-dead-letter", b"{oops", {"error": "bad"}) == "id-1"
    [message] = api.requests[0]["messages"]
    assert (message["data"], message["ordering_key"], message["attributes"]) == (b"{oops", "", {"error": "bad"})


def test_different_chats_are_not_held_up_by_each_other_and_no_key_is_kept():
    api = FakePublisherApi(delay_s=0.05)
    client = SyncPublisherClient(api)
    publisher = Publisher("p", client=client)
    threads = [threading.Thread(target=publisher.publish, args=("tg-updates", envelope(chat_id=chat)))
               for chat in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert api.max_in_flight > 1  # in parallel, not one after the other
    assert len(client._ordering_keys) == 0
