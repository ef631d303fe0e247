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

# setWebhook max_connections: "1-100. Defaults to 40." (the ceiling: teledesk.telegram.limits)
WEBHOOK_MAX_CONNECTIONS_DEFAULT = 40

# Bot command names: "1-32 characters. Can contain only lowercase English letters, digits and underscores."
BOT_COMMAND_MAX = 32

# Update types Telegram leaves out when allowed_updates is empty or never given.
DEFAULT_EXCLUDED_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

# --- media, files and the richer customer actions -------------------------------------------------

# sendPhoto: "The photo's width and height must not exceed 10000 in total. Width and height ratio
# must be at most 20." Telegram answers PHOTO_INVALID_DIMENSIONS otherwise.
PHOTO_MAX_DIMENSIONS_SUM = 10_000
PHOTO_MAX_RATIO = 20

# Telegram keeps several sizes of a photo; the stand-in adds one small one (the real upload is the
# last, largest size), so a desk that takes photo[0] instead of photo[-1] sees a thumbnail.
PHOTO_THUMBNAIL_SIDE = 90

# sendMediaGroup / albums: "2-10 items". A client sending more splits them into several albums.
MEDIA_GROUP_MAX = 10

# Poll: "question 1-300 characters", "a list of 1-12 answer options", each "1-100 characters".
POLL_QUESTION_MAX = 300
POLL_OPTIONS_MIN = 1
POLL_OPTIONS_MAX = 12
POLL_OPTION_MAX = 100

# sendDice: the emoji a dice can be based on, and its highest value (values start at 1).
DICE_VALUES = {"🎲": 6, "🎯": 6, "🏀": 5, "⚽": 5, "🎳": 6, "🎰": 64}

# ReactionTypeEmoji.emoji: "Currently, it can be one of ..." (Bot API type table).
REACTION_EMOJI = frozenset(
    {
        "❤",
        "👍",
        "👎",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "❤‍🔥",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "👨‍💻",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "🤷‍♂",
        "🤷",
        "🤷‍♀",
        "😡",
    }
)

# Deep-link payloads (t.me/bot?start=...): "up to 64 characters long", A-Z, a-z, 0-9, _ and -.
START_PAYLOAD_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# getUserProfilePhotos: "Values between 1-100 are accepted. Defaults to 100."
PROFILE_PHOTOS_LIMIT_MAX = 100

# Not Telegram limits: guards for the stand-in itself.
# A whole request may carry a maximal upload plus its form fields; anything larger is refused
# before it is read (413), so a runaway client cannot fill the disk or memory.
REQUEST_MAX_BYTES = 52 * 1024 * 1024
# A planned `delay` longer than this is a typo; it would pin a server thread for nothing.
FAILURE_DELAY_MAX = 600
