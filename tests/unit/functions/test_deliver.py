"""functions/deliver.py: send an agent's answer once, record its delivery state, announce it.

The second half runs deliver through the real `TelegramClient`, with python-telegram-bot's `Bot`
patched at its network methods, to pin how Telegram's errors become delivery outcomes.
"""

from __future__ import annotations

import datetime as dtm
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import telegram
from step_fakes import CHAT, envelope_event, push_event
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import functions.deliver
from functions.deliver import deliver
from teledesk.envelope import Envelope, MessageType
from teledesk.pipeline import Services
from teledesk.telegram.client import BLOCKED_REASON, DeliveryOutcome, TransientTelegramError

OUT = "deliveries"
CLIENT_ID = "c0ffee-42_ab"
MESSAGE_ID = f"agent-{CLIENT_ID}"


def answer(text: str = "Hola, Ana") -> Envelope:
    """What the relay publishes on agent-replies."""
    return Envelope(id=MESSAGE_ID, type=MessageType.AGENT, chat_id=CHAT, date=int(time.time()), text=text,
                    extra={"client_id": CLIENT_ID, "agent": {"username": "admin", "name": "Admin"}}).stamp("relay")


@dataclass
class FakeTelegram:
    """Replaces `functions.deliver.TelegramClient`: records what would have reached Telegram."""

    outcome: DeliveryOutcome | Exception = field(default_factory=lambda: DeliveryOutcome("sent",
                                                                                         telegram_message_id=99))
    clients: list[tuple[str, str]] = field(default_factory=list)
    sent: list[tuple[int, str]] = field(default_factory=list)

    def __call__(self, token: str, api_base: str) -> FakeTelegram:
        self.clients.append((token, api_base))
        return self

    def send_text(self, chat_id: int, text: str) -> DeliveryOutcome:
        self.sent.append((chat_id, text))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.fixture
def telegram_api(monkeypatch: pytest.MonkeyPatch) -> FakeTelegram:
    fake = FakeTelegram()
    monkeypatch.setattr(functions.deliver, "TelegramClient", fake)
    return fake


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
                                    "state": "sent", "reason": None}
    assert (envelope["id"], envelope["text"], envelope["agent"]["username"]) == (MESSAGE_ID, "Hola, Ana", "admin")
    assert list(envelope["trace"]) == ["relay", "deliver", "deliver:out"]
    assert attributes["type"] == "AGENT"


def test_a_failed_send_is_recorded_and_announced_with_its_reason(svc: Services, telegram_api: FakeTelegram):
    telegram_api.outcome = DeliveryOutcome("failed", BLOCKED_REASON)
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))
    assert svc.store.message(CHAT, MESSAGE_ID)["delivery"]["state"] == "failed"
    assert announced(svc) == [{"chat_id": CHAT, "client_id": CLIENT_ID, "message_id": MESSAGE_ID,
                               "state": "failed", "reason": BLOCKED_REASON}]


def test_a_redelivered_answer_is_announced_again_but_not_sent_again(svc: Services, telegram_api: FakeTelegram):
    svc.store.add_outbound(answer())
    event = envelope_event(answer())
    deliver(event)
    deliver(event)
    assert len(telegram_api.sent) == 1
    assert [d["state"] for d in announced(svc)] == ["sent", "sent"]  # the relay shows it once


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
    assert svc.store.message(CHAT, MESSAGE_ID)["delivery"]["state"] == "queued"  # the retry will send
    assert svc.publisher.published == []
    telegram_api.outcome = DeliveryOutcome("sent", telegram_message_id=100)
    deliver(envelope_event(answer()))
    assert len(telegram_api.sent) == 2
    assert [d["state"] for d in announced(svc)] == ["sent"]


@pytest.mark.parametrize("kind", [MessageType.CLIENT, MessageType.BOT, MessageType.UPDATE])
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
    calls = SimpleNamespace(error=None, sent=[], base_urls=[])

    async def no_network(self: telegram.Bot) -> None:
        return None

    async def send_message(self: telegram.Bot, chat_id: int, text: str, **kwargs: Any) -> SimpleNamespace:
        calls.base_urls.append(self.base_url)
        calls.sent.append((chat_id, text))
        if calls.error is not None:
            raise calls.error
        return SimpleNamespace(message_id=321)

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


@pytest.mark.parametrize(("error", "reason"), [
    (Forbidden("Forbidden: bot was blocked by the user"), BLOCKED_REASON),
    (BadRequest("Chat not found"), "Chat not found"),
    (BadRequest("Message is too long"), "Message is too long"),
])
def test_what_telegram_refuses_for_good_is_a_failed_delivery(svc: Services, bot: SimpleNamespace,
                                                             error: Exception, reason: str):
    bot.error = error
    svc.store.add_outbound(answer())
    deliver(envelope_event(answer()))  # no exception: a retry would be refused again
    assert svc.store.delivery_writes == [(CHAT, MESSAGE_ID, "failed", reason, None)]
    assert [(d["state"], d["reason"]) for d in announced(svc)] == [("failed", reason)]


# PTB 22 warns when RetryAfter is made or read (its retry_after turns into a timedelta in v23).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("make_error", [
    lambda: RetryAfter(dtm.timedelta(seconds=3)),
    TimedOut,
    lambda: NetworkError("Bad Gateway"),
    lambda: telegram.error.TelegramError("Internal Server Error"),
], ids=["429-retry-after", "timed-out", "network", "other"])
def test_what_may_succeed_later_is_a_transient_error(svc: Services, bot: SimpleNamespace, make_error):
    bot.error = error = make_error()
    svc.store.add_outbound(answer())
    with pytest.raises(TransientTelegramError) as raised:
        deliver(envelope_event(answer()))
    assert raised.value.__cause__ is error
    assert svc.store.delivery_writes == []
    assert svc.publisher.published == []
