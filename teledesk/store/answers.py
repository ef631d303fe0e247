"""Answers on their way out: queued once per idempotency key, their delivery, edits and deletes.

Deliver is the one writer of an answer's delivery, one chat at a time (ordering keys), so most of
these are plain merge writes; transactions are kept to where a read decides a write: queueing,
a sender's claim on a part (`claim_part`), an agent's retry.

The outbox: an answer is stored with `outbox_since` and keeps it until deliver settles it; the
relay notes each hand-over to Pub/Sub (`published_at`). What stays in the outbox past a grace
(`unsettled`) is handed over again by the relay's sweeper (realtime/outbox.py): never published,
published long ago and still queued, or left mid-send by a sender that died. A repeated hand-over
sends nothing twice: each part is claimed before it goes out.

In a Telegram Business chat an answer Telegram would refuse (the connection disabled, no
`can_reply`, the 24-hour window closed: teledesk.business.reply_refusal) is refused in the same
transaction that would store it (`AnswerRefused`), so it is never stored to fail; one that may go
carries the chat (`business`) to deliver.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from google.cloud import firestore

from teledesk.business import reply_refusal
from teledesk.envelope import Envelope
from teledesk.inbound import preview
from teledesk.model import (
    Conversation,
    Delivery,
    DeliveryState,
    Direction,
    Message,
    MessageType,
    Revision,
    SendLease,
)
from teledesk.open_data import Fields
from teledesk.store.business import BusinessConnections
from teledesk.store.documents import MESSAGES, Documents, read, read_each

SETTLED = (DeliveryState.SENT, DeliveryState.FAILED)


class Claim(enum.Enum):
    """What a sender may do with one part of an answer (`Answers.claim_part`)."""

    SEND = "send"  # claimed: send it now, within the lease
    SENT = "sent"  # already sent: `PartClaim.telegram_message_id` is what it became
    SETTLED = "settled"  # the answer is sent or failed: nothing to send
    BUSY = "busy"  # another sender holds a live lease on it: try again later
    MAYBE_SENT = "maybe_sent"  # a sender died holding it, the part unrecorded: never send it blindly


@dataclass(frozen=True)
class PartClaim:
    claim: Claim
    telegram_message_id: int | None = None


STORE_BOOKKEEPING = ("direction", "stored_at", "delivery", "outbox_since", "published_at")


def answer_envelope(stored: Message) -> Envelope:
    """What deliver is handed of a stored answer: the message, without the store's bookkeeping
    (what was stored goes out, whoever hands it over)."""
    kept = {k: v for k, v in stored.wire().items() if k not in STORE_BOOKKEEPING}
    return Envelope.from_dict(kept)


class AnswerRefused(Exception):
    """Telegram would refuse this answer in its business chat; the reason, in words, for agents."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Answers:
    def __init__(self, documents: Documents, connections: BusinessConnections) -> None:
        """`connections`: the store's, read in an answer's transaction in a business chat."""
        self.documents, self.db, self.connections = documents, documents.db, connections

    def queue(self, chat_id: int, answer: Envelope) -> tuple[Message, Conversation, bool]:
        """Store an agent's (or the bot's) answer as queued, once per idempotency key.

        Only an agent's answer counts as the first response (`first_response_at`, once per
        conversation), meets the current opening's SLA (clears `sla_due_at`) and reads the chat.

        Returns the stored message (the earlier one on a repeat), the conversation and whether
        the message was new. KeyError when there is no such conversation; `AnswerRefused` when
        it is a business chat Telegram would not take the answer in now (a repeat of one stored
        before is answered as stored).
        """
        conversation_ref = self.documents.conversation(chat_id)
        message_ref = self.documents.message(chat_id, answer.id)

        @firestore.transactional
        def write(transaction: firestore.Transaction) -> tuple[Message, Conversation, bool]:
            existing = read(Message, message_ref.get(transaction=transaction))
            conversation = read(Conversation, conversation_ref.get(transaction=transaction))
            if conversation is None:
                raise KeyError(chat_id)
            if existing is not None:
                return existing, conversation, False
            now = time.time()
            business: Fields = {}
            if conversation.business is not None:
                chat = conversation.business
                refusal = reply_refusal(chat, self.connections.get(chat.connection_id, transaction), now)
                if refusal is not None:
                    raise AnswerRefused(refusal)
                business = {"business": {"connection_id": chat.connection_id, "chat_id": chat.chat_id}}
            # The bot's answers are published by autoreply's step, whose push Pub/Sub retries until
            # that publish succeeds: the outbox need only watch their sends (a lease left expired).
            published_at = now if answer.type == MessageType.BOT else None
            stored = Message.model_validate({
                **answer.to_dict(), "direction": Direction.OUT, "stored_at": now,
                "delivery": Delivery(state=DeliveryState.QUEUED, reason=None, updated_at=now), "outbox_since": now,
                "published_at": published_at, **business})
            conversation.assign(last_message=preview(stored), updated_at=now)
            if stored.type == MessageType.AGENT:  # an answer meets the opening's SLA
                conversation.assign(unread=0, sla_due_at=None)
                if conversation.first_response_at is None:
                    conversation.first_response_at = now
            transaction.set(message_ref, stored.to_firestore())
            transaction.set(conversation_ref, conversation.to_firestore())
            return stored, conversation, True

        return write(self.db.transaction())  # type: ignore[no-any-return]

    def _merge(self, chat_id: int, message_id: str, fields: Fields) -> None:
        self.documents.message(chat_id, message_id).set(fields, merge=True)

    def set_delivery(self, chat_id: int, message_id: str, state: DeliveryState | str, reason: str | None = None,
                     telegram_message_id: int | None = None) -> None:
        delivery = Delivery(state=state, reason=reason, updated_at=time.time())
        if telegram_message_id is not None:
            delivery.telegram_message_id = telegram_message_id
        self._merge(chat_id, message_id, {"delivery": delivery.to_firestore()})

    def mark_published(self, chat_id: int, message_id: str) -> None:
        """Pub/Sub has the answer (the relay's publish returned): the sweeper leaves it to deliver."""
        self._merge(chat_id, message_id, {"published_at": time.time()})

    def unsettled(self, stored_before: float, limit: int, after: float | None = None) -> list[Message]:
        """Answers in the outbox since before `stored_before` (every conversation), oldest first;
        `after`: only those in it since after that time (the next page)."""
        query = (self.db.collection_group(MESSAGES)
                 .where(filter=firestore.FieldFilter("outbox_since", "<", stored_before))
                 .order_by("outbox_since"))
        if after is not None:
            query = query.start_after({"outbox_since": after})
        query = query.limit(limit)
        return read_each(Message, query.stream())

    def claim_part(self, chat_id: int, message_id: str, part: int, holder: str, lease_s: float) -> PartClaim:
        """Claim part `part` of an answer for `holder` for `lease_s` seconds, before sending it.

        A transaction, so of two senders at once (a redelivery while the first is still sending,
        the sweeper's hand-over) one sends and the other is told BUSY. A lease that expired with
        its part unrecorded was a sender that died mid-send: MAYBE_SENT, and the caller settles the
        answer as failed rather than send it twice. The holder's own lease is renewed.
        """
        ref = self.documents.message(chat_id, message_id)

        @firestore.transactional
        def claim(transaction: firestore.Transaction) -> PartClaim:
            message = read(Message, ref.get(transaction=transaction))
            if message is None:
                return PartClaim(Claim.SETTLED)  # not ours to send (deliver checked it was stored)
            delivery = message.delivery or Delivery(state=DeliveryState.QUEUED)
            if delivery.state in SETTLED:
                return PartClaim(Claim.SETTLED)
            sent = (delivery.parts or {}).get(str(part))
            if sent is not None:
                return PartClaim(Claim.SENT, sent)
            now = time.time()
            lease = delivery.sending
            if lease is not None and lease.holder != holder and str(lease.part) not in (delivery.parts or {}):
                if lease.until > now:
                    return PartClaim(Claim.BUSY)
                return PartClaim(Claim.MAYBE_SENT)
            taken = SendLease(holder=holder, part=part, until=now + lease_s).complete()
            transaction.update(ref, {"delivery.sending": taken.to_firestore(), "delivery.updated_at": now})
            return PartClaim(Claim.SEND)

        return claim(self.db.transaction())  # type: ignore[no-any-return]

    def release_part(self, chat_id: int, message_id: str, holder: str) -> None:
        """The claimed part did not go out (Telegram said so): a later delivery may send it. Only
        `holder`'s own claim is released: a sender that outlived its lease leaves the claim of the
        one that took over alone (a transaction, so nothing is released in between)."""
        ref = self.documents.message(chat_id, message_id)

        @firestore.transactional
        def release(transaction: firestore.Transaction) -> None:
            message = read(Message, ref.get(transaction=transaction))
            lease = message.delivery.sending if message is not None and message.delivery is not None else None
            if lease is not None and lease.holder == holder:
                transaction.update(ref, {"delivery.sending": firestore.DELETE_FIELD})

        release(self.db.transaction())

    def record_sent_part(self, chat_id: int, message_id: str, index: int, telegram_message_id: int) -> None:
        """Remember that part `index` of a split answer reached Telegram, before the next is sent."""
        self._merge(chat_id, message_id, {"delivery": {"parts": {str(index): telegram_message_id}}})

    def settle(self, chat_id: int, message_id: str, state: DeliveryState | str, reason: str | None = None,
               telegram_message_ids: list[int] | tuple[int, ...] = (), file_id: str | None = None,
               cause: str | None = None) -> None:
        """The final state of an answer: every Telegram message id it became, and the uploaded file's id."""
        delivery = Delivery(state=state, reason=reason, cause=cause, updated_at=time.time())
        if telegram_message_ids:
            ids = list(telegram_message_ids)
            delivery.assign(telegram_message_id=ids[0], telegram_message_ids=ids)
        document: Fields = {"delivery": {**delivery.to_firestore(), "sending": firestore.DELETE_FIELD},
                            "outbox_since": firestore.DELETE_FIELD}
        if file_id:
            document["media"] = {"file_id": file_id}
        self._merge(chat_id, message_id, document)

    def record_file_id(self, chat_id: int, message_id: str, file_id: str) -> None:
        self._merge(chat_id, message_id, {"media": {"file_id": file_id}})

    def count_failed_attempt(self, chat_id: int, message_id: str) -> int:
        """One more failed delivery attempt of an answer; returns how many there were."""
        ref = self.documents.message(chat_id, message_id)
        ref.set({"delivery": {"failed_attempts": firestore.Increment(1)}}, merge=True)
        delivery = (ref.get().to_dict() or {}).get("delivery") or {}
        return int(delivery.get("failed_attempts") or 1)

    def request_change(self, chat_id: int, message_id: str) -> tuple[str, Message | None, int]:
        """Number an agent's edit or delete of their own sent message: ("ok", message, n).

        ("missing", None, 0) when there is no such outgoing message (or it was deleted),
        ("not_sent", message, 0) while it is not yet sent. `n` (1, 2, …) makes the change's
        envelope id, so a redelivered change is applied once.
        """
        ref = self.documents.message(chat_id, message_id)

        @firestore.transactional
        def number(transaction: firestore.Transaction) -> tuple[str, Message | None, int]:
            message = _sent_by_the_desk(read(Message, ref.get(transaction=transaction)))
            if message is None:
                return "missing", None, 0
            if message.delivery is None or message.delivery.state != DeliveryState.SENT:
                return "not_sent", message, 0
            n = (message.changes_requested or 0) + 1
            transaction.update(ref, {"changes_requested": n})
            return "ok", message, n

        return number(self.db.transaction())  # type: ignore[no-any-return]

    def apply_change(self, chat_id: int, message_id: str, revision: int, *, text: str | None = None,
                     deleted: bool = False) -> tuple[Message | None, bool]:
        """Apply edit (`text`) or delete number `revision` once; (the message, whether it changed).

        Only deliver writes here, one chat at a time (ordering keys), so no transaction.
        """
        ref = self.documents.message(chat_id, message_id)
        message = read(Message, ref.get())
        if message is None:
            return None, False
        if (message.revision or 0) >= revision:
            return message, False
        now = time.time()
        changes: Fields = {"revision": revision}
        if deleted:
            changes.update(deleted=True, deleted_at=now)
        else:
            history = [*(message.edit_history or []), Revision(text=message.text, until=now)]
            changes.update(text=text or "", edited=now, edit_history=history)
        stored = message.assign(**changes).to_firestore()
        ref.set({name: stored[name] for name in changes}, merge=True)
        return message, True

    def requeue_failed(self, chat_id: int, message_id: str) -> tuple[str, Message | None]:
        """An agent's retry: ("ok", message), ("missing", None), ("not_failed", message).

        A failed answer goes back to queued and into the outbox; a queued one that was never
        handed to Pub/Sub (its publish failed) is "ok" as it is, to be published now. A
        transaction, so two agents retrying at once queue it once. The reason, the count of
        failed attempts (deliver's stand-in for Pub/Sub's deliveryAttempt) and a dead sender's
        lease start afresh (an agent who retries a `maybe_sent` answer chose to send it again);
        the parts of a split text already sent stay recorded, so deliver sends only the rest.
        `retries` numbers the retry, which keeps its delivery events apart from the first attempt's.
        """
        ref = self.documents.message(chat_id, message_id)

        @firestore.transactional
        def requeue(transaction: firestore.Transaction) -> tuple[str, Message | None]:
            message = _sent_by_the_desk(read(Message, ref.get(transaction=transaction)))
            if message is None:
                return "missing", None
            if message.delivery is not None and message.delivery.state == DeliveryState.QUEUED \
                    and message.published_at is None:
                return "ok", message
            if message.delivery is None or message.delivery.state != DeliveryState.FAILED:
                return "not_failed", message
            delivery = message.delivery.to_firestore()
            for kept_by_the_failure in ("failed_attempts", "sending", "cause"):
                delivery.pop(kept_by_the_failure, None)
            now = time.time()
            delivery.update(state=DeliveryState.QUEUED, reason=None, updated_at=now)
            changes: Fields = {"delivery": delivery, "retries": (message.retries or 0) + 1, "outbox_since": now,
                               "published_at": firestore.DELETE_FIELD}
            transaction.update(ref, changes)
            return "ok", message.assign(**{**changes, "published_at": None})

        return requeue(self.db.transaction())  # type: ignore[no-any-return]


def _sent_by_the_desk(message: Message | None) -> Message | None:
    """An outgoing message that is still there: what an agent may edit, delete or retry."""
    if message is None or message.direction != Direction.OUT or message.deleted:
        return None
    return message
