"""functions/deliver.py: send an agent's answer once, record its delivery state, announce it.

The second half runs deliver through the real `TelegramClient`, with python-telegram-bot's `Bot`
patched at its network methods, to pin how Telegram's errors become delivery outcomes.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dtm
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import flask
import httpx
import pytest
import telegram
from step_fakes import CHAT, FakeStore, envelope_event, push_event
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import functions.deliver
import teledesk.telegram.client
from functions.deliver import deliver, delivery_attempt
from teledesk.blobs import LocalBlobStore
from teledesk.business import conversation_key
from teledesk.envelope import Envelope, MessageType
from teledesk.manifest import load_manifest
from teledesk.model import DeliveryState, Message
from teledesk.pipeline import Services
from teledesk.settings import Settings
from teledesk.store.answers import Claim, PartClaim
from teledesk.telegram.client import (
    BLOCKED_REASON,
    MAYBE_SENT_REASON,
    TOKEN_REASON,
    DeliveryOutcome,
    FailureCause,
    TransientTelegramError,
)
from teledesk.telegram.outbound import Pacer

OUT = "deliveries"
CLIENT_ID = "c0ffee-42_ab"
MESSAGE_ID = f"agent-{CLIENT_ID}"


def answer(text: str = "Hola, Ana") -> Envelope:
    """What the relay publishes on agent-replies."""
    return Envelope(id=MESSAGE_ID, type=MessageType.AGENT, chat_id=CHAT, date=int(time.time()), text=text,
                    extra={"client_id": CLIENT_ID, "agent": {"username": "admin", "name": "Admin"}}).stamp("relay")


class OutboundStore(FakeStore):
    """step_fakes.FakeStore plus the Store methods deliver uses for issue 3, same semantics."""

    def claim_part(self, chat_id: int, message_id: str, part: int, holder: str, lease_s: float) -> PartClaim:
        self.claims.append((message_id, part, holder))
        delivery = self.chat_messages[chat_id][message_id].setdefault("delivery", {"state": "queued"})
        if delivery.get("state") in ("sent", "failed"):
            return PartClaim(Claim.SETTLED)
        parts = delivery.get("parts") or {}
        if str(part) in parts:
            return PartClaim(Claim.SENT, parts[str(part)])
        lease = delivery.get("sending")
        if lease is not None and lease["holder"] != holder and str(lease["part"]) not in parts:
            return PartClaim(Claim.BUSY if lease["until"] > time.time() else Claim.MAYBE_SENT)
        delivery["sending"] = {"holder": holder, "part": part, "until": time.time() + lease_s}
        return PartClaim(Claim.SEND)

    def release_part(self, chat_id: int, message_id: str, holder: str) -> None:
        delivery = self.chat_messages[chat_id][message_id]["delivery"]
        if (delivery.get("sending") or {}).get("holder") == holder:
            delivery.pop("sending")

    def record_sent_part(self, chat_id: int, message_id: str, index: int, telegram_message_id: int) -> None:
        delivery = self.chat_messages[chat_id][message_id].setdefault("delivery", {})
        delivery.setdefault("parts", {})[str(index)] = telegram_message_id

    def settle_delivery(self, chat_id: int, message_id: str, state: str, reason: str | None = None,
                        telegram_message_ids: Any = (), file_id: str | None = None,
                        cause: str | None = None) -> None:
        assert state in list(DeliveryState)
        self.causes.append(cause)
        ids = list(telegram_message_ids)
        self.delivery_writes.append((chat_id, message_id, state, reason, ids[0] if ids else None))
        message = self.chat_messages.setdefault(chat_id, {}).setdefault(message_id, {})
        delivery = {**message.get("delivery", {}), "state": state, "reason": reason, "updated_at": time.time()}
        delivery.pop("sending", None)
        message.pop("outbox_since", None)
        if ids:
            delivery.update(telegram_message_id=ids[0], telegram_message_ids=ids)
        message["delivery"] = delivery
        if file_id:
            self.record_file_id(chat_id, message_id, file_id)

    def count_failed_attempt(self, chat_id: int, message_id: str) -> int:
        delivery = self.chat_messages[chat_id][message_id].setdefault("delivery", {})
        delivery["failed_attempts"] = delivery.get("failed_attempts", 0) + 1
        return delivery["failed_attempts"]

    def record_file_id(self, chat_id: int, message_id: str, file_id: str) -> None:
        message = self.chat_messages[chat_id][message_id]
        message["media"] = {**(message.get("media") or {}), "file_id": file_id}

    def flag_blocked(self, chat_id: int, blocked: bool) -> None:
        self.chats.setdefault(chat_id, {"chat_id": chat_id, "status": "open"})["blocked"] = blocked

    def apply_change(self, chat_id: int, message_id: str, revision: int, *, text: str | None = None,
                     deleted: bool = False) -> tuple[Message | None, bool]:
        message = self.chat_messages.get(chat_id, {}).get(message_id)
        if message is None:
            return None, False
        if int(message.get("revision") or 0) >= revision:
            return Message.from_firestore(copy.deepcopy(message)), False
        message["revision"] = revision
        if deleted:
            message["deleted"] = True
        else:
            message.setdefault("edit_history", []).append({"text": message.get("text", "")})
            message.update(text=text, edited=time.time())
        return Message.from_firestore(copy.deepcopy(message)), True

    def __init__(self) -> None:
        super().__init__()
        self.claims: list[tuple[str, int, str]] = []
        self.answers.__dict__.update(
            record_sent_part=self.record_sent_part, settle=self.settle_delivery, apply_change=self.apply_change,
            count_failed_attempt=self.count_failed_attempt, record_file_id=self.record_file_id,
            claim_part=self.claim_part, release_part=self.release_part)
        self.conversations.flag_blocked = self.flag_blocked


@pytest.fixture
def svc(svc: Services) -> Services:
    svc.store = OutboundStore()
    return svc


@pytest.fixture(autouse=True)
def _no_pacing_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(functions.deliver, "PACER", Pacer(per_chat=1e9, overall=1e9))
    monkeypatch.setattr(functions.deliver, "_clients", {})  # each test makes the process's client afresh


@dataclass
class FakeTelegram:
    """Replaces `functions.deliver.TelegramClient`: records what would have reached Telegram."""

    outcome: DeliveryOutcome | Exception = field(default_factory=lambda: DeliveryOutcome("sent",
                                                                                         telegram_message_id=99))
    clients: list[tuple[str, str]] = field(default_factory=list)
    sent: list[tuple[int, str]] = field(default_factory=list)
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    fail_at_part: int | None = None
    next_id: int = 99

    def __call__(self, token: str, api_base: str, **kwargs: Any) -> FakeTelegram:
        self.clients.append((token, api_base))
        return self

    def _result(self) -> DeliveryOutcome:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def send_parts(self, chat_id: int, parts: list[str], *, already_sent: dict[int, int] | None = None,
                   on_part_sent: Any = None, reply_to: int | None = None, buttons: Any = None,
                   before_part: Any = None) -> DeliveryOutcome:
        done = dict(already_sent or {})
        self.calls.append(("send_parts", reply_to, dict(done)))
        if buttons:
            self.calls.append(("buttons", buttons))
        for index, text in enumerate(parts):
            if index in done:
                continue
            known = before_part(index) if before_part is not None else None
            if known is not None:
                done[index] = known
                continue
            if self.fail_at_part == index:
                raise TransientTelegramError("Internal Server Error")
            self.sent.append((chat_id, text))
            if isinstance(self.outcome, Exception) or self.outcome.state != "sent":
                return self._result()
            done[index] = self.next_id + index
            if on_part_sent:
                on_part_sent(index, done[index])
        ids = tuple(done[i] for i in range(len(parts)))
        return DeliveryOutcome("sent", telegram_message_id=ids[0], telegram_message_ids=ids)

    def send_media(self, chat_id: int, media: Any, reply_to: int | None = None,
                   before_send: Any = None) -> DeliveryOutcome:
        if before_send is not None:
            before_send()
        self.calls.append(("send_media", media.kind, media.file_id, media.data, media.caption))
        self._result()
        return DeliveryOutcome("sent", telegram_message_id=5, telegram_message_ids=(5,),
                               file_id=media.file_id or "FILE-ID-1")

    def edit_text(self, chat_id: int, telegram_message_id: int, text: str, caption: bool = False) -> DeliveryOutcome:
        self.calls.append(("edit_caption" if caption else "edit_text", telegram_message_id, text))
        return self._result()

    def delete(self, chat_id: int, telegram_message_ids: Any) -> DeliveryOutcome:
        self.calls.append(("delete", list(telegram_message_ids)))
        return self._result()

    def answer_callback_query(self, callback_query_id: str, text: str | None = None) -> DeliveryOutcome:
        self.calls.append(("answer_callback_query", callback_query_id, text))
        return self._result()

    def send_chat_action(self, chat_id: int, action: str = "typing") -> DeliveryOutcome:
        self.calls.append(("send_chat_action", action))
        return self._result()


@pytest.fixture
def telegram_api(monkeypatch: pytest.MonkeyPatch) -> FakeTelegram:
    fake = FakeTelegram()
    monkeypatch.setattr(functions.deliver, "TelegramClient", fake)
    return fake


def attempt_event(envelope: Envelope, attempt: int) -> Any:
    """A push delivery whose CloudEvent data carries `deliveryAttempt`."""
    event = envelope_event(envelope)
    event.data["deliveryAttempt"] = attempt
    return event


def announced(svc: Services) -> list[dict[str, Any]]:
    return [envelope["delivery"] for envelope in svc.publisher.on(OUT)]


# -- with a fake Telegram client -----------------------------------------------------------------------

def test_a_queued_answer_is_sent_once_recorded_and_announced(svc: Services, telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer("Hola, Ana")))
    assert telegram_api.clients == [(svc.settings.telegram_bot_token, svc.settings.telegram_api_base)]
    assert telegram_api.sent == [(CHAT, "Hola, Ana")]
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "sent", None, 99)]
    [(topic, envelope, attributes)] = svc.publisher.published
    assert topic == OUT == svc.manifest.step("deliver").topic_out
    assert envelope["delivery"] == {"chat_id": CHAT, "client_id": CLIENT_ID, "message_id": MESSAGE_ID,
                                    "state": "sent", "reason": None, "cause": None}
    assert (envelope["id"], envelope["text"], envelope["agent"]["username"]) == (MESSAGE_ID, "Hola, Ana", "admin")
    assert list(envelope["trace"]) == ["relay", "deliver", "deliver:out"]
    assert attributes["type"] == "AGENT"


def test_a_failed_send_is_recorded_and_announced_with_its_reason(svc: Services, telegram_api: FakeTelegram):
    telegram_api.outcome = DeliveryOutcome("failed", BLOCKED_REASON, FailureCause.BLOCKED)
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["state"] == "failed"
    assert announced(svc) == [{"chat_id": CHAT, "client_id": CLIENT_ID, "message_id": MESSAGE_ID,
                               "state": "failed", "reason": BLOCKED_REASON, "cause": "blocked"}]


def test_a_redelivered_answer_is_announced_again_but_not_sent_again(svc: Services, telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())
    event = envelope_event(answer())
    deliver(event)
    deliver(event)
    assert len(telegram_api.sent) == 1
    assert [d["state"] for d in announced(svc)] == ["sent", "sent"]  # the relay shows it once


def test_a_bot_answer_is_announced_with_its_stored_message_an_agents_without(svc: Services,
                                                                            telegram_api: FakeTelegram):
    bot_answer = Envelope(id="bot-start-1", type=MessageType.BOT, chat_id=CHAT, date=1, text="¡Hola, Ana!")
    svc.store.add_outbound(bot_answer)
    svc.store.add_outbound(answer())
    deliver(envelope_event(bot_answer))
    deliver(envelope_event(answer()))
    bots, agents = svc.publisher.on(OUT)
    assert bots["message"]["id"] == "bot-start-1" and bots["message"]["delivery"]["state"] == "sent"
    assert "message" not in agents  # the relay showed the agent's answer when it was queued


def test_an_uploaded_file_is_announced_again_with_the_file_id_telegram_gave_it(svc: Services,
                                                                               telegram_api: FakeTelegram):
    upload = answer("Su recibo")
    upload.media = {"kind": "photo", "file_id": "F-1", "filename": "recibo.png"}
    svc.store.add_outbound(upload)
    deliver(envelope_event(upload))
    [announced_upload] = svc.publisher.on(OUT)
    assert announced_upload["message"]["media"]["file_id"] == "F-1"


@pytest.mark.parametrize(("state", "reason"), [("sent", None), ("failed", BLOCKED_REASON)])
def test_an_answer_already_settled_is_not_sent_but_announced(svc: Services, telegram_api: FakeTelegram,
                                                             state: str, reason: str | None):
    svc.store.add_outbound(answer(), state, reason)
    deliver(envelope_event(answer()))
    assert telegram_api.sent == []
    assert svc.store.delivery_writes == []
    assert [(d["state"], d["reason"]) for d in announced(svc)] == [(state, reason)]


def test_an_unknown_message_id_is_neither_sent_nor_announced(svc: Services, telegram_api: FakeTelegram):
    assert deliver(envelope_event(answer())) is None
    assert telegram_api.sent == []
    assert svc.publisher.published == [] and svc.publisher.raw == []


def test_a_transient_telegram_error_propagates_so_pubsub_retries(svc: Services, telegram_api: FakeTelegram):
    telegram_api.outcome = TransientTelegramError("Telegram asks to wait 0:00:03")
    svc.store.add_outbound(answer())
    with pytest.raises(TransientTelegramError):
        deliver(envelope_event(answer()))
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["state"] == "queued"  # the retry will send
    assert svc.publisher.published == []
    telegram_api.outcome = DeliveryOutcome("sent", telegram_message_id=100)
    deliver(envelope_event(answer()))
    assert len(telegram_api.sent) == 2
    assert [d["state"] for d in announced(svc)] == ["sent"]


@pytest.mark.parametrize("kind", [MessageType.CLIENT, MessageType.UPDATE])
def test_a_message_the_subscription_filter_excludes_is_not_sent(svc: Services, telegram_api: FakeTelegram,
                                                                kind: str):
    envelope = answer()
    svc.store.add_outbound(envelope)
    envelope.type = kind
    deliver(envelope_event(envelope))
    assert telegram_api.sent == []
    assert svc.publisher.published == []


def test_an_unreadable_answer_is_parked_and_not_sent(svc: Services, telegram_api: FakeTelegram):
    deliver(push_event(b"agent says hi", {"type": "AGENT"}))
    assert telegram_api.sent == []
    assert [(topic, data) for topic, data, _ in svc.publisher.raw] == [("deliver-dead-letter", b"agent says hi")]


# -- through the real TelegramClient, python-telegram-bot's Bot patched at the network ----------------------

@pytest.fixture
def bot(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Patches Bot's network methods; set `.error` to have send_message raise it."""
    calls = SimpleNamespace(error=None, errors=[], sent=[], base_urls=[], kwargs=[], waits=[])

    async def no_network(self: telegram.Bot) -> None:
        return None

    async def send_message(self: telegram.Bot, chat_id: int, text: str, **kwargs: Any) -> SimpleNamespace:
        calls.base_urls.append(self.base_url)
        calls.kwargs.append(kwargs)
        if calls.errors:
            raise calls.errors.pop(0)
        if calls.error is not None:
            raise calls.error
        calls.sent.append((chat_id, text))
        return SimpleNamespace(message_id=321 + len(calls.sent) - 1)

    async def no_wait(seconds: float) -> None:
        calls.waits.append(seconds)

    monkeypatch.setattr(teledesk.telegram.client, "wait", no_wait)

    monkeypatch.setattr(telegram.Bot, "initialize", no_network)
    monkeypatch.setattr(telegram.Bot, "shutdown", no_network)
    monkeypatch.setattr(telegram.Bot, "send_message", send_message)
    return calls


