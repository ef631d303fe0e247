"""The stand-in's Flask app: Bot API, customer page and test hooks on one port."""

from __future__ import annotations

from flask import Flask

from . import bot_editing  # noqa: F401  (registers its Bot API methods)
from .bot_api import bot_api
from .bot_forum import forum_hooks
from .bot_media import bot_files
from .business_api import business_hooks
from .customer_api import customer_api
from .delivery import RETRY_INITIAL, RETRY_MAX
from .hooks_api import hooks_api
from .limits import REQUEST_MAX_BYTES
from .state import StandinState


def create_app(
    token: str,
    *,
    bot_username: str = "teledesk_bot",
    deliver_timeout: float = 5.0,
    retry_initial: float = RETRY_INITIAL,
    retry_max: float = RETRY_MAX,
) -> Flask:
    """A fresh stand-in for the bot `token`.

    `deliver_timeout` bounds each webhook POST; `retry_initial`/`retry_max` are the webhook
    backoff (Telegram-like 1 s doubling to 30 s; tests shrink them). Call
    `app.extensions["standin"].close()` to stop the webhook worker.
    """
    if not token:
        raise ValueError("the stand-in needs a bot token to answer to")
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    # Telegram's field order, not alphabetical; and UTF-8 text as Telegram sends it.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # Bodies over a maximal upload are refused (413) before they are read.
    app.config["MAX_CONTENT_LENGTH"] = REQUEST_MAX_BYTES
    app.extensions["standin"] = StandinState(
        token,
        bot_username=bot_username,
        deliver_timeout=deliver_timeout,
        retry_initial=retry_initial,
        retry_max=retry_max,
    )
    app.register_blueprint(bot_api)
    app.register_blueprint(bot_files)
    app.register_blueprint(customer_api)
    app.register_blueprint(hooks_api)
    app.register_blueprint(business_hooks)
    app.register_blueprint(forum_hooks)
    return app
