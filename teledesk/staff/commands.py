"""What a staff member's message in a conversation's topic is, and what it does.

- It starts with the note prefix (DESK_STAFF_NOTE_PREFIX, "!"): a private note, stored as the
  console's notes are and announced, so every console shows it.
- `/resolve`, `/pending`, `/assign @username` (`/assign@this_bot @username` too; one naming
  another bot is that bot's, and left alone): what the console's buttons do, announced as the
  relay announces an agent's change; a wrong one is answered in the topic with what was wrong.
  (Its success shows as the change mirrored into the topic.)
- Anything else: an answer to the customer, as AGENT, by the staff member's Telegram name and the
  agent their Telegram id is linked to (the team page), queued once (`staff-{group}-{message_id}`:
  a message id is only the group's own) and published for deliver, which shows it to every
  console once sent. It counts as the first response, as an answer from the console does.

A staff member whose Telegram account is linked to a disabled agent is answered that, and nothing
they write is done.

Who does it is `staff:<their Telegram name>` in what is announced (never `agent:`: the relays
did not show it yet, so they show it).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.changes import ANSWERED, ASSIGNED, STATUS_ACTIONS, announcements, note_envelope
from teledesk.logs import TRACE_ID, trace_id_of
from teledesk.model import USERNAME_PATTERN, Conversation, ConversationStatus, DeliveryState
from teledesk.open_data import JSONObject
from teledesk.pipeline import Services
from teledesk.staff import STAFF_TOPIC, lines
from teledesk.staff.mirror import STAFF_BY, MirrorItem
from teledesk.staff.room import StaffRoom, TryLater
from teledesk.store.answers import AnswerRefused, answer_envelope
from teledesk.store.staff import Claimed

STEP = "staffroom"
COMMAND = re.compile(r"^/(?P<name>\w+)(?:@(?P<bot>\w+))?(?:\s+(?P<argument>.*))?$", re.DOTALL)
ONLY_TEXT = "Only text goes to the customer from here: send files from the console."
DISABLED = "Not done: your Telegram account is linked to the disabled agent @{username}."
USAGE = "Commands here: /resolve, /pending, /reopen, /assign @username. Start a line with {prefix} for a private note."


@dataclass(frozen=True)
class StaffMessage:
    """A staff member's message in a topic of the staff forum, as the Update gave it."""

    group: int  # the staff forum's chat id
    message_id: int
    message_thread_id: int
    sender: JSONObject
    text: str
    media: JSONObject | None
    date: int

    @classmethod
    def of(cls, envelope: Envelope) -> StaffMessage | None:
        """None for what is no person's message in a topic (General, a bot, a service message, an edit)."""
        message = (envelope.extra.get("update") or {}).get("message") or {}
        sender, thread_id = message.get("from") or {}, message.get("message_thread_id")
        if not message.get("is_topic_message") or not isinstance(thread_id, int) or sender.get("is_bot", True):
            return None
        if not envelope.text and envelope.media is None:
            return None  # a service message: a topic made, closed, renamed
        return cls(envelope.chat_id, int(message["message_id"]), thread_id, sender, envelope.text, envelope.media,
                   envelope.date)

    @property
    def ref(self) -> str:
        """What the ids of what it does are made of: message ids are only unique within their group."""
        return f"{self.group}-{self.message_id}"

    @property
    def by(self) -> str:
        return f"{STAFF_BY}{self.name}"

    @property
    def name(self) -> str:
        return lines.person_name(self.sender, f"staff {self.sender.get('id')}")


def handle(envelope: Envelope, room: StaffRoom, services: Services) -> None:
    """Act on a staff message: what it is decides what it does (this module's docstring)."""
    staff = StaffMessage.of(envelope)
    chat_id = room.store.staff.chat_of(staff.group, staff.message_thread_id) if staff is not None else None
    if staff is None or chat_id is None:
        return
    linked = services.store.agents.by_telegram_id(int(staff.sender["id"]))
    if linked is not None and linked.disabled:  # never as that agent, nor as anyone: the desk disabled them
        _tell(room, staff, chat_id, DISABLED.format(username=linked.username))
        return
    if staff.media is not None:  # before the note prefix: a caption starting with it is no note without its file
        _tell(room, staff, chat_id, ONLY_TEXT)
        return
    prefix = services.settings.desk_staff_note_prefix
    if staff.text.startswith(prefix):
        _note(envelope, staff, chat_id, staff.text[len(prefix):].strip(), services)
        return
    command = COMMAND.match(staff.text.strip()) if staff.text.startswith("/") else None
    if command is not None:
        if command["bot"] and command["bot"].lower() != room.client.bot_username().lower():
            return  # `/resolve@another_bot`: another bot's command, in a group it shares with this one
        _run(room, staff, chat_id, command["name"].lower(), (command["argument"] or "").strip(), services)
        return
    try:
        _answer(envelope, staff, chat_id, services)
    except AnswerRefused as refused:  # a business chat whose reply window closed, and such: never sent to fail
        _tell(room, staff, chat_id, f"Not sent: {refused.reason}")


def _tell(room: StaffRoom, staff: StaffMessage, chat_id: int, problem: str) -> None:
    """Answer a staff message in its topic with what was wrong with it (once)."""
    room.mirror(MirrorItem(f"reply-staff-{staff.ref}", chat_id, f"⚠️ {problem}", reply_to=staff.message_id))


