"""A local Telegram: a Bot-API-compatible server plus a customer chat page.

Lets a developer without a bot token play the customer while the desk plays the bot. Run it
with `python -m devtools.standin --port 8082 --token 123456:TOKEN`, or build it in-process with
`create_app(token)`.
"""

from .app import create_app

__all__ = ["create_app"]
