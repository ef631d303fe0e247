"""What every pipeline step shares: its services, the attribute check, and the step wrapper.

A step module in `functions/` is one decorated function that takes an envelope and returns
the envelope to publish on its `topic_out` (or None to publish nothing). The wrapper reads the
push delivery, checks the subscription filter itself (the emulator does not apply filters),
parks unreadable messages on the step's dead-letter topic, stamps the trace and publishes. While
the handler runs, every log line carries the message's trace id (`teledesk.logs`), and one INFO
line says what the step did with it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import functions_framework

from teledesk.envelope import Envelope, EnvelopeError
from teledesk.logs import describe, traced_envelope
from teledesk.manifest import Manifest, load_manifest
from teledesk.pubsub import Publisher, park, push_attributes, push_data
from teledesk.settings import Settings
from teledesk.store import Store

log = logging.getLogger("teledesk.pipeline")

_CONDITION = re.compile(r'^attributes\.(\w+)\s*(=|!=)\s*"([^"]*)"$')


def accepts(filter_expression: str | None, attributes: dict[str, str]) -> bool:
    """Evaluate a subscription filter of the form `attributes.k = "v" AND attributes.j != "w"`."""
    if not filter_expression:
        return True
    for condition in re.split(r"\s+AND\s+", filter_expression.strip()):
        match = _CONDITION.match(condition.strip())
        if match is None:
            raise ValueError(f"filter syntax the desk does not evaluate: {condition!r}")
        key, operator, value = match.groups()
        if (attributes.get(key) == value) != (operator == "="):
            return False
    return True


@dataclass
class Services:
    """The clients a step uses, made once per process."""

    settings: Settings
    manifest: Manifest
    publisher: Publisher
    store: Store


@functools.cache
def services() -> Services:
    """This process's services; `services.cache_clear()` gives a test fresh ones."""
    settings = Settings.from_env()
    return Services(settings, load_manifest(), Publisher(settings.project_id), Store(settings.project_id))


StepHandler = Callable[[Envelope, Services], Envelope | None]


def event_step(name: str) -> Callable[[StepHandler], Callable[[Any], None]]:
    """Make `handler` the push-fed CloudEvent entry point of manifest step `name`."""

    def wrap(handler: StepHandler) -> Callable[[Any], None]:
        @functools.wraps(handler)
        def entry(cloud_event: Any) -> None:
            svc = services()
            step = svc.manifest.step(name)
            if not accepts(step.filter, push_attributes(cloud_event)):
                return
            raw: bytes | None = None
            try:
                raw = push_data(cloud_event)
                envelope = Envelope.from_json(raw)
            except EnvelopeError as exc:
                log.error("%s: parking an unreadable message: %s", name, exc)
                if raw is None:  # not even base64: keep what the push body held
                    raw = repr(getattr(cloud_event, "data", b"")).encode()[:10_000]
                park(svc.publisher, step.dead_letter_topic, raw, str(exc))
                return
            with traced_envelope(envelope):
                try:
                    result = handler(envelope.stamp(name), svc)
                except Exception as exc:
                    log.warning("%s: %s not handled (%s: %s); Pub/Sub will try again", name, describe(envelope),
                                type(exc).__name__, exc)
                    raise
                if result is not None:
                    svc.publisher.publish(step.output, result.stamp(f"{name}:out"))
                log.info("%s: %s", name, describe(result) + f" → {step.output}" if result else describe(envelope))

        return functions_framework.cloud_event(entry)

    return wrap

