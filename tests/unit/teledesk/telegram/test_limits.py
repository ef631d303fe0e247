"""The desk's Telegram limits are python-telegram-bot's, as plain numbers the rest of the code can use."""

from __future__ import annotations

import re

from telegram.constants import FileSizeLimit, FloodLimit, InlineKeyboardButtonLimit, MessageLimit, WebhookLimit

from teledesk.telegram import limits


def test_the_limits_ptb_names_are_taken_from_it():
    assert (limits.MAX_MESSAGE_LENGTH, limits.MAX_CAPTION_LENGTH) == (MessageLimit.MAX_TEXT_LENGTH,
                                                                      MessageLimit.CAPTION_LENGTH)
    assert (limits.MAX_DOWNLOAD_BYTES, limits.MAX_UPLOAD_BYTES) == (FileSizeLimit.FILESIZE_DOWNLOAD,
                                                                    FileSizeLimit.FILESIZE_UPLOAD)
    assert (limits.MESSAGES_PER_SECOND_PER_CHAT, limits.MESSAGES_PER_SECOND_OVERALL) == (
        FloodLimit.MESSAGES_PER_SECOND_PER_CHAT, FloodLimit.MESSAGES_PER_SECOND)
    assert limits.MAX_CALLBACK_DATA_BYTES == InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    assert limits.MAX_WEBHOOK_CONNECTIONS == WebhookLimit.MAX_CONNECTIONS_LIMIT


def test_they_are_plain_numbers_and_the_download_limit_is_telegrams_20_mb():
    for name in ("MAX_MESSAGE_LENGTH", "MAX_DOWNLOAD_BYTES", "MESSAGES_PER_SECOND_OVERALL", "MAX_CALLBACK_DATA_BYTES"):
        assert type(getattr(limits, name)) is int, name  # not an enum member: JSON and f-strings see a number
    assert limits.MAX_DOWNLOAD_BYTES == 20_000_000  # 20 MB as Telegram says it, not 20 MiB


def test_the_webhook_secret_pattern_allows_up_to_ptbs_longest_token():
    pattern = re.compile(limits.WEBHOOK_SECRET_PATTERN)
    longest = WebhookLimit.MAX_SECRET_TOKEN_LENGTH
    assert pattern.match("a" * longest) and not pattern.match("a" * (longest + 1))
    assert not pattern.match("") and not pattern.match("has space")