def test_the_real_client_sends_to_the_configured_api_base(svc: Services, bot: SimpleNamespace):
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer("¿Algo más?")))
    assert bot.sent == [(CHAT, "¿Algo más?")]
    # `{TELEGRAM_API_BASE}/bot{token}/{method}`: the stand-in and Telegram differ only in the base.
    assert bot.base_urls == [f"{svc.settings.telegram_api_base}/bot{svc.settings.telegram_bot_token}"]
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "sent", None, 321)]
    assert announced(svc)[0]["state"] == "sent"


@pytest.mark.parametrize(("error", "reason", "cause"), [
    (Forbidden("Forbidden: bot was blocked by the user"), BLOCKED_REASON, "blocked"),
    (BadRequest("Chat not found"), "Chat not found", "bad_request"),
    (BadRequest("Message is too long"), "Message is too long", "bad_request"),
    (telegram.error.InvalidToken("Unauthorized"), TOKEN_REASON, "token_refused"),
])
def test_what_telegram_refuses_for_good_is_a_failed_delivery(svc: Services, bot: SimpleNamespace,
                                                             error: Exception, reason: str, cause: str):
    bot.error = error
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))  # no exception: a retry would be refused again
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "failed", reason, None)]
    assert svc.store.causes == [cause]
    assert [(d["state"], d["reason"], d["cause"]) for d in announced(svc)] == [("failed", reason, cause)]


