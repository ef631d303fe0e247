"""Every Telegram limit the desk relies on, named once: python-telegram-bot's constants where it
has them (they follow the Bot API documentation), the desk's own figures below them."""

from telegram.constants import (
    FileSizeLimit,
    FloodLimit,
    ForumTopicLimit,
    InlineKeyboardButtonLimit,
    MessageLimit,
    WebhookLimit,
)

MAX_MESSAGE_LENGTH = int(MessageLimit.MAX_TEXT_LENGTH)
"""Characters in one sendMessage text (4096)."""

MAX_CAPTION_LENGTH = int(MessageLimit.CAPTION_LENGTH)
"""Characters in a media caption (1024)."""

MAX_DOWNLOAD_BYTES = int(FileSizeLimit.FILESIZE_DOWNLOAD)
"""getFile serves files up to 20 MB (20,000,000 bytes) from Telegram's own Bot API server."""

MAX_UPLOAD_BYTES = int(FileSizeLimit.FILESIZE_UPLOAD)
"""Files a bot may upload through Telegram's own Bot API server (50 MB)."""

MESSAGES_PER_SECOND_PER_CHAT = int(FloodLimit.MESSAGES_PER_SECOND_PER_CHAT)
MESSAGES_PER_SECOND_OVERALL = int(FloodLimit.MESSAGES_PER_SECOND)

MAX_CALLBACK_DATA_BYTES = int(InlineKeyboardButtonLimit.MAX_CALLBACK_DATA)
"""An inline button's callback_data: 1-64 bytes."""

MAX_WEBHOOK_CONNECTIONS = int(WebhookLimit.MAX_CONNECTIONS_LIMIT)
"""setWebhook's max_connections: 1-100."""

WEBHOOK_SECRET_PATTERN = rf"^[A-Za-z0-9_-]{{1,{int(WebhookLimit.MAX_SECRET_TOKEN_LENGTH)}}}$"
"""What Telegram accepts as setWebhook's secret_token."""

UPDATE_DEDUPE_TTL_DAYS = 7
"""How long an update_id is remembered; Telegram keeps undelivered updates for 24 hours."""

MESSAGES_PER_MINUTE_PER_GROUP = int(FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP)
"""Messages a bot may send to one group a minute (20): the staff forum's budget, every topic together."""

BUSINESS_REPLY_WINDOW_S = 24 * 60 * 60
"""A business bot may send and edit messages only in the chats that had incoming messages in the last
24 hours (BusinessBotRights.can_reply)."""

MAX_TOPIC_NAME_LENGTH = int(ForumTopicLimit.MAX_NAME_LENGTH)
"""createForumTopic's and editForumTopic's `name`: 1-128 characters."""
