"""teledesk.staff: what a staff topic shows of the pipeline's traffic, and how staff messages are read."""

from __future__ import annotations

import pytest

from teledesk.envelope import Envelope, MessageType
from teledesk.lifecycle.changes import LIFECYCLE, change_envelope, note_envelope
from teledesk.model import Conversation, ConversationStatus, Customer, Direction, Message
from teledesk.staff import STAFF_TOPIC, lines
from teledesk.staff.commands import COMMAND, StaffMessage
from teledesk.staff.mirror import mirror_item
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH, MAX_TOPIC_NAME_LENGTH
from teledesk.telegram.outbound import utf16_length

CHAT = 4242
ANA = {"id": CHAT, "first_name": "Ana", "last_name": "García", "username": "ana"}


def conversation(**fields: object) -> Conversation:
    return Conversation.model_validate({"chat_id": CHAT, "customer": ANA, "updated_at": 1000.5, **fields})


def customer_message(**extra: object) -> Envelope:
    return Envelope(id=f"tg-{CHAT}-7", type=MessageType.CLIENT, chat_id=CHAT, date=1, text="<b>hola</b>",
                    customer=ANA, extra={"event": "message", "conversation": conversation().wire(), **extra})


def test_the_topic_is_named_by_the_status_and_the_customer_within_telegram_s_length():
    assert lines.topic_name(conversation()) == "🟢 Ana García"
    assert lines.topic_name(conversation(status="pending")) == "⏳ Ana García"
    assert lines.topic_name(conversation(status="resolved", customer={"username": "ana"})) == "✅ @ana"
    assert lines.topic_name(conversation(customer={})) == f"🟢 #{CHAT}"
    long = lines.topic_name(conversation(customer={"first_name": "A" * 300}))
    assert utf16_length(long) == MAX_TOPIC_NAME_LENGTH and long.endswith("…")  # the status mark counts two


