"""Telegram limits the stand-in enforces that `teledesk.telegram.limits` does not (yet) name.

The shared ones (message length, webhook secret pattern) are imported from
`teledesk.telegram.limits`, the desk's single list; these are the extra ones only a Bot API
server needs, and belong there too if the desk ever needs them. If the stand-in were more
lenient than Telegram, the desk could pass every local test and still fail in production (a
300-update poll, a 70-byte callback_data), so they mirror the Bot API documentation.
"""

from __future__ import annotations

# User.first_name / last_name as Telegram clients allow them.
USER_NAME_MAX = 64

# getUpdates: "Values between 1-100 are accepted. Defaults to 100."
GET_UPDATES_LIMIT_MAX = 100

# getUpdates long-poll timeout. Telegram does not document a ceiling, but answers after about
# 50 s at most; capping here keeps a stray huge value from pinning a server thread for hours.
GET_UPDATES_TIMEOUT_MAX = 50

# setWebhook max_connections: "1-100. Defaults to 40."
WEBHOOK_MAX_CONNECTIONS_DEFAULT = 40
WEBHOOK_MAX_CONNECTIONS_MAX = 100

# InlineKeyboardButton.callback_data: "1-64 bytes".
CALLBACK_DATA_MAX_BYTES = 64

# Bot command names: "1-32 characters. Can contain only lowercase English letters, digits and underscores."
BOT_COMMAND_MAX = 32

# Update types Telegram leaves out when allowed_updates is empty or never given.
DEFAULT_EXCLUDED_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
