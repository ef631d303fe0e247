"""Streaming pull from the relay's subscriptions, turned into Socket.IO events.

A message is acked only after its event went out; one that cannot be read is acked and
logged (it stays in the topic's 7-day retention for reprocessing).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from google.cloud import pubsub_v1

from realtime.broadcast import Broadcaster
from teledesk.envelope import Envelope, EnvelopeError, MessageType
from teledesk.manifest import Manifest

log = logging.getLogger("teledesk.relay.subscriber")


class RelaySubscriber:
    def __init__(self, project_id: str, manifest: Manifest, broadcaster: Broadcaster):
        self.project_id = project_id
        self.manifest = manifest
        self.broadcaster = broadcaster
        self._client: pubsub_v1.SubscriberClient | None = None
        self._futures: list = []

    def handlers(self) -> dict[str, Callable[[Envelope], None]]:
        """Which topic feeds which handler; every topic the manifest has the relay subscribe to."""
        known = {"messages-enriched": self.on_enriched, "deliveries": self.on_delivery}
        return {topic: known[topic] for topic in self.manifest.relay_subscribes}

    def on_enriched(self, envelope: Envelope) -> None:
        conversation = envelope.extra.get("conversation")
        if conversation is not None:
            self.broadcaster.conversation(conversation)
        if envelope.type == MessageType.CLIENT:
            self.broadcaster.message({**envelope.to_dict(), "direction": "in"})

    def on_delivery(self, envelope: Envelope) -> None:
        delivery = envelope.extra.get("delivery")
        if delivery:
            self.broadcaster.delivery(delivery)

    def start(self) -> None:
        self._client = pubsub_v1.SubscriberClient()
        for topic, handler in self.handlers().items():
            path = self._client.subscription_path(self.project_id, self.manifest.relay_subscription(topic))
            self._client.get_subscription(request={"subscription": path})  # fail fast if missing
            self._futures.append(self._client.subscribe(path, self._callback(handler)))

    @staticmethod
    def _callback(handler: Callable[[Envelope], None]) -> Callable[[pubsub_v1.subscriber.message.Message], None]:
        def receive(message: pubsub_v1.subscriber.message.Message) -> None:
            try:
                envelope = Envelope.from_json(message.data)
            except EnvelopeError as exc:
                log.error("ignoring an unreadable message %s: %s", message.message_id, exc)
                message.ack()
                return
            try:
                handler(envelope)
            except Exception:
                log.exception("could not relay message %s", message.message_id)
                message.nack()
                return
            message.ack()

        return receive

    @property
    def running(self) -> bool:
        return bool(self._futures) and not any(f.done() for f in self._futures)

    def stop(self) -> None:
        for future in self._futures:
            future.cancel()
        for future in self._futures:
            with contextlib.suppress(Exception):  # cancelled or already broken: stopped either way
                future.result(timeout=5)
        self._futures.clear()
        if self._client is not None:
            self._client.close()
            self._client = None
