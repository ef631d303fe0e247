"""What the desk stores and shows: one typed model, its statuses, and how each crosses Firestore
and the wire.

| entity | Firestore | statuses |
|---|---|---|
| `Conversation` | `conversations/{chat_id}` | `ConversationStatus`: open, pending, resolved; `Priority` |
| `Message` (in, out, or a note) | `conversations/{chat_id}/messages/{id}` | `Direction`; out: `Delivery.state` |
| `Agent` | `agents/{username}` | `Role`; `disabled` |
| `CannedResponse` | `canned/{id}` | |
| `BusinessConnection` | `business_connections/{id}` | `is_enabled`; `rights` |
| `StaffTopic` (a conversation's topic in the staff forum) | `staff_topics/{group}_{message_thread_id}` → its chat | |

What crosses Pub/Sub is the versioned envelope (`teledesk.envelope.Envelope`, re-exported here),
never one of these documents. A private note is a `Message` with direction `note`.

Every document keeps the fields it does not name (`extra="allow"`): what Telegram sent with a
message (entities, a reply, an album) or what a later step adds passes through untouched. A
document is written back as it was read plus what changed: `to_firestore()` leaves out the
fields that were never set, so a default is never written into a document that lacked the field.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from teledesk.envelope import Envelope, MessageType
from teledesk.open_data import Fields, JSONObject

__all__ = [
    "Agent", "AgentRef", "BusinessChat", "BusinessConnection",
    "CannedResponse", "Conversation", "ConversationStatus", "Customer", "Delivery",
    "DeliveryState", "Direction", "Document", "Envelope", "Media", "Message", "MessageType", "Preview", "Priority",
    "Revision", "Role", "Satisfaction", "StaffTopic",
]


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"  # waiting for the customer
    RESOLVED = "resolved"


class Priority(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Direction(StrEnum):
    IN = "in"  # from the customer's side of the chat
    OUT = "out"  # an agent's or the bot's answer
    NOTE = "note"  # an agent's private note: never sent


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


class Document(BaseModel):
    """A stored document: named fields typed, the others kept as they are."""

    model_config = ConfigDict(extra="allow", use_enum_values=True, validate_assignment=True, validate_default=True)
    KEY: ClassVar[str | None] = None  # the field that is the document's id, when it has one

    @classmethod
    def from_firestore(cls, data: Fields, document_id: str | None = None) -> Self:
        """The document as stored; its id fills in its key field when a merge write made it without."""
        if document_id is not None and cls.KEY is not None and cls.KEY not in data:
            data = {cls.KEY: document_id, **data}
        return cls.model_validate(data)

    def to_firestore(self) -> Fields:
        return self.model_dump(exclude_unset=True)

    def wire(self) -> JSONObject:
        """As JSON carries it: in an envelope, an API answer or a Socket.IO event."""
        return self.model_dump(mode="json", exclude_unset=True)

    def complete(self) -> Self:
        """Count every field as set, defaults too: a new document is written whole."""
        self.model_fields_set.update(type(self).model_fields)
        return self

    def assign(self, **changes: Any) -> Self:
        """Change fields of this copy in memory (each one then counts as set, so it is written)."""
        for name, value in changes.items():
            setattr(self, name, value)
        return self


class Customer(Document):
    """The Telegram user on the customer's side of a chat, as Telegram describes them."""

    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class AgentRef(Document):
    """Who wrote an answer or a note."""

    username: str | None = None
    name: str | None = None


class Media(Document):
    """A message's file or other non-text content: `kind`, and Telegram's file id when it has one."""

    kind: str | None = None  # None only in a document a merge write made
    file_id: str | None = None  # Telegram's, once it has the file
    file_unique_id: str | None = None
    file_size: int | None = None
    mime_type: str | None = None
    blob: str | None = None  # an agent's upload, in the blob store until Telegram has it
    filename: str | None = None


