"""classify: set each update's message type (CLIENT, COMMAND, CALLBACK, MEMBER, UNSUPPORTED)."""

from teledesk.envelope import Envelope
from teledesk.pipeline import Services, event_step
from teledesk.telegram.updates import classify_update


@event_step("classify")
def classify(envelope: Envelope, services: Services) -> Envelope:
    envelope.type = classify_update(envelope.extra.get("update") or {})
    return envelope
