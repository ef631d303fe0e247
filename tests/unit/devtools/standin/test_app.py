"""The app factory, and python-telegram-bot's real Bot talking to the stand-in over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import pytest
import requests
import samples
import telegram
from flask import Flask
from telegram import InputFile, ReplyParameters
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from devtools.standin import create_app
from devtools.standin.state import StandinState

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


def _files_bot(base: str, **request: float) -> telegram.Bot:
    """The Bot the desk builds: Bot API and file downloads both at the stand-in."""
    http = HTTPXRequest(**request) if request else None  # type: ignore[arg-type]
    return telegram.Bot(TOKEN, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot", request=http)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # Voice.duration as int
def test_python_telegram_bot_uploads_and_downloads(served: str) -> None:
    _customer_writes(served)
    photo, document, voice = samples.jpeg(800, 600), b"%PDF-1.4 invoice #1234", samples.ogg_opus(3)

    async def scenario() -> dict[str, object]:
        async with _files_bot(served) as bot:
            sent_photo = await bot.send_photo(
                CUSTOMER_ID, InputFile(photo, filename="receipt.jpg"), caption="Receipt", reply_parameters=None
            )
            sent_document = await bot.send_document(
                CUSTOMER_ID,
                InputFile(document, filename="invoice.pdf"),
                caption="<b>Invoice</b>",
                parse_mode="HTML",
                reply_parameters=ReplyParameters(message_id=1),
            )
            sent_voice = await bot.send_voice(CUSTOMER_ID, InputFile(voice))
            resent = await bot.send_document(CUSTOMER_ID, sent_document.document.file_id)
            downloads = {}
            for name, file_id in (
                ("photo", sent_photo.photo[-1].file_id),
                ("document", sent_document.document.file_id),
                ("voice", sent_voice.voice.file_id),
            ):
                file = await bot.get_file(file_id)
                downloads[name] = bytes(await file.download_as_bytearray())
            return {
                "photo": sent_photo,
                "document": sent_document,
                "voice": sent_voice,
                "resent": resent,
                "downloads": downloads,
            }

    result = asyncio.run(scenario())
    assert result["downloads"] == {"photo": photo, "document": document, "voice": voice}
    sent_photo, sent_document, sent_voice = result["photo"], result["document"], result["voice"]
    assert isinstance(sent_photo, telegram.Message) and sent_photo.caption == "Receipt"
    assert (sent_photo.photo[-1].width, sent_photo.photo[-1].height) == (800, 600)
    assert isinstance(sent_document, telegram.Message)
    assert sent_document.document is not None and sent_document.document.file_name == "invoice.pdf"
    assert sent_document.caption == "Invoice" and sent_document.caption_entities[0].type == "bold"
    assert sent_document.reply_to_message is not None and sent_document.reply_to_message.text == "hi"
    assert isinstance(sent_voice, telegram.Message)
    assert sent_voice.voice is not None and sent_voice.voice.duration in (3, dtm.timedelta(seconds=3))
    resent = result["resent"]
    assert isinstance(resent, telegram.Message) and resent.document is not None
    assert resent.document.file_unique_id == sent_document.document.file_unique_id


def test_python_telegram_bot_edits_deletes_and_profile_photos(served: str) -> None:
    _customer_writes(served)
    requests.post(f"{served}/customer/api/avatar", json={"user_id": CUSTOMER_ID, "avatar": True}, timeout=5)

    async def scenario() -> tuple[object, ...]:
        async with _files_bot(served) as bot:
            sent = await bot.send_message(CUSTOMER_ID, "Your order ships tomorow")
            edited = await bot.edit_message_text(
                "Your order ships tomorrow", chat_id=CUSTOMER_ID, message_id=sent.message_id
            )
            try:
                await bot.edit_message_text(
                    "Your order ships tomorrow", chat_id=CUSTOMER_ID, message_id=sent.message_id
                )
            except BadRequest as exc:
                not_modified: Exception = exc
            deleted = await bot.delete_message(CUSTOMER_ID, sent.message_id)
            try:
                await bot.delete_message(CUSTOMER_ID, sent.message_id)
            except BadRequest as exc:
                not_found: Exception = exc
            photos = await bot.get_user_profile_photos(CUSTOMER_ID)
            avatar = await (await bot.get_file(photos.photos[0][-1].file_id)).download_as_bytearray()
            return edited, not_modified, deleted, not_found, photos, bytes(avatar)

    edited, not_modified, deleted, not_found, photos, avatar = asyncio.run(scenario())
    assert isinstance(edited, telegram.Message) and edited.text == "Your order ships tomorrow"
    assert edited.edit_date is not None
    assert "not modified" in str(not_modified).lower()
    assert deleted is True
    assert "message to delete not found" in str(not_found).lower()
    assert isinstance(photos, telegram.UserProfilePhotos) and photos.total_count == 1
    assert avatar.startswith(b"\x89PNG")


def test_a_delayed_answer_times_out_a_short_client(served: str, app: Flask) -> None:
    _customer_writes(served)
    _fail(served, method="sendMessage", delay=2)

    async def scenario() -> None:
        async with _files_bot(served, read_timeout=0.3) as bot:
            await bot.send_message(CUSTOMER_ID, "are you there?")

    started = time.monotonic()
    with pytest.raises(TimedOut):
        asyncio.run(scenario())
    assert time.monotonic() - started < 1.5
    # Telegram did the work: the message reached the customer although the client gave up.
    history = requests.get(f"{served}/customer/api/messages", params={"user_id": CUSTOMER_ID}, timeout=5).json()
    assert history["messages"][-1]["text"] == "are you there?"
    assert app.extensions["standin"].failures.pending() == {}
