import json

import pytest

from teledesk.envelope import SCHEMA_VERSION, Envelope, EnvelopeError, MessageType


def make() -> Envelope:
    return Envelope(id="tg-1-2", type=MessageType.CLIENT, chat_id=1, date=1700000000, text="hola",
                    customer={"id": 1}, extra={"update": {"update_id": 9}})


def test_round_trip_keeps_every_field_and_what_later_steps_added():
    envelope = make()
    envelope.extra["conversation"] = {"unread": 1}
    again = Envelope.from_json(envelope.to_json())
    assert again == envelope
    assert json.loads(envelope.to_json())["update"] == {"update_id": 9}


def test_attributes_carry_the_routing_facts_as_strings():
    assert make().attributes() == {"type": "CLIENT", "chat_id": "1", "schema": str(SCHEMA_VERSION)}


def test_stamp_records_each_step_in_milliseconds():
    envelope = make().stamp("classify").stamp("classify:out")
    assert set(envelope.trace) == {"classify", "classify:out"}
    assert envelope.trace["classify:out"] >= envelope.trace["classify"] > 1.7e12


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"id": "x"}', b'{"id":"x","type":"CLIENT","chat_id":"abc",'
                                 b'"date":1}', json.dumps({**make().to_dict(), "schema": 99}).encode(), b"\xff\xfe"])
def test_unreadable_input_raises_envelope_error(raw):
    with pytest.raises(EnvelopeError):
        Envelope.from_json(raw)