# PTB 22 warns when RetryAfter is made or read (its retry_after turns into a timedelta in v23).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("make_error", [
    lambda: RetryAfter(dtm.timedelta(seconds=60)),
    lambda: timed_out(httpx.ConnectTimeout("connect")),
    lambda: timed_out(httpx.PoolTimeout("pool")),
    lambda: NetworkError("Bad Gateway"),
    lambda: network_error(httpx.ConnectError("refused")),
    lambda: telegram.error.TelegramError("Internal Server Error"),
], ids=["429-long-retry-after", "connect-timeout", "pool-timeout", "5xx", "connection-refused", "other"])
def test_what_may_succeed_later_is_a_transient_error(svc: Services, bot: SimpleNamespace, make_error):
    bot.error = error = make_error()
    svc.store.add_outbound(answer())
    with pytest.raises(TransientTelegramError) as raised:
        deliver(envelope_event(answer()))
    assert raised.value.__cause__ is error
    expected = {RetryAfter: "too_many_requests", TimedOut: "timeout"}.get(type(error), "unavailable")
    assert raised.value.cause == expected
    assert svc.store.delivery_writes == []
    assert svc.publisher.published == []
    assert "sending" not in svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]  # released for the retry


def timed_out(cause: Exception) -> TimedOut:
    """PTB's TimedOut as its HTTPXRequest raises it: httpx's timeout as the cause."""
    error = TimedOut()
    error.__cause__ = cause
    return error


