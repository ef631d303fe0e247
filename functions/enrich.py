"""enrich: fold each message into its conversation in Firestore, and attach the conversation.

Edits, reactions, blocks, deep-link context, reopening and satisfaction ratings follow
`teledesk.inbound`. The relay emits the attached conversation and stored message as they are,
so it never reads Firestore on the hot path. A redelivered event changes nothing and is still
passed on (the relay drops repeats).

A message that opened the conversation (docs/lifecycle.md) is announced on the lifecycle's
trigger topic before it is passed on, and again on a redelivery (the opening remembers which
message opened it), so a crash between the two loses no opening.
"""

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import RATING
from teledesk.lifecycle.openings import opening_envelope
from teledesk.lifecycle.rating import is_rating, read_press
from teledesk.logs import configure
from teledesk.pipeline import Services, event_step

configure("enrich")


def _checked_rating(envelope: Envelope, services: Services) -> None:
    """A satisfaction press whose signature holds keeps its rating (`RATING`); any other has none."""
    envelope.extra.pop(RATING, None)
    data = (envelope.extra.get("callback") or {}).get("data")
    secret = services.settings.telegram_webhook_secret
    if envelope.type != MessageType.CALLBACK or not isinstance(data, str) or not is_rating(data) or not secret:
        return
    rating = read_press(data, envelope.chat_id, secret)
    if rating is not None:
        envelope.extra[RATING] = {"chat_id": rating.chat_id, "opening": rating.opening, "stars": rating.stars}


@event_step("enrich")
def enrich(envelope: Envelope, services: Services) -> Envelope:
    if envelope.type == MessageType.STAFF:
        return envelope  # the staff forum is no conversation: the staffroom acts on it
    settings = services.settings
    _checked_rating(envelope, services)
    folded = services.store.inbound.record(envelope, settings.resolved_policy, settings.desk_sla_first_response_s)
    conversation = folded.conversation
    if conversation.opened_by == envelope.id and conversation.opened_at is not None:
        for topic in services.manifest.publishes_to("enrich"):
            services.publisher.publish(topic, opening_envelope(conversation, settings.desk_pending_resolve_s))
    envelope.extra["conversation"] = conversation.wire()
    if folded.message is not None:
        envelope.extra["stored"] = folded.message.wire()
    return envelope