@pytest.mark.parametrize("limit", [MAX_TOPIC_NAME_LENGTH, MAX_MESSAGE_LENGTH])
def test_clipping_counts_as_telegram_does_an_emoji_is_two_units(limit: int):
    clipped = lines.clipped("😀" * limit, limit)
    assert utf16_length(clipped) <= limit and clipped.endswith("…")
    assert clipped.removesuffix("…") == "😀" * ((limit - 1) // 2)  # whole emoji only, never half a pair
    assert lines.clipped("😀" * (limit // 2), limit) == "😀" * (limit // 2)  # one that fits is left alone


def test_a_mirrored_line_full_of_emoji_fits_one_telegram_message():
    envelope = customer_message()
    envelope.text = "🎉" * MAX_MESSAGE_LENGTH
    item = mirror_item(envelope)
    assert item is not None and utf16_length(item.text) <= MAX_MESSAGE_LENGTH


def test_a_customer_s_message_is_mirrored_as_plain_text_naming_them():
    item = mirror_item(customer_message())
    assert item is not None
    assert (item.id, item.chat_id, item.renames) == (f"tg-{CHAT}-7", CHAT, True)  # the customer may have reopened it
    assert item.text == "👤 Ana García: <b>hola</b>"  # the customer's text as it came: data, never markup
    photo = customer_message()
    photo.media, photo.text = {"kind": "photo", "file_id": "F"}, "mira"
    assert mirror_item(photo).text == "👤 Ana García: [photo] mira"  # type: ignore[union-attr]


@pytest.mark.parametrize("extra", [{"event": "edit"}, {"event": "reaction"}, {"conversation": None}])
def test_edits_reactions_and_what_enrich_did_not_fold_are_not_mirrored(extra: dict):
    assert mirror_item(customer_message(**extra)) is None


def test_the_owner_s_message_says_it_was_typed_in_telegram():
    owner = customer_message(owner={"first_name": "Acme Support"})
    owner.type = MessageType.OWNER
    assert mirror_item(owner).text == "🏢 Acme Support (in Telegram): <b>hola</b>"  # type: ignore[union-attr]


def delivered(state: str = "sent", **extra: object) -> Envelope:
    return Envelope(id="agent-c1", type=MessageType.AGENT, chat_id=CHAT, date=1, text="Te ayudo",
                    extra={"agent": {"username": "bob", "name": "Bob"}, "delivery": {"state": state}, **extra})


def test_a_console_answer_is_mirrored_once_sent_and_not_one_written_in_the_topic():
    assert mirror_item(delivered()).text == "💬 Bob: Te ayudo"  # type: ignore[union-attr]
    assert mirror_item(delivered("failed")) is None
    assert mirror_item(delivered(source=STAFF_TOPIC)) is None
    failed = mirror_item(delivered("failed", source=STAFF_TOPIC, delivery={"state": "failed",
                                                                           "reason": "blocked by the customer"}))
    assert failed is not None and failed.text == "⚠️ Not delivered to the customer: blocked by the customer"
    assert failed.id == "failed-agent-c1-0"
    assert mirror_item(delivered(action="edit")) is None
    bot = delivered()
    bot.type = MessageType.BOT
    assert mirror_item(bot) is None


def note(by: str) -> Envelope:
    stored = Message(id="note-c9", type=MessageType.AGENT, chat_id=CHAT, date=5, text="VIP",
                     direction=Direction.NOTE, agent={"username": "bob", "name": "Bob"})  # type: ignore[arg-type]
    return note_envelope(stored, by)


def test_a_console_note_is_mirrored_and_one_written_in_the_topic_is_not():
    item = mirror_item(note("agent:bob"))
    assert item is not None and (item.id, item.text) == ("note-c9", "📝 Bob (note): VIP")
    assert mirror_item(note("staff:Ana")) is None


def test_a_change_of_status_is_mirrored_and_renames_the_topic():
    resolved = conversation(status="resolved")
    item = mirror_item(change_envelope(resolved, ConversationStatus.RESOLVED, "agent:bob"))
    assert item is not None and item.renames and item.text == "🔄 resolved (by @bob)"
    assert mirror_item(change_envelope(resolved, "resolve_idle", LIFECYCLE)).text == (  # type: ignore[union-attr]
        "🔄 resolve idle (by the desk)")
    assigned = mirror_item(change_envelope(conversation(assignee="bob"), "assigned", "staff:Ana García"))
    assert assigned.text == "🔄 assigned to @bob (by Ana García)"  # type: ignore[union-attr]
    assert mirror_item(change_envelope(resolved, "answered", "staff:Ana")) is None


def test_a_summary_lists_the_last_messages_and_fits_one_message():
    history = [Message(id="a", type=MessageType.CLIENT, text="hola", direction=Direction.IN),
               Message(id="b", type=MessageType.AGENT, text="dime", direction=Direction.OUT,
                       agent={"username": "bob", "name": "Bob"}),  # type: ignore[arg-type]
               Message(id="c", type=MessageType.AGENT, text="x" * 5000, direction=Direction.NOTE)]
    text = lines.summary(conversation(), history)
    assert text.splitlines()[1:3] == ["👤 Ana García: hola", "💬 Bob: dime"]
    assert len(text) <= MAX_MESSAGE_LENGTH
    assert lines.person_name(Customer(), "Customer") == "Customer"


def staff_update(**message: object) -> Envelope:
    body = {"message_id": 55, "from": {"id": 8000000001, "is_bot": False, "first_name": "Ana"},
            "chat": {"id": -1009000000001, "type": "supergroup", "is_forum": True}, "date": 9,
            "message_thread_id": 3, "is_topic_message": True, "text": "hola", **message}
    return Envelope(id="tg-x", type=MessageType.STAFF, chat_id=-1009000000001, date=9, text=str(body.get("text", "")),
                    extra={"update": {"update_id": 1, "message": body}})


def test_a_staff_message_is_read_from_its_topic_and_nothing_else_is():
    staff = StaffMessage.of(staff_update())
    assert staff is not None
    assert (staff.message_id, staff.message_thread_id, staff.text, staff.by) == (55, 3, "hola", "staff:Ana")
    assert StaffMessage.of(staff_update(is_topic_message=False)) is None  # General
    assert StaffMessage.of(staff_update(**{"from": {"id": 1, "is_bot": True, "first_name": "Other bot"}})) is None
    assert StaffMessage.of(staff_update(text="")) is None  # a service message


@pytest.mark.parametrize(("text", "name", "argument"), [
    ("/resolve", "resolve", None), ("/assign@teledesk_bot @bob", "assign", "@bob"), ("/pending  ", "pending", None),
])
def test_commands_are_read_with_or_without_the_bot_s_name(text: str, name: str, argument: str | None):
    match = COMMAND.match(text.strip())
    assert match is not None and (match["name"], match["argument"]) == (name, argument)