def network_error(cause: Exception) -> NetworkError:
    """PTB's NetworkError as its HTTPXRequest raises it: httpx's transport error as the cause."""
    error = NetworkError(f"httpx.{type(cause).__name__}: {cause}")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize("make_error", [
    lambda: timed_out(httpx.ReadTimeout("read")),
    lambda: timed_out(httpx.WriteTimeout("write")),
    TimedOut,
    lambda: network_error(httpx.ReadError("connection reset by peer")),
    lambda: network_error(httpx.WriteError("broken pipe")),
    lambda: network_error(httpx.RemoteProtocolError("Server disconnected without sending a response.")),
], ids=["read-timeout", "write-timeout", "no-cause", "read-error", "write-error", "server-disconnected"])
def test_a_send_whose_answer_never_came_is_maybe_sent_and_never_resent(svc: Services, bot: SimpleNamespace,
                                                                      make_error: Callable[[], Exception]):
    bot.error = make_error()
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))  # no exception: Pub/Sub must not send it again
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "failed", MAYBE_SENT_REASON, None)]
    assert svc.store.causes == ["maybe_sent"]
    bot.error = None
    deliver(envelope_event(answer()))  # a redelivery announces, never sends
    assert bot.sent == [] and len(bot.kwargs) == 1


def test_a_request_past_the_deadline_is_abandoned_as_maybe_sent(svc: Services, bot: SimpleNamespace,
                                                                monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(functions.deliver, "LEASE_MARGIN_S", svc.settings.desk_send_lease_s - 0.2)
    monkeypatch.setattr(functions.deliver, "MIN_REQUEST_DEADLINE_S", 0.2)

    async def hangs(self: telegram.Bot, chat_id: int, text: str, **kwargs: Any) -> None:
        await asyncio.sleep(30)  # a Bot API that never answers

    monkeypatch.setattr(telegram.Bot, "send_message", hangs)
    svc.store.add_outbound(answer())
    started = time.monotonic()
    deliver(envelope_event(answer()))
    assert time.monotonic() - started < 5
    assert svc.store.causes == ["maybe_sent"]


def test_a_live_lease_of_another_delivery_sends_nothing_and_leaves_the_answer_to_it(svc: Services,
                                                                                    telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())
    svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["sending"] = {
        "holder": "another delivery", "part": 0, "until": time.time() + 60}
    deliver(envelope_event(answer()))  # acked: the holder announces it, or the outbox hands it over if it dies
    assert telegram_api.sent == [] and svc.store.delivery_writes == [] and announced(svc) == []


def test_a_lease_that_expired_mid_send_fails_the_answer_as_maybe_sent_without_sending(svc: Services,
                                                                                     telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())
    svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["sending"] = {
        "holder": "a delivery that died", "part": 0, "until": time.time() - 1}
    deliver(envelope_event(answer()))
    assert telegram_api.sent == []
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "failed", MAYBE_SENT_REASON, None)]
    assert [(d["state"], d["cause"]) for d in announced(svc)] == [("failed", "maybe_sent")]