class Preview(Document):
    """The chat list's line for a conversation."""

    text: str = ""
    type: MessageType | None = None
    date: int = 0
    media_kind: str | None = None
    direction: Direction | None = None
    agent: AgentRef | None = None


class Resolution(Document):
    """A conversation's last resolution, kept when the next conversation starts, so the metrics
    step's census counts it however soon the customer writes again."""

    number: int
    opened_at: float
    resolved_at: float


class Satisfaction(Document):
    """The customer's satisfaction with one opening, from the buttons of the question asked at its
    resolve: the first press counts (`press`: its callback query's id)."""

    rating: int
    at: float
    opening: float  # the opening rated (Conversation.opened_at then)
    press: str | None = None


class BusinessChat(Document):
    """Which Telegram Business chat a conversation is (teledesk/business.py): the connection, the
    chat's own Telegram id (the conversation's `chat_id` is the desk's key for the pair), and the
    date of the customer's last message, from which Telegram's 24-hour reply window runs."""

    connection_id: str
    chat_id: int
    customer_wrote_at: float | None = None


class StaffTopic(Document):
    """A conversation's topic in the staff forum (DESK_STAFF_CHAT_ID): a thread of that group, so
    a topic of another group (DESK_STAFF_CHAT_ID changed) is none of the conversation's now."""

    chat_id: int | None = None  # the staff forum's group id (None: stored before groups were kept)
    message_thread_id: int
    name: str = ""
    created_at: float = 0.0


class Conversation(Document):
    KEY = "chat_id"

    chat_id: int
    number: int = 1  # which conversation with this customer: the "new" resolved policy starts the next
    customer: Customer = Field(default_factory=Customer)
    status: ConversationStatus = ConversationStatus.OPEN
    assignee: str | None = None
    priority: Priority = Priority.NORMAL
    unread: int = 0
    last_message: Preview | None = None
    context: dict[str, str] = Field(default_factory=dict)  # e.g. the /start payload a customer came with
    created_at: float = 0.0
    updated_at: float = 0.0
    first_response_at: float | None = None
    resolved_at: float | None = None  # when an agent (or the lifecycle) last resolved it
    last_resolution: Resolution | None = None
    opened_at: float | None = None  # when its current opening began (the lifecycle watches each opening)
    opened_by: str | None = None  # the message or action that opened it (its opening is announced again on a retry)
    sla_due_at: float | None = None  # the first-response SLA's due time, until an agent answers
    sla_breached: bool = False
    pending_since: float | None = None  # when an agent set it pending
    watch_run: str | None = None  # the lifecycle execution that watches this opening (a duplicate one stops)
    unannounced: list[str] | None = None  # what the lifecycle did that is not yet published
    csat: Satisfaction | None = None  # the last rating the customer gave
    blocked: bool = False
    business: BusinessChat | None = None  # a Telegram Business chat; None: a chat with the bot
    staff_topic: StaffTopic | None = None  # its topic in the staff forum, once it has one


class SendLease(Document):
    """A sender's claim on one part of an answer (deliver's `claim_part`): it may send that part
    until `until`; a lease found expired while the part is not recorded means its sender died
    mid-send, and nobody can tell whether Telegram got it."""

    holder: str
    part: int = 0
    until: float = 0.0


class Delivery(Document):
    """Where an outgoing message is on its way to Telegram.

    `state` is the contract's (queued, sent, failed); a queued answer with a `sending` lease is
    being sent.
    """

    state: DeliveryState
    reason: str | None = None  # in words, for agents
    cause: str | None = None  # a failure's `FailureCause` (teledesk.telegram.client), for the metrics
    updated_at: float = 0.0
    telegram_message_id: int | None = None
    telegram_message_ids: list[int] | None = None  # every message a long or split answer became
    parts: dict[str, int] | None = None  # the parts of a split answer already sent, by index
    failed_attempts: int | None = None
    sending: SendLease | None = None  # a sender's live (or dead) claim on the part going out