def _claimed(room: StaffRoom, chat_id: int, record: str) -> bool:
    claimed = room.store.staff.claim_item(chat_id, record, uuid.uuid4().hex)
    if claimed is Claimed.BUSY:
        raise TryLater(f"{record} of {chat_id} is being done")
    return claimed is Claimed.GO


def _author(staff: StaffMessage, services: Services) -> JSONObject:
    """Who wrote it, as answers and notes name their author: the linked agent, the Telegram name."""
    agent = services.store.agents.by_telegram_id(int(staff.sender["id"]))
    return {"username": agent.username if agent is not None else None, "name": staff.name}


def _note(envelope: Envelope, staff: StaffMessage, chat_id: int, text: str, services: Services) -> None:
    if not text:
        return
    note = Envelope(id=f"note-staff-{staff.ref}", type=MessageType.AGENT, chat_id=chat_id, date=staff.date,
                    text=text, extra={"client_id": f"staff-{staff.ref}", "agent": _author(staff, services),
                                      "source": STAFF_TOPIC, TRACE_ID: trace_id_of(envelope)})
    try:
        stored, _created = services.store.messages.add_note(chat_id, note)
    except KeyError:
        return
    _announce(services, note_envelope(stored, staff.by))


def _run(room: StaffRoom, staff: StaffMessage, chat_id: int, name: str, argument: str, services: Services) -> None:
    """A command with something wrong is answered with what (it changes nothing: said once, by its
    reply's record); a right one is done once (`command-staff-…`), recorded done as soon as it is,
    so a redelivery never does it again whatever happens after."""
    problem = _problem(name, argument, services)
    if problem is not None:
        _tell(room, staff, chat_id, problem)
        return
    record = f"command-staff-{staff.ref}"
    if not _claimed(room, chat_id, record):
        return
    try:
        _command(staff, chat_id, name, argument, services)
    except Exception:
        room.store.staff.release_item(chat_id, record)  # not done: the redelivery does it at once
        raise
    room.store.staff.item_sent(chat_id, record)


def _assignee(argument: str) -> str:
    return argument.removeprefix("@").strip().lower()


def _problem(name: str, argument: str, services: Services) -> str | None:
    """What is wrong with the command, in words, or None."""
    if name in STATUS_ACTIONS:
        return None
    if name == "assign":
        username = _assignee(argument)
        agent = services.store.agents.get(username) if re.fullmatch(USERNAME_PATTERN, username) else None
        if agent is None or agent.disabled:
            return f"No active agent @{username} to assign." if username else "Whom to? /assign @username"
        return None
    return USAGE.format(prefix=services.settings.desk_staff_note_prefix)


def _command(staff: StaffMessage, chat_id: int, name: str, argument: str, services: Services) -> None:
    """Do the command (`_problem` found nothing wrong with it)."""
    store = services.store
    if name in STATUS_ACTIONS:
        conversation = store.conversations.set_status(chat_id, STATUS_ACTIONS[name], f"{staff.by}:{staff.ref}")
        if conversation is not None:
            _changed(services, conversation, str(conversation.status), staff.by)
    elif name == "assign":
        conversation = store.conversations.update(chat_id, assignee=_assignee(argument))
        if conversation is not None:
            _changed(services, conversation, ASSIGNED, staff.by)


def _answer(envelope: Envelope, staff: StaffMessage, chat_id: int, services: Services) -> None:
    """Queue the answer once, announce what it changed, and publish it for deliver (then say so:
    the relay's outbox then leaves it to deliver)."""
    store = services.store
    conversation = store.conversations.get(chat_id)
    if conversation is None:
        return
    client_id = f"staff-{staff.ref}"
    answer = Envelope(id=client_id, type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()), text=staff.text,
                      customer=conversation.customer.wire(),
                      extra={"client_id": client_id, "agent": _author(staff, services), "source": STAFF_TOPIC,
                             TRACE_ID: trace_id_of(envelope)})
    stored, conversation, _created = store.answers.queue(chat_id, answer)
    if stored.delivery is None or stored.delivery.state != DeliveryState.QUEUED or stored.published_at is not None:
        return  # published before: deliver has it
    change = ANSWERED
    if conversation.status == ConversationStatus.RESOLVED:  # an answer opens it again, as in the console
        conversation = store.conversations.set_status(chat_id, ConversationStatus.OPEN,
                                                      f"{staff.by}:{staff.ref}") or conversation
        change = str(conversation.status)
    _changed(services, conversation, change, staff.by)
    services.publisher.publish(services.manifest.step(STEP).output, answer_envelope(stored).stamp(f"{STEP}:out"))
    store.answers.mark_published(chat_id, stored.id)


def _changed(services: Services, conversation: Conversation, change: str, by: str) -> None:
    """Announce a change as the relay announces an agent's (teledesk.lifecycle.changes.announcements)."""
    for topic, envelope in announcements(conversation, change, by, announces=services.manifest.step(STEP).announces,
                                         trigger_topics=services.manifest.publishes_to(STEP),
                                         pending_resolve_s=services.settings.desk_pending_resolve_s):
        services.publisher.publish(topic, envelope.stamp(STEP))


def _announce(services: Services, change: Envelope) -> None:
    topic = services.manifest.step(STEP).announces
    if topic:
        services.publisher.publish(topic, change.stamp(STEP))