def test_a_sender_that_died_after_recording_its_part_is_taken_over(svc: Services, telegram_api: FakeTelegram):
    svc.store.add_outbound(answer(" ".join(["palabra"] * 600)))  # 2 parts
    delivery = svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]
    delivery.update(parts={"0": 40}, sending={"holder": "a delivery that died", "part": 0, "until": time.time() - 1})
    deliver(envelope_event(answer(" ".join(["palabra"] * 600))))
    assert len(telegram_api.sent) == 1  # part 1 only: part 0 is known to have gone out
    assert svc.store.delivery_writes[-1][2] == "sent"


def test_an_answer_settled_while_this_delivery_waited_is_announced_not_sent(svc: Services,
                                                                           telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())

    def settled_meanwhile(*args: Any) -> PartClaim:
        svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"].update(state="sent", telegram_message_id=7)
        return PartClaim(Claim.SETTLED)

    svc.store.answers.claim_part = settled_meanwhile
    deliver(envelope_event(answer()))
    assert telegram_api.sent == []
    assert [d["state"] for d in announced(svc)] == ["sent"]


def test_each_part_is_claimed_before_it_is_sent(svc: Services, telegram_api: FakeTelegram):
    text = " ".join(["palabra"] * 600)
    svc.store.add_outbound(answer(text))
    deliver(envelope_event(answer(text)))
    assert [(part, len(holder)) for _, part, holder in svc.store.claims] == [(0, 32), (1, 32)]
    assert len({holder for _, _, holder in svc.store.claims}) == 1  # one delivery, one holder


def test_the_process_makes_one_client_for_every_send(svc: Services, telegram_api: FakeTelegram):
    for n in range(3):
        envelope = answer(f"respuesta {n}")
        envelope.id = f"agent-{n}"
        svc.store.add_outbound(envelope)
        deliver(envelope_event(envelope))
    assert len(telegram_api.sent) == 3 and len(telegram_api.clients) == 1


# -- issue 3: outcomes, the last attempt, splitting, pacing, edits, typing, media ---------------------------

@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_short_429_is_waited_out_and_the_answer_sent_exactly_once(svc: Services, bot: SimpleNamespace):
    bot.errors = [RetryAfter(dtm.timedelta(seconds=2))]
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))
    assert bot.waits == [2.0]
    assert bot.sent == [(CHAT, "Hola, Ana")]
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "sent", None, 321)]


def test_a_403_flags_the_conversation_blocked_and_announces_it(svc: Services, bot: SimpleNamespace):
    bot.error = Forbidden("Forbidden: bot was blocked by the user")
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))
    [envelope] = svc.publisher.on(OUT)
    assert (envelope["delivery"]["state"], envelope["delivery"]["reason"]) == ("failed", BLOCKED_REASON)
    assert envelope["conversation"]["blocked"] is True
    assert svc.store.chats[CHAT]["blocked"] is True


