"""Every Telegram limit the desk relies on, named once."""

MAX_MESSAGE_LENGTH = 4096
"""Characters in one sendMessage text."""

MAX_CAPTION_LENGTH = 1024
"""Characters in a media caption."""

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""getFile serves files up to 20 MB from Telegram's own Bot API server."""

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""Files a bot may upload through Telegram's own Bot API server."""

MESSAGES_PER_SECOND_PER_CHAT = 1
MESSAGES_PER_SECOND_OVERALL = 30

WEBHOOK_SECRET_PATTERN = r"^[A-Za-z0-9_-]{1,256}$"
"""What Telegram accepts as setWebhook's secret_token."""

UPDATE_DEDUPE_TTL_DAYS = 7
"""How long an update_id is remembered; Telegram keeps undelivered updates for 24 hours."""
