"""enrich: fold each message into its conversation in Firestore, and attach the conversation.

The relay emits the attached conversation state as it is, so it never reads Firestore on the
hot path. A redelivered message is stored once and still passed on (the relay drops repeats).
"""

from teledesk.envelope import Envelope
from teledesk.pipeline import Services, event_step


@event_step("enrich")
def enrich(envelope: Envelope, services: Services) -> Envelope:
    conversation, _created = services.store.record_inbound(envelope)
    envelope.extra["conversation"] = conversation
    return envelope
