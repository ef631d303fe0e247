import pytest

from teledesk.pipeline import accepts
from teledesk.pubsub import MAX_ATTRIBUTE_BYTES, park


@pytest.mark.parametrize(("expression", "attributes", "expected"), [
    (None, {}, True),
    ('attributes.type = "UPDATE"', {"type": "UPDATE"}, True),
    ('attributes.type = "UPDATE"', {"type": "CLIENT"}, False),
    ('attributes.type = "UPDATE"', {}, False),
    ('attributes.type != "BOT"', {"type": "CLIENT"}, True),
    ('attributes.type = "AGENT" AND attributes.schema = "1"', {"type": "AGENT", "schema": "1"}, True),
    ('attributes.type = "AGENT" AND attributes.schema = "1"', {"type": "AGENT", "schema": "2"}, False),
])
def test_filters_are_checked_by_the_step_itself(expression, attributes, expected):
    assert accepts(expression, attributes) is expected


def test_a_filter_the_desk_cannot_evaluate_is_an_error_not_a_pass():
    with pytest.raises(ValueError):
        accepts('hasPrefix(attributes.type, "C")', {"type": "CLIENT"})


def test_a_parked_messages_reason_fits_pubsubs_attribute_limit_in_bytes():
    class Recorder:
        def publish_raw(self, topic, data, attributes):
            self.attributes = attributes

    recorder = Recorder()
    park(recorder, "x-dead-letter", b"raw", "ñ" * 2000)  # 2 bytes a character
    reason = recorder.attributes["error"]
    assert len(reason.encode("utf-8")) <= MAX_ATTRIBUTE_BYTES and set(reason) == {"ñ"}