def test_a_refused_token_is_a_failed_delivery_with_a_plain_reason(svc: Services, bot: SimpleNamespace):
    bot.error = telegram.error.InvalidToken("Unauthorized")
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))
    assert announced(svc)[0]["reason"] == TOKEN_REASON


def test_a_transient_error_on_the_last_attempt_fails_the_answer_instead_of_leaving_it_queued(
        svc: Services, telegram_api: FakeTelegram):
    telegram_api.outcome = TransientTelegramError("Internal Server Error", FailureCause.TIMEOUT)
    svc.store.add_outbound(answer())
    last = svc.manifest.step("deliver").retry.max_delivery_attempts
    with pytest.raises(TransientTelegramError):
        deliver(attempt_event(answer(), last - 1))
    deliver(attempt_event(answer(), last))
    [delivery] = announced(svc)
    assert (delivery["state"], delivery["cause"]) == ("failed", "timeout")
    assert "Internal Server Error" in delivery["reason"] and str(last) in delivery["reason"]


def test_delivery_attempt_is_read_from_the_event_or_from_the_push_body():
    assert delivery_attempt(attempt_event(answer(), 3)) == 3
    assert delivery_attempt(envelope_event(answer())) is None
    app = flask.Flask("t")
    # functions-framework keeps only `message` in the CloudEvent data; the push body has the rest.
    with app.test_request_context(json={"message": {}, "subscription": "s", "deliveryAttempt": 4}):
        assert delivery_attempt(envelope_event(answer())) == 4


def test_a_long_answer_goes_out_in_order_as_several_messages(svc: Services, telegram_api: FakeTelegram):
    text = " ".join(f"w{i:04d}" for i in range(2000))  # 12,000 characters
    svc.store.add_outbound(answer(text))
    deliver(envelope_event(answer(text)))
    parts = [t for _, t in telegram_api.sent]
    assert len(parts) == 3 and " ".join(parts) == text
    assert all(len(p) <= 4096 for p in parts)
    stored = svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]
    assert stored["telegram_message_ids"] == [99, 100, 101] and stored["state"] == "sent"


def test_a_redelivery_after_part_two_of_three_sends_only_part_three(svc: Services, telegram_api: FakeTelegram):
    text = " ".join(f"w{i:04d}" for i in range(2000))
    svc.store.add_outbound(answer(text))
    telegram_api.fail_at_part = 2
    with pytest.raises(TransientTelegramError):
        deliver(envelope_event(answer(text)))
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["parts"] == {"0": 99, "1": 100}
    telegram_api.fail_at_part = None
    deliver(envelope_event(answer(text)))
    assert len(telegram_api.sent) == 3  # parts 1 and 2 once, then part 3
    assert telegram_api.calls[-1] == ("send_parts", None, {0: 99, 1: 100})
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["telegram_message_ids"] == [99, 100, 101]


def test_reply_to_quotes_the_customer_message(svc: Services, bot: SimpleNamespace):
    envelope = answer()
    envelope.extra["reply_to"] = {"message_id": f"tg-{CHAT}-7", "telegram_message_id": 7}
    svc.store.add_outbound(envelope)
    deliver(envelope_event(envelope))
    assert bot.kwargs[0]["reply_parameters"].message_id == 7


def sent_answer(svc: Services, ids: list[int]) -> None:
    svc.store.add_outbound(answer(), "sent")
    svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"].update(telegram_message_id=ids[0], telegram_message_ids=ids)


def change(action: str, n: int, text: str = "") -> Envelope:
    return Envelope(id=f"{action}-{MESSAGE_ID}-{n}", type=MessageType.AGENT, chat_id=CHAT, date=1, text=text,
                    extra={"action": action, "target": MESSAGE_ID, "revision": n})


def test_an_edit_is_applied_once_and_announced_with_the_new_state(svc: Services, telegram_api: FakeTelegram):
    sent_answer(svc, [99])
    deliver(envelope_event(change("edit", 1, "Hola de nuevo")))
    deliver(envelope_event(change("edit", 1, "Hola de nuevo")))  # a redelivery
    assert [c for c in telegram_api.calls if c[0] == "edit_text"] == [("edit_text", 99, "Hola de nuevo")]
    first, again = svc.publisher.on(OUT)
    assert first["message"]["text"] == "Hola de nuevo" and first["message"]["revision"] == 1
    assert first["message"]["edit_history"][0]["text"] == "Hola, Ana"
    assert first["delivery"]["state"] == again["delivery"]["state"] == "sent"


def test_an_edit_of_a_file_changes_its_caption(svc: Services, telegram_api: FakeTelegram):
    sent_answer(svc, [99])
    svc.store.chat_messages[CHAT][MESSAGE_ID]["media"] = {"kind": "photo", "file_id": "F1"}
    deliver(envelope_event(change("edit", 1, "El recibo, firmado")))
    assert [c for c in telegram_api.calls if c[0].startswith("edit")] == [("edit_caption", 99, "El recibo, firmado")]
    assert svc.publisher.on(OUT)[0]["message"]["text"] == "El recibo, firmado"


