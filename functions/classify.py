"""classify: set each update's message type (CLIENT, COMMAND, CALLBACK, MEMBER, UNSUPPORTED; in a
Telegram Business chat OWNER for the account's owner typing, AGENT for the desk's own send echoed
back; CONNECTION for a business connection's change).

Only private chats are a customer's conversation with the bot; updates from groups go on
only when the `DESK_GROUP_CHATS` setting is on, and are otherwise counted and dropped. The staff
forum (`DESK_STAFF_CHAT_ID`) is the exception: what is written there is STAFF, for the staffroom.
"""

from teledesk.envelope import Envelope, MessageType
from teledesk.logs import configure
from teledesk.pipeline import Services, event_step
from teledesk.telegram.updates import PRIVATE, classify_update

configure("classify")


@event_step("classify")
def classify(envelope: Envelope, services: Services) -> Envelope | None:
    if envelope.chat_id == services.settings.desk_staff_chat_id:
        envelope.type = MessageType.STAFF
        return envelope
    if envelope.extra.get("chat_type", PRIVATE) != PRIVATE and not services.settings.group_chats:
        services.store.stats.count("ignored_group_updates")
        return None
    envelope.type = classify_update(envelope.extra.get("update") or {})
    return envelope
