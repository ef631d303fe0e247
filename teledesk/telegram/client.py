"""Sending through python-telegram-bot's `Bot`, against any Bot-API-compatible base URL.

The same code talks to Telegram or to the local stand-in: only `TELEGRAM_API_BASE` differs. The
`Bot` is the process's one (`teledesk.telegram.bot.shared_bot`), made and initialised once.

What Telegram answers, and what the desk does with it:

| answer | outcome |
|---|---|
| 200 | `sent`, with Telegram's message id(s) (and the uploaded file's `file_id`) |
| 403 | `failed`, "blocked by the customer", and `blocked=True` so the conversation is flagged (but see below) |
| 401 (or 404: a malformed token) | `failed`, "the bot token was refused by Telegram" |
| 400 | `failed`, with Telegram's description |
| 429 with `retry_after` ≤ `max_inline_wait_s` | wait, then the same request again, within this delivery |
| 429 with a longer wait, 5xx, a connection refused, connect or pool timeouts | `TransientTelegramError`: a retry |
| read or write timeouts, a connection broken once sent, no answer within `deadline_s` | the same, `ambiguous=True` |

In a Telegram Business chat a 403 is Telegram refusing the account's send: its description, nothing
flagged (`DeliveryOutcome.in_business_chat`).

A Telegram Business chat is written to as the account, through its connection: every request
for it carries `business_connection_id` (a `ChatRoute`); deleting there is deleteBusinessMessages,
and marking the chat read readBusinessMessage.

Every failure also carries a `FailureCause` (the `cause` of the outcome or of the transient
error): the reason in words is for agents, the cause is what the metrics count by.

A timeout or a broken connection once the request went out is ambiguous: Telegram may have sent the
message and only its answer was lost, and the Bot API has no idempotency key to ask with. A send is
therefore never repeated blindly: `send_parts` and `send_media` settle it as failed, `maybe_sent`
(`MAYBE_SENT_REASON`), and an agent, who can look at the chat, decides whether to send it again. A
failure before the request left (connecting, waiting for a pooled connection) sent nothing and is
retried; so is a 5xx, Telegram's own answer that it did not take the request. Retrying an edit or a
delete is harmless (Telegram answers "message is not modified" / "message to delete not found",
which count as done), so for them every timeout is transient.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from teledesk.open_data import JSONObject
from teledesk.redaction import redact
from teledesk.telegram.bot import shared_bot
from teledesk.telegram.outbound import Pacer

BLOCKED_REASON = "blocked by the customer"
MAYBE_SENT_REASON = "may have reached the customer: check the chat before retrying"
TOKEN_REASON = "the bot token was refused by Telegram"
MAX_INLINE_WAIT_S = 5.0
"""A 429 asking to wait this long or less is waited out inside the delivery; longer ones go
back to Pub/Sub (the push subscription's ack deadline is 60 s)."""
MAX_INLINE_WAITS = 3
REQUEST_TIMEOUT_S = 10.0

MEDIA_METHODS = {"photo": "send_photo", "document": "send_document", "voice": "send_voice", "video": "send_video"}

T = TypeVar("T")


@dataclass(frozen=True)
class ChatRoute:
    """Where a request goes: a Telegram chat, and for a Telegram Business chat the connection the
    bot writes through, as the account (teledesk/business.py)."""

    chat_id: int
    business_connection_id: str | None = None

    def params(self) -> JSONObject:
        """The request's parameters that name the chat."""
        found: JSONObject = {"chat_id": self.chat_id}
        if self.business_connection_id is not None:
            found["business_connection_id"] = self.business_connection_id
        return found


ChatTarget = int | ChatRoute  # a chat with the bot by its id, or a route


def route_of(chat: ChatTarget) -> ChatRoute:
    return chat if isinstance(chat, ChatRoute) else ChatRoute(chat)


class FailureCause(StrEnum):
    """Why a send failed, as the metrics count it (`deliveries`' `reason` label)."""

    BLOCKED = "blocked"  # 403: the customer blocked the bot
    BAD_REQUEST = "bad_request"  # 400: Telegram refused the request as it was
    TOO_MANY_REQUESTS = "too_many_requests"  # 429, still asked to wait after the last attempt
    TIMEOUT = "timeout"  # no answer in time, to the last attempt
    UNAVAILABLE = "unavailable"  # 5xx and network errors, to the last attempt
    TOKEN = "token_refused"  # 401/404: the bot token
    FILE_GONE = "file_gone"  # an agent's upload no longer stored
    NOT_SENT = "not_sent"  # an edit or delete of a message that never reached Telegram
    MAYBE_SENT = "maybe_sent"  # the send went out and its answer never came (or its sender died): never resent


class TransientTelegramError(RuntimeError):
    """Telegram could not take the message now; the same request may succeed later."""

    def __init__(self, message: str, cause: FailureCause = FailureCause.UNAVAILABLE, *, ambiguous: bool = False):
        super().__init__(message)
        self.cause = cause
        self.ambiguous = ambiguous  # the request went out: Telegram may have carried it out


class Refused(Exception):
    """Telegram refused the request for good: retrying would be refused again."""

    def __init__(self, reason: str, blocked: bool = False, cause: FailureCause = FailureCause.BAD_REQUEST,
                 description: str | None = None):
        super().__init__(reason)
        self.reason, self.blocked = reason, blocked
        self.cause = FailureCause.BLOCKED if blocked else cause
        self.description = description or reason  # Telegram's own words


@dataclass(frozen=True)
class DeliveryOutcome:
    state: str  # "sent" or "failed"
    reason: str | None = None
    cause: FailureCause | None = None  # when failed
    telegram_message_id: int | None = None
    telegram_message_ids: tuple[int, ...] = ()
    blocked: bool = False
    file_id: str | None = None
    description: str | None = None  # Telegram's own words for a refusal

    def in_business_chat(self) -> DeliveryOutcome:
        """This outcome in a Telegram Business chat: a 403 there is Telegram refusing the account's
        send, not a customer blocking the bot (no `my_chat_member` would ever lift such a flag), so
        it flags nothing and its reason is Telegram's description."""
        if not self.blocked:
            return self
        return replace(self, reason=self.description or self.reason, cause=FailureCause.BAD_REQUEST, blocked=False)


@dataclass
class MediaUpload:
    """What to send as a media message: an earlier upload's `file_id`, or the bytes themselves."""

    kind: str  # photo, document, voice, video
    file_id: str | None = None
    data: bytes | None = None
    filename: str = "file"
    caption: str = ""
    extra: JSONObject = field(default_factory=dict)


async def wait(seconds: float) -> None:
    """How the client waits out a 429 (a module function, so tests can replace it)."""
    await asyncio.sleep(seconds)


NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""httpx's errors before the request left: nothing reached Telegram."""


def went_out(exc: TimedOut) -> bool:
    """Whether a timed-out request may have reached Telegram (PTB keeps httpx's error as the cause)."""
    return not isinstance(exc.__cause__, NOT_SENT_ERRORS)


def broke_on_the_way(exc: TelegramError) -> bool:
    """Whether a network error came once the request may have reached Telegram (a connection reset
    or closed before the answer). PTB raises a 5xx as a NetworkError too, without httpx's error as
    its cause: that one is Telegram's answer, not a broken connection."""
    return isinstance(exc.__cause__, httpx.TransportError) and not isinstance(exc.__cause__, NOT_SENT_ERRORS)


def retry_after_seconds(exc: RetryAfter) -> float:
    value = getattr(exc, "_retry_after", None)  # a timedelta; reading `.retry_after` warns in PTB 22
    return value.total_seconds() if value is not None else float(exc.retry_after)  # type: ignore[arg-type]


Buttons = Sequence[Sequence[JSONObject]]  # inline keyboard rows: {"text", "callback_data"} each


def inline_keyboard(buttons: Buttons) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text=str(b["text"]), callback_data=str(b["callback_data"]))
                                  for b in row] for row in buttons])


