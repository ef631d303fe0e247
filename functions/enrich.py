"""enrich: fold each message into its conversation in Firestore, and attach the conversation.

Edits, reactions, blocks, deep-link context, reopening and satisfaction ratings follow
`teledesk.inbound`. The relay emits the attached conversation and stored message as they are,
so it never reads Firestore on the hot path. A redelivered event changes nothing and is still
passed on (the relay drops repeats).

A message that opened the conversation (docs/lifecycle.md) is announced on the lifecycle's
trigger topic before it is passed on, and again on a redelivery (the opening remembers which
message opened it), so a crash between the two loses no opening.

Telegram Business (teledesk/business.py): a connection's change is recorded
(`store.business_connections`, the newest update's state kept) and passed on with the stored
connection, never a conversation. Messages Telegram deleted in a business chat are marked deleted
and passed on (`deleted_messages`). The desk's own send echoed back is already stored (as the
answer deliver settled): nothing to store, nothing to show, so it goes no further. A staff
forum's message (STAFF) is passed on untouched: it is no customer's conversation.
"""

import time

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import RATING
from teledesk.lifecycle.openings import opening_envelope
from teledesk.lifecycle.rating import is_rating, read_press
from teledesk.logs import configure
from teledesk.model import BusinessConnection
from teledesk.pipeline import Services, event_step
from teledesk.telegram.updates import Event

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


def _record_connection(envelope: Envelope, services: Services) -> Envelope:
    connection = BusinessConnection.model_validate({**envelope.extra["connection"], "updated_at": time.time()})
    stored, _changed = services.store.business_connections.record(connection)
    envelope.extra["connection"] = stored.wire()
    return envelope


def _record_deletion(envelope: Envelope, services: Services) -> Envelope:
    conversation, changed = services.store.inbound.delete(envelope)
    if conversation is not None:
        envelope.extra["conversation"] = conversation.wire()
    envelope.extra["deleted_messages"] = [message.wire() for message in changed]
    return envelope


@event_step("enrich")
def enrich(envelope: Envelope, services: Services) -> Envelope | None:
    if envelope.type == MessageType.STAFF:
        return envelope  # the staff forum is no conversation: the staffroom acts on it
    if envelope.type == MessageType.CONNECTION:
        return _record_connection(envelope, services)
    if envelope.extra.get("echo"):
        return None
    if envelope.extra.get("event") == Event.DELETE:
        return _record_deletion(envelope, services)
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
