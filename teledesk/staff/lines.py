"""How the desk's things read in a staff topic: plain text, never markup (customer text is data).

Every line says who wrote it: 👤 the customer, 🏢 the business account's owner (typed in the
Telegram app), 💬 an agent's answer, 📝 a private note, 🔄 a change of the conversation. The
topic's name is the status's mark and the customer's name, within Telegram's length.
"""

from __future__ import annotations

from collections.abc import Iterable

from teledesk.lifecycle.changes import ASSIGNED
from teledesk.model import AgentRef, Conversation, ConversationStatus, Customer, Direction, Message, MessageType
from teledesk.open_data import JSONObject
from teledesk.telegram.limits import MAX_MESSAGE_LENGTH, MAX_TOPIC_NAME_LENGTH
from teledesk.telegram.outbound import fitting_prefix, utf16_length

STATUS_MARKS = {ConversationStatus.OPEN: "🟢", ConversationStatus.PENDING: "⏳", ConversationStatus.RESOLVED: "✅"}
SUMMARY_MESSAGES = 5  # what a topic made again starts with: the conversation's last few messages
SUMMARY_LINE = 300  # characters of each summarised message
ELLIPSIS = "…"


def person_name(person: Customer | JSONObject | None, fallback: str) -> str:
    """ "Ana García", else "@ana", else `fallback`."""
    fields = person.wire() if isinstance(person, Customer) else person or {}
    full = " ".join(str(fields[key]) for key in ("first_name", "last_name") if fields.get(key)).strip()
    return full or (f"@{fields['username']}" if fields.get("username") else fallback)


def agent_name(agent: AgentRef | JSONObject | None) -> str:
    fields = agent.wire() if isinstance(agent, AgentRef) else agent or {}
    return str(fields.get("name") or fields.get("username") or "an agent")


def clipped(text: str, limit: int) -> str:
    """`text` within `limit` as Telegram counts (UTF-16 code units: an emoji is two), cut with an ellipsis."""
    if utf16_length(text) <= limit:
        return text
    return text[: fitting_prefix(text, limit - utf16_length(ELLIPSIS))] + ELLIPSIS


def topic_name(conversation: Conversation) -> str:
    """ "🟢 Ana García": the status at a glance, then who the customer is."""
    mark = STATUS_MARKS.get(ConversationStatus(conversation.status), "")
    customer = person_name(conversation.customer, f"#{conversation.chat_id}")
    return clipped(f"{mark} {customer}".strip(), MAX_TOPIC_NAME_LENGTH)


def content(text: str, media: JSONObject | None) -> str:
    """A message's text, its media kind in brackets first when it has one ("[photo] the caption")."""
    kind = (media or {}).get("kind")
    return f"[{kind}] {text}".strip() if kind else text


def line(mark: str, who: str, what: str) -> str:
    return clipped(f"{mark} {who}: {what}", MAX_MESSAGE_LENGTH)


def customer_line(customer: Customer | JSONObject | None, text: str, media: JSONObject | None) -> str:
    return line("👤", person_name(customer, "Customer"), content(text, media))


def owner_line(owner: JSONObject | None, text: str, media: JSONObject | None) -> str:
    return line("🏢", f"{person_name(owner, 'The account')} (in Telegram)", content(text, media))


def answer_line(agent: AgentRef | JSONObject | None, text: str, media: JSONObject | None) -> str:
    return line("💬", agent_name(agent), content(text, media))


def not_delivered_line(reason: str) -> str:
    return clipped(f"⚠️ Not delivered to the customer: {reason or 'refused by Telegram'}", MAX_MESSAGE_LENGTH)


def note_line(agent: AgentRef | JSONObject | None, text: str) -> str:
    return line("📝", f"{agent_name(agent)} (note)", text)


def change_line(change: str, conversation: Conversation, by: str) -> str:
    """ "🔄 resolved (by @ana)": what changed, and who did it."""
    what = f"assigned to @{conversation.assignee}" if change == ASSIGNED and conversation.assignee else change
    return clipped(f"🔄 {what.replace('_', ' ')} (by {by})", MAX_MESSAGE_LENGTH)


def message_line(message: Message, customer: Customer) -> str:
    """One stored message as the summary shows it."""
    media = message.media.wire() if message.media else None
    text = clipped(message.text, SUMMARY_LINE)
    if message.direction == Direction.NOTE:
        return note_line(message.agent, text)
    if message.type == MessageType.OWNER:
        return owner_line(message.model_extra.get("owner") if message.model_extra else None, text, media)
    if message.direction == Direction.OUT:
        return answer_line(message.agent, text, media) if message.agent else line("🤖", "Bot", content(text, media))
    return customer_line(customer, text, media)


def summary(conversation: Conversation, history: Iterable[Message]) -> str:
    """What a topic made again starts with: the conversation's last few messages."""
    lines = [message_line(m, conversation.customer) for m in history]
    head = "🧾 This conversation's topic was deleted or closed; its last messages:"
    return clipped("\n".join([head, *lines]) if lines else head, MAX_MESSAGE_LENGTH)