class Revision(Document):
    """What a message said before an edit: the customer's (as of `date`) or an agent's (`until`)."""

    text: str = ""
    media: Media | None = None
    date: int | None = None
    until: float | None = None


class Message(Document):
    """A message of a conversation: the customer's (in), an answer (out) or a private note."""

    KEY = "id"

    id: str
    # Required in what the desk writes; optional here so that a document a merge write made (a
    # delivery state recorded for an id the desk never stored) still reads.
    type: MessageType | None = None
    chat_id: int | None = None
    date: int = 0
    text: str = ""
    media: Media | None = None
    direction: Direction | None = None
    stored_at: float = 0.0
    agent: AgentRef | None = None
    delivery: Delivery | None = None
    conversation_number: int | None = None  # which conversation with the customer it belongs to (in)
    client_id: str | None = None  # the console's idempotency key (out, notes)
    telegram_message_id: int | None = None  # the customer's own message (in)
    revision: int | None = None  # the last edit, delete or reaction folded in
    edited: bool | float | None = None  # True (the customer edited it) or when an agent did
    edit_history: list[Revision] | None = None
    deleted: bool | None = None
    deleted_at: float | None = None
    reactions: dict[str, list[str]] | None = None  # by who reacted: "customer"
    reaction_update_id: int | None = None  # the update the reactions are as of
    retries: int | None = None  # an agent's retries of a failed answer
    changes_requested: int | None = None  # edits and deletes an agent asked for (numbers the next)
    # The outbox (teledesk.store.answers): an answer stored and not settled yet carries when it was
    # stored or queued again (`outbox_since`), and when it was last handed to Pub/Sub.
    outbox_since: float | None = None
    published_at: float | None = None

    @property
    def sent_as(self) -> int | None:
        """The Telegram message id this message is known by: the customer's own, or what deliver got."""
        if self.telegram_message_id is not None:
            return self.telegram_message_id
        return self.delivery.telegram_message_id if self.delivery is not None else None


MAX_USERNAME_LENGTH = 32
# An agent's username (the relay's rule, the staff forum's /assign): a letter or digit first, so
# never "..", "__x__" or anything Firestore would read as a path.
USERNAME_PATTERN = rf"^[a-z0-9][a-z0-9_.-]{{1,{MAX_USERNAME_LENGTH - 1}}}$"


class Agent(Document):
    KEY = "username"

    username: str
    name: str = ""
    role: Role = Role.AGENT
    password_hash: str = ""
    disabled: bool = False
    created_at: float = 0.0
    session_epoch: int = 0  # sessions signed under an older epoch are over
    telegram_id: int | None = None  # their Telegram account: what they write in the staff forum is theirs

    def public(self) -> dict[str, str]:
        """What anyone may see of an agent: never the password hash."""
        return {"username": self.username, "name": self.name or self.username, "role": self.role}


class BusinessConnection(Document):
    """A business account's connection with the bot, as its last `business_connection` update said:
    a disabled (or revoked) one leaves its conversations read-only; `rights` (BusinessBotRights, by
    name) say what the bot may do in its chats."""

    KEY = "id"

    id: str
    user: Customer = Field(default_factory=Customer)  # the business account
    user_chat_id: int | None = None
    date: int = 0
    rights: dict[str, bool] = Field(default_factory=dict)
    is_enabled: bool = False
    update_id: int = 0  # the update this is as of: an older one (a retry) changes nothing
    updated_at: float = 0.0


class AgentSession(Document):
    """A logged-in session, kept under the SHA-256 of its id (realtime/sessions.py): whose, and until when."""

    username: str
    expires_at: datetime  # a timestamp: Firestore's TTL policy deletes the document once it has passed


class CannedResponse(Document):
    KEY = "id"

    id: str
    shortcut: str
    text: str
    updated_by: str | None = None
    updated_at: float = 0.0