def test_a_delete_removes_every_part_and_marks_the_message_deleted(svc: Services, telegram_api: FakeTelegram):
    sent_answer(svc, [99, 100])
    deliver(envelope_event(change("delete", 2)))
    assert telegram_api.calls == [("delete", [99, 100])]
    assert svc.publisher.on(OUT)[0]["message"]["deleted"] is True


def test_a_failed_edit_leaves_the_message_as_it_was(svc: Services, telegram_api: FakeTelegram):
    sent_answer(svc, [99])
    telegram_api.outcome = DeliveryOutcome("failed", "message can't be edited")
    deliver(envelope_event(change("edit", 1, "x")))
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["text"] == "Hola, Ana"
    assert announced(svc)[0]["reason"] == "message can't be edited"


def test_typing_is_a_chat_action_never_stored_nor_retried(svc: Services, telegram_api: FakeTelegram):
    typing = Envelope(id="typing-1", type=MessageType.AGENT, chat_id=CHAT, date=1, extra={"action": "typing"})
    deliver(envelope_event(typing))
    telegram_api.outcome = TransientTelegramError("Bad Gateway")
    deliver(envelope_event(typing))  # no exception: a late "typing…" is worthless
    assert telegram_api.calls == [("send_chat_action", "typing")] * 2
    assert svc.publisher.published == [] and svc.store.chat_messages == {}


