"""functions/staffroom.py without a staff forum: off, every message acked, nothing done."""

from __future__ import annotations

from step_fakes import CHAT, envelope_event

from functions.staffroom import staffroom
from teledesk.envelope import Envelope, MessageType
from teledesk.pipeline import Services


def test_without_a_staff_chat_the_step_does_nothing(svc: Services):
    assert svc.settings.desk_staff_chat_id is None
    message = Envelope(id=f"tg-{CHAT}-1", type=MessageType.CLIENT, chat_id=CHAT, date=1, text="hola",
                       extra={"event": "message", "conversation": {"chat_id": CHAT}})
    staff = Envelope(id="tg--100-1", type=MessageType.STAFF, chat_id=-100, date=1, text="hola")
    for envelope in (message, staff):
        assert staffroom(envelope_event(envelope)) is None
    assert svc.publisher.published == []
