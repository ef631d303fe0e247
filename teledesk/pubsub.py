"""Publishing envelopes and reading them back from push deliveries.

Publishing waits for the server's ack: a step answers its own delivery only once what it
produced is durably on the next topic, so nothing is acked before it is handled.
"""

from __future__ import annotations

import base64
import contextlib
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from teledesk.envelope import Envelope, EnvelopeError

PUBLISH_TIMEOUT_S = 30
MAX_ATTRIBUTE_BYTES = 1024  # Pub/Sub's limit on an attribute value


class Publisher:
    """Publishes envelopes with the chat as ordering key, so one chat's messages stay in order."""

    def __init__(self, project_id: str, client: pubsub_v1.PublisherClient | None = None):
        self.project_id = project_id
        # Each step publishes one message and waits for it: batching would only add its wait
        # (up to 10 ms a publish, measured by the bench).
        self._client = client or pubsub_v1.PublisherClient(
            batch_settings=pubsub_v1.types.BatchSettings(max_messages=1),
            publisher_options=pubsub_v1.types.PublisherOptions(enable_message_ordering=True),
        )

    def topic_path(self, topic: str) -> str:
        return self._client.topic_path(self.project_id, topic)

    def publish(self, topic: str, envelope: Envelope) -> str:
        path = self.topic_path(topic)
        key = str(envelope.chat_id)
        future = self._client.publish(path, envelope.to_json(), ordering_key=key, **envelope.attributes())
        try:
            return future.result(timeout=PUBLISH_TIMEOUT_S)
        except Exception:
            # A failed publish pauses its ordering key until resumed; the caller will retry.
            self._client.resume_publish(path, key)
            raise

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        future = self._client.publish(self.topic_path(topic), data, **attributes)
        return future.result(timeout=PUBLISH_TIMEOUT_S)


def push_data(cloud_event: Any) -> bytes:
    """The message bytes of a Pub/Sub `messagePublished` CloudEvent (push subscription body)."""
    try:
        return base64.b64decode(cloud_event.data["message"]["data"], validate=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise EnvelopeError("not a Pub/Sub push delivery with base64 data") from exc


def push_attributes(cloud_event: Any) -> dict[str, str]:
    try:
        return dict(cloud_event.data["message"].get("attributes") or {})
    except (KeyError, TypeError, AttributeError):
        return {}


def ensure_topic(client: pubsub_v1.PublisherClient, path: str, retention_s: int) -> None:
    with contextlib.suppress(gexc.AlreadyExists):
        client.create_topic(
            request={"name": path, "message_retention_duration": {"seconds": retention_s}}
        )


def park(publisher: Publisher, topic: str, raw: bytes, reason: str) -> None:
    """Put an unreadable message on a dead-letter topic as it came, with the reason attached."""
    publisher.publish_raw(topic, raw, {"error": _at_most_bytes(reason, MAX_ATTRIBUTE_BYTES)})


def _at_most_bytes(text: str, limit: int) -> str:
    """Cut to `limit` UTF-8 bytes without splitting a character (attribute values are limited in bytes)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
