"""enrich: fold each message into its conversation in Firestore, and attach the conversation.

Edits, reactions, blocks, deep-link context and reopening follow `teledesk.inbound`. The
relay emits the attached conversation and stored message as they are, so it never reads
Firestore on the hot path. A redelivered event changes nothing and is still passed on (the
relay drops repeats).
"""

from teledesk.envelope import Envelope
from teledesk.logs import configure
from teledesk.pipeline import Services, event_step

configure("enrich")


@event_step("enrich")
def enrich(envelope: Envelope, services: Services) -> Envelope:
    folded = services.store.inbound.record(envelope, services.settings.resolved_policy)
    envelope.extra["conversation"] = folded.conversation.wire()
    if folded.message is not None:
        envelope.extra["stored"] = folded.message.wire()
    return envelope
