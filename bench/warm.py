"""Warming the emulators' JVMs before anything is measured.

The emulators run on the JVM, which compiles its hot paths while it runs: the first scenario to
use a cold emulator pays for that in its figures. Measured on 2 cores (the full desk and the desk
without its metrics step, 300 messages at 20/s each, one after the other on fresh emulators):
whichever ran first came out slower (224 ms p50 without metrics run first, 183 ms run second;
with metrics 325 ms first, 195 ms second), so a comparison of the two measured the order, not the
step. A short load of the same kinds of calls the desk makes, on a project of its own, before the
first scenario puts every scenario on equally warm emulators.
"""

from __future__ import annotations

import itertools
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from google.api_core import exceptions as gexc
from google.cloud import firestore, pubsub_v1

WARM_S = 20.0
WORKERS = 8
DOCUMENTS = 50  # documents the transactions share, so some contend as conversations do


def warm_emulators(emulator_environment: dict[str, str], project_id: str, seconds: float = WARM_S) -> int:
    """Run Firestore transactions, creates, queries and counts, and Pub/Sub publishes and pulls, on
    `project_id` for `seconds`: how many rounds ran. A round that fails (a contended transaction
    out of attempts, a pull that timed out) is only not counted: warming measures nothing."""
    os.environ.update(emulator_environment)  # as the scenarios after it do (bench.scenarios)
    db = firestore.Client(project=project_id)
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    topic = publisher.topic_path(project_id, "warm")
    subscription = subscriber.subscription_path(project_id, "warm")
    publisher.create_topic(name=topic)
    subscriber.create_subscription(name=subscription, topic=topic)
    counter = itertools.count()
    until = time.monotonic() + seconds

    def rounds(worker: int) -> int:
        done = 0
        while time.monotonic() < until:
            n = next(counter)
            try:
                _firestore_round(db, n)
                publisher.publish(topic, f"warm {n}".encode(), chat=str(n % DOCUMENTS)).result(timeout=30)
                if worker == 0:
                    _pull(subscriber, subscription)
            except (gexc.GoogleAPIError, TimeoutError):
                continue
            done += 1
        return done

    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            return sum(pool.map(rounds, range(WORKERS)))
    finally:
        subscriber.close()
        publisher.stop()
        db.close()


def _pull(subscriber: pubsub_v1.SubscriberClient, subscription: str) -> None:
    pulled = subscriber.pull(subscription=subscription, max_messages=100, timeout=10)
    if pulled.received_messages:
        subscriber.acknowledge(subscription=subscription, ack_ids=[m.ack_id for m in pulled.received_messages])


def _firestore_round(db: firestore.Client, n: int) -> None:
    conversation = db.collection("conversations").document(str(n % DOCUMENTS))

    @firestore.transactional
    def update(transaction: firestore.Transaction) -> None:
        seen = conversation.get(transaction=transaction).to_dict() or {}
        transaction.set(conversation, {"count": int(seen.get("count", 0)) + 1, "at": time.time()}, merge=True)
        transaction.set(conversation.collection("messages").document(str(n)), {"text": f"warm {n}", "at": n})

    update(db.transaction())
    with suppress(gexc.AlreadyExists):
        db.collection("seen").document(str(n)).create({"n": n, "at": firestore.SERVER_TIMESTAMP})
    list(db.collection("seen").where(filter=firestore.FieldFilter("n", ">", n - 20)).limit(10).stream())
    db.collection("conversations").count().get()
