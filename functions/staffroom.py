"""staffroom: each conversation in a topic of the staff forum, and staff answering from there.

Off (every message acked, nothing done) while DESK_STAFF_CHAT_ID is empty. Fed by
`messages-enriched` (customers' and owners' messages to mirror; staff messages, type STAFF, to act
on), `deliveries` (the console's answers once sent) and `conversation-changes` (notes and changes
to mirror). A staff answer is published on its topic_out (`agent-replies`) by teledesk.staff
itself, and what it did to a conversation on the manifest's `announces` topic. See teledesk.staff
and docs/telegram.md.
"""

from __future__ import annotations

import threading

from teledesk.envelope import Envelope, MessageType
from teledesk.logs import configure
from teledesk.pipeline import Services, event_step
from teledesk.staff import commands
from teledesk.staff.mirror import mirror_item
from teledesk.staff.room import StaffRoom
from teledesk.telegram.client import TelegramClient
from teledesk.telegram.limits import MESSAGES_PER_MINUTE_PER_GROUP
from teledesk.telegram.outbound import Pacer

configure("staffroom")


@event_step("staffroom")
def staffroom(envelope: Envelope, services: Services) -> Envelope | None:
    room = _room(services)
    if room is None:
        return None
    if envelope.type == MessageType.STAFF:
        commands.handle(envelope, room, services)
    elif (item := mirror_item(envelope)) is not None:
        room.mirror(item)
    return None  # what it publishes (an answer, a change) it publishes itself


# The staff forum is one group: Telegram lets a bot post about 20 messages a minute in it, so this
# process's sends there (topics made, lines mirrored) take as many at once, then one every 3 s.
GROUP_PACER = Pacer(per_chat=MESSAGES_PER_MINUTE_PER_GROUP / 60, burst=MESSAGES_PER_MINUTE_PER_GROUP)
_clients: dict[tuple[str, str], TelegramClient] = {}
_clients_lock = threading.Lock()


def _room(services: Services) -> StaffRoom | None:
    """The staff forum through this process's one client for its token and base; None when off."""
    settings = services.settings
    if settings.desk_staff_chat_id is None:
        return None
    key = (settings.telegram_bot_token, settings.telegram_api_base)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = TelegramClient(key[0], key[1], pacer=GROUP_PACER)
    return StaffRoom(settings.desk_staff_chat_id, client, services.store)