def with_uploaded_photo(envelope: Envelope, svc: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Envelope:
    """`envelope` as an agent's photo upload, stored as the relay leaves it (the file in the blob store)."""
    blobs = LocalBlobStore(tmp_path)
    blobs.put("4242/abc/photo.png", b"PNG", "image/png")
    monkeypatch.setattr(functions.deliver, "blob_store", lambda: blobs)
    envelope.media = {"kind": "photo", "blob": "4242/abc/photo.png", "filename": "photo.png"}
    svc.store.add_outbound(envelope)
    return envelope


def test_an_upload_is_sent_from_the_blob_store_and_its_file_id_reused(svc: Services, telegram_api: FakeTelegram,
                                                                     monkeypatch: pytest.MonkeyPatch, tmp_path):
    envelope = with_uploaded_photo(answer("a caption"), svc, monkeypatch, tmp_path)
    telegram_api.outcome = TransientTelegramError("Internal Server Error")
    with pytest.raises(TransientTelegramError):
        deliver(envelope_event(envelope))
    telegram_api.outcome = DeliveryOutcome("sent")
    deliver(envelope_event(envelope))
    assert telegram_api.calls[0] == ("send_media", "photo", None, b"PNG", "a caption")
    assert svc.store.chat_messages[CHAT][MESSAGE_ID]["media"]["file_id"] == "FILE-ID-1"
    svc.store.chat_messages[CHAT][MESSAGE_ID]["delivery"]["state"] = "queued"  # say, sent again by hand
    deliver(envelope_event(envelope))
    assert telegram_api.calls[-1][:3] == ("send_media", "photo", "FILE-ID-1")


def test_every_part_waits_for_the_pacer(svc: Services, monkeypatch: pytest.MonkeyPatch, bot: SimpleNamespace):
    seen: list[int] = []
    monkeypatch.setattr(functions.deliver, "PACER", SimpleNamespace(acquire=seen.append))
    text = "x" * 5000
    svc.store.add_outbound(answer(text))
    deliver(envelope_event(answer(text)))
    assert seen == [CHAT, CHAT] and len(bot.sent) == 2


def test_a_bot_answer_to_a_button_press_answers_the_callback_query(svc: Services, telegram_api: FakeTelegram):
    answer_env = Envelope(id="answer-77", type=MessageType.BOT, chat_id=CHAT, date=1, text="¡Gracias!",
                          extra={"action": "answer_callback", "callback_query_id": "77"})
    deliver(envelope_event(answer_env))
    assert telegram_api.calls == [("answer_callback_query", "77", "¡Gracias!")]
    assert svc.publisher.published == []


def test_without_delivery_attempt_the_answers_own_count_decides_the_last_attempt(svc: Services,
                                                                                 telegram_api: FakeTelegram):
    telegram_api.outcome = TransientTelegramError("Internal Server Error")
    svc.store.add_outbound(answer())
    last = svc.manifest.step("deliver").retry.max_delivery_attempts
    for _ in range(last - 1):
        with pytest.raises(TransientTelegramError):
            deliver(envelope_event(answer()))
    deliver(envelope_event(answer()))  # the emulator's push has no deliveryAttempt
    assert announced(svc)[0]["state"] == "failed"


def test_a_delivery_may_run_as_long_as_its_lease_on_google_cloud():
    """deliver's push ack deadline is its function's timeout (terraform/main.tf): a send may take up
    to the lease, so a function cut sooner would leave a clean send to end as maybe_sent."""
    deliver_step = load_manifest().step("deliver")
    assert deliver_step.retry is not None
    assert deliver_step.retry.ack_deadline_s >= Settings().desk_send_lease_s + functions.deliver.LEASE_MARGIN_S


# -- a Telegram Business chat, through the real TelegramClient ------------------------------------------

BUSINESS_KEY = conversation_key("conn-1", 42)
BUSINESS = {"connection_id": "conn-1", "chat_id": 42}


@pytest.fixture
def business_bot(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Bot's methods a business chat uses, each recording its parameters."""
    calls: list[tuple[str, dict[str, Any]]] = []

    async def no_network(self: telegram.Bot) -> None:
        return None

    def recording(name: str, result: Any) -> Callable[..., Any]:
        async def method(self: telegram.Bot, *args: Any, **kwargs: Any) -> Any:
            calls.append((name, {k: v for k, v in kwargs.items() if not k.endswith("_timeout")}))
            return result
        return method

    monkeypatch.setattr(telegram.Bot, "initialize", no_network)
    monkeypatch.setattr(telegram.Bot, "shutdown", no_network)
    for name, result in (("send_message", SimpleNamespace(message_id=500)),
                         ("send_photo", SimpleNamespace(message_id=501, photo=[SimpleNamespace(file_id="P1")])),
                         ("edit_message_text", True), ("delete_business_messages", True),
                         ("send_chat_action", True), ("read_business_message", True)):
        monkeypatch.setattr(telegram.Bot, name, recording(name, result))
    return calls


def business_answer(text: str = "Hola, Ana") -> Envelope:
    envelope = answer(text)
    envelope.chat_id, envelope.extra["business"] = BUSINESS_KEY, BUSINESS
    return envelope


def test_a_business_answer_goes_to_telegrams_chat_through_the_connection(svc: Services, business_bot: list,
                                                                          monkeypatch: pytest.MonkeyPatch):
    paced: list[int] = []
    monkeypatch.setattr(functions.deliver, "PACER", SimpleNamespace(acquire=paced.append))
    svc.store.add_outbound(business_answer())
    deliver(envelope_event(business_answer()))
    assert paced == [42]  # Telegram's chat
    assert business_bot == [("send_message", {"chat_id": 42, "business_connection_id": "conn-1",
                                              "text": "Hola, Ana"})]
    assert svc.store.chat_messages[BUSINESS_KEY][MESSAGE_ID]["delivery"]["telegram_message_id"] == 500


def test_a_business_file_is_sent_by_kind_through_the_connection(svc: Services, business_bot: list,
                                                                monkeypatch: pytest.MonkeyPatch, tmp_path):
    envelope = with_uploaded_photo(business_answer("el recibo"), svc, monkeypatch, tmp_path)
    deliver(envelope_event(envelope))
    [(name, params)] = business_bot
    assert (name, params["chat_id"], params["business_connection_id"], params["caption"]) == (
        "send_photo", 42, "conn-1", "el recibo")


def test_an_edit_and_a_delete_in_a_business_chat_name_the_connection(svc: Services, business_bot: list):
    svc.store.add_outbound(business_answer(), "sent")
    svc.store.chat_messages[BUSINESS_KEY][MESSAGE_ID]["delivery"].update(telegram_message_id=500,
                                                                          telegram_message_ids=[500, 502])
    for action, n, text in (("edit", 1, "Hola de nuevo"), ("delete", 2, "")):
        deliver(envelope_event(Envelope(id=f"{action}-{MESSAGE_ID}-{n}", type=MessageType.AGENT,
                                        chat_id=BUSINESS_KEY, date=1, text=text,
                                        extra={"action": action, "target": MESSAGE_ID, "revision": n})))
    assert business_bot == [
        ("edit_message_text", {"text": "Hola de nuevo", "message_id": 500, "chat_id": 42,
                               "business_connection_id": "conn-1"}),
        ("delete_business_messages", {"business_connection_id": "conn-1", "message_ids": [500, 502]})]
    assert svc.store.chat_messages[BUSINESS_KEY][MESSAGE_ID]["deleted"] is True


def test_typing_and_read_in_a_business_chat_take_the_conversations_connection(svc: Services, business_bot: list):
    svc.store.chats[BUSINESS_KEY] = {"chat_id": BUSINESS_KEY, "business": BUSINESS}
    for action, extra in (("typing", {}), ("read", {"telegram_message_id": 8})):
        deliver(envelope_event(Envelope(id=f"{action}-1", type=MessageType.AGENT, chat_id=BUSINESS_KEY, date=1,
                                        extra={"action": action, **extra})))
    assert business_bot == [
        ("send_chat_action", {"action": "typing", "chat_id": 42, "business_connection_id": "conn-1"}),
        ("read_business_message", {"business_connection_id": "conn-1", "chat_id": 42, "message_id": 8})]
    assert svc.publisher.published == []


def test_read_in_a_chat_with_the_bot_asks_telegram_nothing(svc: Services, business_bot: list):
    deliver(envelope_event(Envelope(id="read-1", type=MessageType.AGENT, chat_id=CHAT, date=1,
                                    extra={"action": "read", "telegram_message_id": 8})))
    assert business_bot == []
