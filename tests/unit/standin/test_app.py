"""The app factory, and python-telegram-bot's real Bot talking to the stand-in over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm

import pytest
import requests
import telegram
from flask import Flask
from telegram.error import BadRequest, Forbidden, RetryAfter

from teledesk.standin import create_app
from teledesk.standin.state import StandinState

from .conftest import CUSTOMER_ID, TOKEN


def _bot(base: str) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=f"{base}/bot")


def _customer_writes(base: str, text: str = "hi") -> None:
    response = requests.post(
        f"{base}/customer/api/messages",
        json={"user_id": CUSTOMER_ID, "first_name": "Ana", "text": text},
        timeout=5,
    )
    assert response.status_code == 201


def _fail(base: str, **failure: object) -> None:
    assert requests.post(f"{base}/standin/api/failures", json=failure, timeout=5).status_code == 201


def test_factory_keeps_state_per_app() -> None:
    first, second = create_app("1:a"), create_app("2:b", bot_username="other_bot")
    try:
        assert isinstance(first.extensions["standin"], StandinState)
        assert first.extensions["standin"] is not second.extensions["standin"]
        assert second.test_client().get("/bot2:b/getMe").get_json()["result"]["username"] == "other_bot"
        assert first.test_client().get("/bot2:b/getMe").status_code == 401
    finally:
        first.extensions["standin"].close()
        second.extensions["standin"].close()


def test_factory_needs_a_token() -> None:
    with pytest.raises(ValueError):
        create_app("")


def test_python_telegram_bot_get_me_and_send_message(served: str, app: Flask) -> None:
    _customer_writes(served)

    async def scenario() -> tuple[telegram.User, telegram.Message]:
        async with _bot(served) as bot:  # initialize() itself calls getMe
            return await bot.get_me(), await bot.send_message(CUSTOMER_ID, "hi")

    me, message = asyncio.run(scenario())
    assert me.is_bot and me.username == "teledesk_bot" and me.id == 123456789
    assert message.text == "hi"
    assert message.chat.id == CUSTOMER_ID and message.chat.type == "private"
    assert message.from_user is not None and message.from_user.id == me.id
    assert message.message_id == 2
    sent = app.extensions["standin"].calls.calls("sendMessage")
    assert sent[0]["params"]["chat_id"] == str(CUSTOMER_ID)  # PTB posts form fields


# PTB 22 builds RetryAfter's message from the deprecated int form of retry_after.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_python_telegram_bot_sees_failures_as_telegram_errors(served: str) -> None:
    _customer_writes(served)
    _fail(served, method="sendMessage", error_code=403, description="Forbidden: bot was blocked by the user")
    _fail(served, method="sendMessage", error_code=429, retry_after=3)

    async def scenario() -> list[Exception]:
        errors: list[Exception] = []
        async with _bot(served) as bot:
            for _ in range(3):
                try:
                    await bot.send_message(CUSTOMER_ID, "hello?")
                except telegram.error.TelegramError as exc:
                    errors.append(exc)
            try:
                await bot.send_message(424, "nobody")
            except telegram.error.TelegramError as exc:
                errors.append(exc)
        return errors

    errors = asyncio.run(scenario())
    assert len(errors) == 3  # the third send went through
    assert isinstance(errors[0], Forbidden)
    assert "bot was blocked by the user" in errors[0].message
    assert isinstance(errors[1], RetryAfter)
    assert errors[1].retry_after in (3, dtm.timedelta(seconds=3))
    assert isinstance(errors[2], BadRequest)
    assert errors[2].message == "Chat not found"  # PTB strips "Bad Request: " and capitalises


def test_python_telegram_bot_long_polls(served: str, app: Flask) -> None:
    async def scenario() -> tuple[tuple[telegram.Update, ...], tuple[telegram.Update, ...]]:
        async with _bot(served) as bot:
            await bot.delete_webhook()
            empty = await bot.get_updates(timeout=0)
            _customer_writes(served, "/start")
            return empty, await bot.get_updates(timeout=1)

    empty, updates = asyncio.run(scenario())
    assert empty == ()
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.text == "/start"
    assert message.entities[0].type == "bot_command"
    assert message.from_user is not None and message.from_user.first_name == "Ana"
