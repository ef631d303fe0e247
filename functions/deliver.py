"""deliver: send an agent's answer to Telegram once, record its delivery state, announce it.

The stored message is the idempotency record: a redelivered answer that was already sent or
failed is announced again, never sent again.
"""

from teledesk.envelope import Envelope
from teledesk.pipeline import Services, event_step
from teledesk.telegram.client import TelegramClient

FINAL_STATES = ("sent", "failed")


@event_step("deliver")
def deliver(envelope: Envelope, services: Services) -> Envelope | None:
    stored = services.store.message(envelope.chat_id, envelope.id)
    if stored is None:
        return None  # the relay stores before it publishes: an unknown id is not ours to send
    delivery = stored.get("delivery") or {}
    if delivery.get("state") not in FINAL_STATES:
        settings = services.settings
        outcome = TelegramClient(settings.telegram_bot_token, settings.telegram_api_base).send_text(
            envelope.chat_id, envelope.text
        )
        services.store.set_delivery(
            envelope.chat_id, envelope.id, outcome.state, outcome.reason, outcome.telegram_message_id
        )
        delivery = {"state": outcome.state, "reason": outcome.reason}
    envelope.extra["delivery"] = {
        "chat_id": envelope.chat_id,
        "client_id": envelope.extra.get("client_id"),
        "message_id": envelope.id,
        "state": delivery["state"],
        "reason": delivery.get("reason"),
    }
    return envelope