async def _username(bot: Bot) -> str:
    return bot.username  # known once the Bot is initialised (getMe): no request of its own


async def _send_message(bot: Bot, **kwargs: Any) -> Message:
    return await bot.send_message(read_timeout=REQUEST_TIMEOUT_S, **kwargs)


def _file_id_of(message: Any, kind: str) -> str | None:
    attached = getattr(message, kind, None)
    if isinstance(attached, (list, tuple)):  # photo: the sizes, largest last
        attached = attached[-1] if attached else None
    return getattr(attached, "file_id", None)


class TelegramClient:
    """Sends for one token and base, through the process's one `Bot` (`teledesk.telegram.bot`).

    Each request is one call on the Bot's loop; what waits or writes (the pacer, `on_part_sent`)
    runs in the caller, between requests, never on the loop that every sender shares.
    """

    def __init__(self, token: str, api_base: str, *, pacer: Pacer | None = None,
                 max_inline_wait_s: float = MAX_INLINE_WAIT_S, sleep: Callable[[float], Awaitable[None]] | None = None,
                 deadline_s: float | None = None):
        """`deadline_s`: the most one request (with the 429s it waits out) may take; past it the
        request is abandoned as ambiguous (a sender's claim on an answer lasts only so long)."""
        self.telegram = shared_bot(token, api_base)
        self.pacer = pacer
        self.max_inline_wait_s = max_inline_wait_s
        self.deadline_s = deadline_s
        self._sleep = sleep or wait

    # -- the one place Telegram's answers are interpreted ----------------------------------------
    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        waits = 0
        while True:
            try:
                return await make()
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if wait > self.max_inline_wait_s or waits >= MAX_INLINE_WAITS:
                    raise TransientTelegramError(f"Telegram asks to wait {wait:g} s",
                                                 FailureCause.TOO_MANY_REQUESTS) from exc
                waits += 1
                await self._sleep(wait)
            except Forbidden as exc:
                raise Refused(BLOCKED_REASON, blocked=True, description=redact(exc.message)) from exc
            except InvalidToken as exc:
                raise Refused(TOKEN_REASON, cause=FailureCause.TOKEN) from exc
            except BadRequest as exc:
                raise Refused(redact(exc.message)) from exc
            except TimedOut as exc:
                raise TransientTelegramError(redact(str(exc)) or "timed out", FailureCause.TIMEOUT,
                                             ambiguous=went_out(exc)) from exc
            except (NetworkError, TelegramError) as exc:  # 5xx, 429 without retry_after, a broken connection
                raise TransientTelegramError(redact(str(exc)) or type(exc).__name__,
                                             ambiguous=broke_on_the_way(exc)) from exc

    def _request(self, make: Callable[[Bot], Awaitable[T]]) -> T:
        """One request through the process's Bot; raises `Refused` or `TransientTelegramError`."""
        try:
            return self.telegram.run(lambda bot: self._call(lambda: make(bot)), self.deadline_s)
        except builtins.TimeoutError as exc:  # the deadline: the request was abandoned, perhaps in flight
            raise TransientTelegramError(str(exc), FailureCause.TIMEOUT, ambiguous=True) from exc
        except InvalidToken as exc:  # getMe, on the Bot's first use, refused the token
            raise Refused(TOKEN_REASON, cause=FailureCause.TOKEN) from exc
        except TelegramError as exc:  # getMe could not reach Telegram
            cause = FailureCause.TIMEOUT if isinstance(exc, TimedOut) else FailureCause.UNAVAILABLE
            raise TransientTelegramError(redact(str(exc)) or type(exc).__name__, cause) from exc

    @staticmethod
    def _settled(send: Callable[[], DeliveryOutcome], *, new_message: bool = False) -> DeliveryOutcome:
        """`send()`'s outcome: refused for good is failed; for a new message (not an edit, a delete
        or an action, which may be repeated), a request that went out unanswered is `maybe_sent`."""
        try:
            return send()
        except Refused as refused:
            return DeliveryOutcome("failed", refused.reason, refused.cause, blocked=refused.blocked,
                                   description=refused.description)
        except TransientTelegramError as exc:
            if not (new_message and exc.ambiguous):
                raise
            return DeliveryOutcome("failed", MAYBE_SENT_REASON, FailureCause.MAYBE_SENT)

    def _pace(self, chat_id: int) -> None:
        if self.pacer is not None:
            self.pacer.acquire(chat_id)

    # -- sending --------------------------------------------------------------------------------
    def send_text(self, chat: ChatTarget, text: str, reply_to: int | None = None) -> DeliveryOutcome:
        return self.send_parts(chat, [text], reply_to=reply_to)

    def send_parts(
        self, chat: ChatTarget, parts: Sequence[str], *, already_sent: dict[int, int] | None = None,
        on_part_sent: Callable[[int, int], None] | None = None, reply_to: int | None = None,
        buttons: Buttons | None = None, before_part: Callable[[int], int | None] | None = None,
    ) -> DeliveryOutcome:
        """Send `parts` in order, skipping the indexes in `already_sent` (index → message id);
        `buttons`, an inline keyboard, go with the last part.

        `before_part(index)` is asked right before a part goes out (after pacing): None to send
        it, or the message id it already became; it raises to stop (deliver's claim on the part).
        `on_part_sent(index, message_id)` is called after each part Telegram accepted, so the
        caller can record progress before the next one: a redelivery then sends only the rest.
        A part refused for good fails the whole answer; what was sent stays recorded. A part
        whose answer never came fails it as `maybe_sent`: it is never sent again blindly.
        """
        done = dict(already_sent or {})
        route = route_of(chat)

        def send() -> DeliveryOutcome:
            for index, text in enumerate(parts):
                if index in done:
                    continue
                kwargs: JSONObject = {}
                if reply_to is not None and index == 0:
                    kwargs["reply_parameters"] = ReplyParameters(message_id=reply_to,
                                                                 allow_sending_without_reply=True)
                if buttons and index == len(parts) - 1:
                    kwargs["reply_markup"] = inline_keyboard(buttons)
                self._pace(route.chat_id)
                known = before_part(index) if before_part is not None else None
                if known is None:
                    known = self._request(partial(_send_message, text=text, **route.params(), **kwargs)).message_id
                    if on_part_sent is not None:
                        on_part_sent(index, known)
                done[index] = known
            ids = tuple(done[i] for i in range(len(parts)))
            return DeliveryOutcome("sent", telegram_message_id=ids[0] if ids else None, telegram_message_ids=ids)

        return self._settled(send, new_message=True)

    def send_media(self, chat: ChatTarget, media: MediaUpload, reply_to: int | None = None,
                   before_send: Callable[[], object] | None = None) -> DeliveryOutcome:
        """Upload (multipart) or re-send by `file_id`; the outcome carries the `file_id` to reuse.
        `before_send()`, asked right before the request, raises to stop (deliver's claim)."""
        method = MEDIA_METHODS[media.kind]
        route = route_of(chat)
        kwargs: JSONObject = {**route.params(), "write_timeout": 60, "read_timeout": 60}
        if media.caption:
            kwargs["caption"] = media.caption
        if reply_to is not None:
            kwargs["reply_parameters"] = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)

        def send() -> DeliveryOutcome:
            self._pace(route.chat_id)
            if before_send is not None:
                before_send()

            async def upload(bot: Bot) -> Any:
                payload = media.file_id or InputFile(media.data or b"", filename=media.filename)
                return await getattr(bot, method)(**{media.kind: payload}, **kwargs)

            sent = self._request(upload)
            return DeliveryOutcome("sent", telegram_message_id=sent.message_id,
                                   telegram_message_ids=(sent.message_id,),
                                   file_id=_file_id_of(sent, media.kind) or media.file_id)

        return self._settled(send, new_message=True)

    # -- changing what was sent -------------------------------------------------------------------
    def edit_text(self, chat: ChatTarget, telegram_message_id: int, text: str,
                  caption: bool = False) -> DeliveryOutcome:
        """editMessageText, or editMessageCaption when the message is a photo, document, voice or video."""
        route = route_of(chat)

        def edit() -> DeliveryOutcome:
            try:
                if caption:
                    self._request(lambda bot: bot.edit_message_caption(caption=text, message_id=telegram_message_id,
                                                                       **route.params()))
                else:
                    self._request(lambda bot: bot.edit_message_text(text=text, message_id=telegram_message_id,
                                                                    **route.params()))
            except Refused as refused:
                if "not modified" not in refused.reason.lower():  # a retried edit that had gone through
                    raise
            return DeliveryOutcome("sent", telegram_message_id=telegram_message_id,
                                   telegram_message_ids=(telegram_message_id,))

        return self._settled(edit)

    def delete(self, chat: ChatTarget, telegram_message_ids: Sequence[int]) -> DeliveryOutcome:
        """deleteMessage for each; in a business chat one deleteBusinessMessages for them all."""
        route = route_of(chat)
        connection_id = route.business_connection_id
        requests = [partial(Bot.delete_message, chat_id=route.chat_id, message_id=message_id)
                    for message_id in telegram_message_ids] if connection_id is None else [
            partial(Bot.delete_business_messages, business_connection_id=connection_id,
                    message_ids=list(telegram_message_ids))]

        def delete_each() -> DeliveryOutcome:
            for request in requests:
                try:
                    self._request(request)
                except Refused as refused:
                    if "not found" not in refused.reason.lower():  # already gone: a retried delete
                        raise
            return DeliveryOutcome("sent", telegram_message_ids=tuple(telegram_message_ids))

        return self._settled(delete_each)

    def send_chat_action(self, chat: ChatTarget, action: str = "typing") -> DeliveryOutcome:
        route = route_of(chat)
        return self._settled(lambda: self._sent(self._request(
            lambda bot: bot.send_chat_action(action=action, **route.params()))))

    def read_business_message(self, route: ChatRoute, telegram_message_id: int) -> DeliveryOutcome:
        """readBusinessMessage: the account's chat read up to this message."""
        connection_id = route.business_connection_id
        if connection_id is None:
            raise ValueError("only a business chat is marked read in Telegram")
        return self._settled(lambda: self._sent(self._request(lambda bot: bot.read_business_message(
            business_connection_id=connection_id, chat_id=route.chat_id, message_id=telegram_message_id))))

    def answer_callback_query(self, callback_query_id: str, text: str | None = None) -> DeliveryOutcome:
        return self._settled(lambda: self._sent(self._request(
            lambda bot: bot.answer_callback_query(callback_query_id=callback_query_id, text=text))))

    @staticmethod
    def _sent(_: object) -> DeliveryOutcome:
        return DeliveryOutcome("sent")

    # -- the staff forum (teledesk.staff): raise `Refused` or `TransientTelegramError` ------------
    def create_forum_topic(self, chat_id: int, name: str) -> int:
        """createForumTopic; the new topic's `message_thread_id`."""
        self._pace(chat_id)
        topic = self._request(lambda bot: bot.create_forum_topic(chat_id=chat_id, name=name))
        return int(topic.message_thread_id)

    def rename_forum_topic(self, chat_id: int, message_thread_id: int, name: str) -> None:
        """editForumTopic's name (a service message in the topic, so paced as one); a name already
        so ("TOPIC_NOT_MODIFIED") is done."""
        self._pace(chat_id)
        try:
            self._request(lambda bot: bot.edit_forum_topic(chat_id=chat_id, message_thread_id=message_thread_id,
                                                           name=name))
        except Refused as refused:
            if "not_modified" not in refused.reason.lower():
                raise

    def bot_username(self) -> str:
        """The bot's own username, as the process's Bot's one getMe gave it."""
        return self._request(_username)

    def send_to_topic(self, chat_id: int, message_thread_id: int, text: str, reply_to: int | None = None) -> int:
        """A plain text (never parsed as markup) into a forum topic; the sent message's id."""
        self._pace(chat_id)
        kwargs: JSONObject = {}
        if reply_to is not None:
            kwargs["reply_parameters"] = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        sent = self._request(partial(_send_message, chat_id=chat_id, message_thread_id=message_thread_id,
                                     text=text, **kwargs))
        return int(sent.message_id)
