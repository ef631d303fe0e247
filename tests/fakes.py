"""Fakes both the steps' and the relay's unit tests use (mocks live in unit tests only)."""

from __future__ import annotations

from typing import Any

from teledesk.envelope import Envelope


class PublishFailed(RuntimeError):
    """What FakePublisher raises when told to fail, standing in for a Pub/Sub error."""


class FakePublisher:
    """`teledesk.pubsub.Publisher`: records each envelope as it was at publish time."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.raw: list[tuple[str, bytes, dict[str, str]]] = []
        self.fail_next = 0

    def publish(self, topic: str, envelope: Envelope) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise PublishFailed("pubsub unavailable")
        self.published.append((topic, envelope.to_dict(), envelope.attributes()))
        return str(len(self.published))

    def publish_raw(self, topic: str, data: bytes, attributes: dict[str, str]) -> str:
        self.raw.append((topic, data, dict(attributes)))
        return f"raw-{len(self.raw)}"

    def on(self, topic: str) -> list[dict[str, Any]]:
        return [envelope for t, envelope, _ in self.published if t == topic]
