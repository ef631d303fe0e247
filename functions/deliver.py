"""deliver: send an agent's answer to Telegram once, record its delivery state, announce it.

The stored message is the idempotency record: a redelivered answer that was already sent or
failed is announced again, never sent again. A long answer goes out as several messages
(`teledesk.telegram.outbound.split_text`), each part recorded as it is sent, so a redelivery
sends only the parts still missing. Sends are paced per chat and per process.

Besides answers, `agent-replies` carries the agents' actions on what they sent
(`extra["action"]`): `edit` and `delete` (applied to Telegram, then to the stored message,
once per numbered change), `typing` (a chat action, never stored, never retried) and `read` (a
Telegram Business chat marked read in the account's Telegram, best effort like typing).

In a Telegram Business chat (`extra["business"]`, or the stored answer's, or the conversation's)
every request goes to Telegram's chat with the connection's id (`ChatRoute`): the bot writes as the
account. A file is sent again by kind (copyMessage and forwardMessage take no connection).

Transient Telegram errors raise, so the push subscription retries with backoff; on the last
attempt the subscription allows (`deliveryAttempt` = the manifest's `max_delivery_attempts`)
the answer is marked failed with the reason instead of staying queued while dead-lettered.

Sent once, even when two deliveries of one answer run at once (Pub/Sub redelivers, the relay's
outbox hands an answer over again): each part is claimed in one transaction right before it goes
out (`Answers.claim_part`, a lease of `DESK_SEND_LEASE_S`). A delivery that finds a live lease
leaves the answer to its holder and acks: the holder settles and announces it, or, if it dies,
the relay's outbox hands the answer over again once the lease expired (realtime/outbox.py).
Raising instead would spend the subscription's few attempts while the holder works, and a
dead-lettered message holds up its chat's ordering key. A delivery that finds a lease expired
with its part unrecorded knows that a sender died mid-send, and so does a send whose answer never
came: the answer fails as `maybe_sent`, never resent but by an agent's retry. One request never
outlasts the lease (`TelegramClient`'s `deadline_s`).

Every send goes through this process's one `TelegramClient` for the token and Bot API base
(`_client`), over the process's one `Bot` (`teledesk.telegram.bot`): one getMe per process.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import functions_framework

from teledesk.blobs import blob_store
from teledesk.business import is_business_key
from teledesk.envelope import Envelope, MessageType
from teledesk.logs import configure
from teledesk.model import Delivery, DeliveryState, Media, Message
from teledesk.pipeline import Services, event_step
from teledesk.pubsub import push_body_field
from teledesk.staff import STAFF_TOPIC
from teledesk.store import Store
from teledesk.store.answers import Claim
from teledesk.telegram.client import (
    MAYBE_SENT_REASON,
    ChatRoute,
    ChatTarget,
    DeliveryOutcome,
    FailureCause,
    MediaUpload,
    TelegramClient,
    TransientTelegramError,
)
from teledesk.telegram.outbound import Pacer, split_text

configure("deliver")

FINAL_STATES = (DeliveryState.SENT, DeliveryState.FAILED)
PACER = Pacer()  # this process's budget: ~1 message/s per chat, ~30/s overall
LEASE_MARGIN_S = 5.0
"""Of a sender's lease, what is kept for recording the part once Telegram took it: one request
may take the rest (`TelegramClient`'s `deadline_s`)."""
MIN_REQUEST_DEADLINE_S = 1.0

log = logging.getLogger("teledesk.deliver")
_attempt: contextvars.ContextVar[int | None] = contextvars.ContextVar("delivery_attempt", default=None)


def delivery_attempt(cloud_event: Any) -> int | None:
    """Pub/Sub's `deliveryAttempt` (push body, set when the subscription has a dead-letter policy)."""
    value = push_body_field(cloud_event, "deliveryAttempt")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _max_attempts(services: Services) -> int:
    policy = services.manifest.step("deliver").retry
    return policy.max_delivery_attempts if policy else 5


_clients: dict[tuple[str, str, float], TelegramClient] = {}
_clients_lock = threading.Lock()


def _client(services: Services) -> TelegramClient:
    """This process's client for its token and Bot API base, made once and shared by every
    handler thread (it keeps no state of a send; the pacer and the Bot are thread-safe)."""
    settings = services.settings
    deadline = max(MIN_REQUEST_DEADLINE_S, settings.desk_send_lease_s - LEASE_MARGIN_S)
    key = (settings.telegram_bot_token, settings.telegram_api_base, deadline)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = TelegramClient(key[0], key[1], pacer=PACER, deadline_s=deadline)
        return client


class _Unclaimed(Exception):
    def __init__(self, claim: Claim):
        super().__init__(claim.value)
        self.claim = claim


@dataclass
class _Claims:
    """This delivery's claims on the parts of one answer (`Answers.claim_part`)."""

    store: Store
    chat_id: int
    message_id: str
    lease_s: float
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    holding: bool = False

    def before_part(self, index: int) -> int | None:
        """None: send part `index` now; or the Telegram message id it already became."""
        claimed = self.store.answers.claim_part(self.chat_id, self.message_id, index, self.holder, self.lease_s)
        if claimed.claim is Claim.SEND:
            self.holding = True
            return None
        if claimed.claim is Claim.SENT:
            return claimed.telegram_message_id
        raise _Unclaimed(claimed.claim)

    def before_send(self) -> None:
        self.before_part(0)  # a file is one part

    def release(self) -> None:
        """Telegram said the part did not go out: a later delivery may send it."""
        if self.holding:
            self.store.answers.release_part(self.chat_id, self.message_id, self.holder)
            self.holding = False


def _announce(envelope: Envelope, state: str, reason: str | None, client_id: str | None,
              cause: FailureCause | str | None = None) -> Envelope:
    """An agent's retry of a failed answer carries its number (`retry`), so the relay, which emits
    each state of a message once, emits the retry's outcome too. `cause` (a `FailureCause`) is
    what the metrics count a failure by."""
    delivery = {"chat_id": envelope.chat_id, "client_id": client_id, "message_id": envelope.id, "state": state,
                "reason": reason, "cause": str(cause) if cause else None}
    if envelope.extra.get("retries"):
        delivery["retry"] = int(envelope.extra["retries"])
    envelope.extra["delivery"] = delivery
    return envelope


def _or_failed_on_last_attempt(services: Services, send: Callable[[], DeliveryOutcome],
                               count_failure: Callable[[], int] | None = None,
                               claims: _Claims | None = None) -> DeliveryOutcome:
    """`send()`, or on a transient error: raise for a retry, unless this was the last attempt.

    The attempt number is Pub/Sub's `deliveryAttempt`; the Pub/Sub emulator's push body does not
    carry it (measured), so without it `count_failure()` (the answer's own count of failed
    attempts, kept on the stored message) stands in for it. A transient error is one Telegram
    did not carry out (an ambiguous one is settled as `maybe_sent` by the client), so the part
    claimed is released for the next attempt.
    """
    try:
        return send()
    except TransientTelegramError as exc:
        if claims is not None:
            claims.release()
        attempt = _attempt.get()
        if attempt is None and count_failure is not None:
            attempt = count_failure()
        if attempt is None or attempt < _max_attempts(services):
            log.warning("deliver: attempt %s failed, Pub/Sub will retry: %s", attempt, exc)
            raise
        log.warning("deliver: last attempt (%s) failed, giving up: %s", attempt, exc)
        return DeliveryOutcome("failed", f"Telegram did not take it after {attempt} attempts: {exc}", exc.cause)


@event_step("deliver")
def _deliver(envelope: Envelope, services: Services) -> Envelope | None:
    if envelope.type not in (MessageType.AGENT, MessageType.BOT):
        return None  # agents' and the bot's answers only, whatever the subscription lets through
    action = envelope.extra.get("action")
    if action == "typing":
        _typing(envelope, services)
        return None
    if action == "read":
        _read(envelope, services)
        return None
    if action == "answer_callback":
        _answer_callback(envelope, services)
        return None
    if action in ("edit", "delete"):
        return _change(envelope, services, action)
    return _send(envelope, services)


@functions_framework.cloud_event
def deliver(cloud_event: Any) -> None:
    token = _attempt.set(delivery_attempt(cloud_event))
    try:
        _deliver(cloud_event)
    finally:
        _attempt.reset(token)


def _route(envelope: Envelope, services: Services, stored: Message | None = None) -> ChatTarget:
    """Where the requests for this envelope go: its chat with the bot, or a business chat through
    its connection (the envelope's `business`, the stored message's, else the conversation's)."""
    business = envelope.extra.get("business") or ((stored.model_extra or {}).get("business") if stored else None)
    if not isinstance(business, dict) and is_business_key(envelope.chat_id):
        conversation = services.store.conversations.get(envelope.chat_id)
        business = conversation.business.wire() if conversation is not None and conversation.business else None
    if not isinstance(business, dict):
        return envelope.chat_id
    return ChatRoute(int(business["chat_id"]), str(business["connection_id"]))


# -- answers --------------------------------------------------------------------------------------------

def _send(envelope: Envelope, services: Services) -> Envelope | None:
    store = services.store
    stored = store.messages.get(envelope.chat_id, envelope.id)
    if stored is None:
        return None  # the relay stores before it publishes: an unknown id is not ours to send
    delivery = stored.delivery or Delivery(state=DeliveryState.QUEUED)
    if delivery.state not in FINAL_STATES:
        claims = _Claims(store, envelope.chat_id, envelope.id, services.settings.desk_send_lease_s)
        try:
            outcome = _outcome(envelope, services, stored, delivery, claims)
        except _Unclaimed as unclaimed:
            if unclaimed.claim is Claim.BUSY:
                log.info("deliver: %s is being sent by another delivery; left to it", envelope.id)
                return None
            if unclaimed.claim is Claim.SETTLED:
                return _announce_settled(envelope, services)
            log.warning("deliver: %s was being sent by a delivery that died; not sent again", envelope.id)
            outcome = DeliveryOutcome("failed", MAYBE_SENT_REASON, FailureCause.MAYBE_SENT)
        if is_business_key(envelope.chat_id):
            outcome = outcome.in_business_chat()
        store.answers.settle(envelope.chat_id, envelope.id, outcome.state, outcome.reason,
                              outcome.telegram_message_ids, outcome.file_id, outcome.cause)
        if outcome.blocked:
            store.conversations.flag_blocked(envelope.chat_id, True)
            conversation = store.conversations.get(envelope.chat_id)
            if conversation is not None:
                envelope.extra["conversation"] = conversation.wire()
        delivery = Delivery(state=outcome.state, reason=outcome.reason, cause=outcome.cause)
    if _shown_once_settled(envelope, stored):
        settled = store.messages.get(envelope.chat_id, envelope.id)
        envelope.extra["message"] = settled.wire() if settled is not None else None
    return _announce(envelope, delivery.state, delivery.reason, envelope.extra.get("client_id"), delivery.cause)


def _shown_once_settled(envelope: Envelope, message: Message) -> bool:
    """Whether the consoles are shown this answer by its delivery (`extra["message"]`). The relay
    shows agents' answers when they queue them; the bot's and those written in a staff topic once
    they are settled, and an uploaded file again once Telegram has it (its file_id gives the
    consoles a URL for it)."""
    return envelope.type == MessageType.BOT or message.media is not None or envelope.extra.get("source") == STAFF_TOPIC


def _announce_settled(envelope: Envelope, services: Services) -> Envelope | None:
    """Another delivery settled the answer while this one looked: announce what it became."""
    settled = services.store.messages.get(envelope.chat_id, envelope.id)
    if settled is None or settled.delivery is None or settled.delivery.state not in FINAL_STATES:
        return None
    if _shown_once_settled(envelope, settled):
        envelope.extra["message"] = settled.wire()
    delivery = settled.delivery
    return _announce(envelope, delivery.state, delivery.reason, envelope.extra.get("client_id"), delivery.cause)


def _outcome(envelope: Envelope, services: Services, stored: Message, delivery: Delivery,
             claims: _Claims) -> DeliveryOutcome:
    """Send what is still to send of a queued answer, each part claimed first."""
    store = services.store
    reply_to = (envelope.extra.get("reply_to") or {}).get("telegram_message_id")

    def count_failure() -> int:
        return store.answers.count_failed_attempt(envelope.chat_id, envelope.id)
    route = _route(envelope, services, stored)
    media = stored.media or (Media.model_validate(envelope.media) if envelope.media else None)
    if media is not None and media.kind:
        kind = media.kind
        return _or_failed_on_last_attempt(
            services, lambda: _send_media(envelope, services, media, kind, reply_to, claims, route), count_failure,
            claims)
    parts = split_text(envelope.text)
    already = {int(k): v for k, v in (delivery.parts or {}).items()}
    row = stored.model_extra.get("buttons") if stored.model_extra else None  # one row of inline buttons
    buttons = [row] if row else None
    return _or_failed_on_last_attempt(services, lambda: _client(services).send_parts(
        route, parts, already_sent=already, reply_to=reply_to, buttons=buttons,
        before_part=claims.before_part,
        on_part_sent=lambda i, mid: store.answers.record_sent_part(envelope.chat_id, envelope.id, i, mid)),
        count_failure, claims)


def _send_media(envelope: Envelope, services: Services, media: Media, kind: str,
                reply_to: int | None, claims: _Claims, route: ChatTarget) -> DeliveryOutcome:
    upload = MediaUpload(kind=kind, file_id=media.file_id, filename=media.filename or "file",
                         caption=envelope.text or "")
    if upload.file_id is None:
        try:
            if media.blob is None:
                raise KeyError("an upload without a blob")
            upload.data = blob_store().get(media.blob)
        except (KeyError, ValueError):
            return DeliveryOutcome("failed", "the uploaded file is no longer stored", FailureCause.FILE_GONE)
    outcome = _client(services).send_media(route, upload, reply_to=reply_to,
                                           before_send=claims.before_send)
    if outcome.file_id and not media.file_id:
        services.store.answers.record_file_id(envelope.chat_id, envelope.id, outcome.file_id)  # a re-send reuses it
    return outcome


# -- edits, deletes, typing -------------------------------------------------------------------------------

def _change(envelope: Envelope, services: Services, action: str) -> Envelope | None:
    target_id, revision = str(envelope.extra.get("target") or ""), int(envelope.extra.get("revision") or 0)
    store = services.store
    target = store.messages.get(envelope.chat_id, target_id) if target_id else None
    if target is None or revision < 1:
        return None
    if (target.revision or 0) >= revision:  # applied before: announce again only
        envelope.extra["message"] = target.wire()
        return _announce(envelope, "sent", None, None)
    delivery = target.delivery
    ids = list(delivery.telegram_message_ids or []) if delivery is not None else []
    if not ids and delivery is not None and delivery.telegram_message_id is not None:
        ids = [delivery.telegram_message_id]
    if not ids:
        return _announce(envelope, "failed", "the message was never sent", None, FailureCause.NOT_SENT)
    client, route = _client(services), _route(envelope, services, target)
    if action == "edit":
        caption = target.media is not None
        outcome = _or_failed_on_last_attempt(services, lambda: client.edit_text(route, ids[0], envelope.text,
                                                                               caption=caption))
    else:
        outcome = _or_failed_on_last_attempt(services, lambda: client.delete(route, ids))
    if outcome.state == "sent":
        changed, _ = store.answers.apply_change(envelope.chat_id, target_id, revision, text=envelope.text,
                                        deleted=action == "delete")
        if changed is not None:
            envelope.extra["message"] = changed.wire()
    return _announce(envelope, outcome.state, outcome.reason, None, outcome.cause)


def _typing(envelope: Envelope, services: Services) -> None:
    """Best effort: a chat action shows for 5 s, so a late or failed one is not worth a retry."""
    try:
        _client(services).send_chat_action(_route(envelope, services), "typing")
    except TransientTelegramError as exc:
        log.info("deliver: typing not shown: %s", exc)


def _read(envelope: Envelope, services: Services) -> None:
    """readBusinessMessage for a business chat an agent read: best effort, like typing (the next
    read marks it again)."""
    route, message_id = _route(envelope, services), envelope.extra.get("telegram_message_id")
    if not isinstance(route, ChatRoute) or route.business_connection_id is None or not isinstance(message_id, int):
        return
    try:
        outcome = _client(services).read_business_message(route, message_id)
    except TransientTelegramError as exc:
        log.info("deliver: the chat not marked read in Telegram: %s", exc)
        return
    if outcome.state != DeliveryState.SENT:
        log.info("deliver: the chat not marked read in Telegram: %s", outcome.reason)


def _answer_callback(envelope: Envelope, services: Services) -> None:
    """answerCallbackQuery (autoreply's answer to a button press): best effort, like typing;
    Telegram stops showing the button's spinner by itself after a while."""
    query_id = envelope.extra.get("callback_query_id")
    if not query_id:
        return
    try:
        _client(services).answer_callback_query(str(query_id), envelope.text or None)
    except TransientTelegramError as exc:
        log.info("deliver: callback query not answered: %s", exc)
