"""teledesk.replay.dead_letters against a fake hold: the cases the emulator cannot show (a step fed
by several topics, Google Cloud's full source path, dead letters of an ordered subscription, a
failed publish) and the rules that make a run end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from replay_fakes import (
    COUNT,
    ENRICH,
    NOW,
    PROJECT,
    FakeRepublisher,
    FakeSubscriber,
    dead_lettered,
    envelope_bytes,
    held,
)

from teledesk.manifest import Step
from teledesk.replay.dead_letters import move_dead_letters
from teledesk.replay.refusals import ReplayError


def run(hold: FakeSubscriber, step=ENRICH, **options):
    publisher = FakeRepublisher(hold.calls, fail_for=options.pop("fail_for", None))
    lines: list[str] = []
    outcome = move_dead_letters(hold, publisher, PROJECT, step, report=lines.append, clock=lambda: NOW, **options)
    return outcome, publisher, lines


@pytest.mark.parametrize("full_path", [True, False], ids=["Google Cloud's full path", "the emulator's name"])
def test_a_dead_letter_goes_back_to_the_topic_its_subscription_feeds_from_as_it_was(full_path):
    data = envelope_bytes(chat_id=7, n=3)
    hold = FakeSubscriber(available=[dead_lettered(1, COUNT, "deliveries", data, full_path=full_path, type="AGENT",
                                                   chat_id="7", schema="1", trace="abc")])
    outcome, publisher, lines = run(hold, COUNT)
    assert publisher.published == [{"topic": "projects/desk/topics/deliveries", "data": data, "ordering_key": "7",
                                    "attributes": {"type": "AGENT", "chat_id": "7", "schema": "1", "trace": "abc"}}]
    assert hold.acked == ["held-1"] and not hold.outstanding and not hold.available
    assert hold.calls.index(("publish", "tg-7-3")) < hold.calls.index(("ack", "held-1"))  # acked once published
    assert lines == ["moved tg-7-3 (chat 7) to deliveries"]
    assert outcome.describe("count") == "count: moved 1 from count-dead-letter-hold back to deliveries"


def test_a_copy_of_another_steps_dead_letter_stays_in_the_hold_so_no_phantom_is_made():
    """The metrics step watches the other steps' dead-letter topics; what it gave up on is a copy of
    what those steps' holds keep, so it is not published on a dead-letter topic again."""
    watcher = Step(name="count", source="functions/count.py", entry_point="count", retry=COUNT.retry,
                   topics_in=("deliveries", "enrich-dead-letter"), watches=("enrich",))
    hold = FakeSubscriber(available=[dead_lettered(1, watcher, "enrich-dead-letter", envelope_bytes(n=1))])
    outcome, publisher, _ = run(hold, watcher)
    assert publisher.published == [] and hold.acked == []
    assert "enrich-dead-letter-hold keeps too: replay that step's dead letters instead" in outcome.left["held-1"]


def test_a_parked_message_gets_its_routing_attributes_and_chat_ordering_key_back_from_the_envelope():
    data = envelope_bytes(chat_id=42, n=1)
    hold = FakeSubscriber(available=[held(1, data, {"error": "schema 9 is newer than this step reads"})])
    _, publisher, _ = run(hold)
    [published] = publisher.published
    assert published["topic"] == "projects/desk/topics/messages-classified"
    assert published["ordering_key"] == "42"
    assert published["attributes"] == {"type": "CLIENT", "chat_id": "42", "schema": "1"}  # the park reason dropped


def test_what_cannot_be_placed_stays_in_the_hold_with_the_reason_and_is_given_back():
    hold = FakeSubscriber(available=[
        held(1, envelope_bytes(n=1), {"error": "unreadable"}),  # parked: which of count's two topics?
        held(2, b"{not json", {"error": "not JSON"}),
        dead_lettered(3, ENRICH, "messages-classified", envelope_bytes(n=3)),  # another step's subscription
    ])
    outcome, publisher, lines = run(hold, COUNT)
    assert publisher.published == [] and hold.acked == []
    assert outcome.left == {
        "held-1": "parked without its source, and count has several topics: say which with --topic",
        "held-2": "not an envelope, so no step would take it back: not JSON: Expecting property name enclosed in "
                  "double quotes: line 1 column 2 (char 1)",
        "held-3": "dead-lettered by projects/desk/subscriptions/enrich-push, which does not feed count"}
    assert sorted(m.message.message_id for m in hold.available) == ["held-1", "held-2", "held-3"]  # given back
    assert f"left held-1 in count-dead-letter-hold: {outcome.left['held-1']}" in lines
    assert outcome.describe("count") == \
        "count: moved 0 from count-dead-letter-hold back to its input; 3 left in the hold"


def test_with_a_topic_only_what_came_from_it_moves_and_parked_messages_are_taken_as_from_it():
    hold = FakeSubscriber(available=[
        held(1, envelope_bytes(n=1), {"error": "unreadable"}),
        dead_lettered(2, COUNT, "messages-enriched", envelope_bytes(n=2)),
        dead_lettered(3, COUNT, "deliveries", envelope_bytes(n=3)),
    ])
    outcome, publisher, _ = run(hold, COUNT, only="deliveries")
    deliveries = "projects/desk/topics/deliveries"
    assert sorted((p["topic"], p["data"]) for p in publisher.published) == [
        (deliveries, envelope_bytes(n=1)), (deliveries, envelope_bytes(n=3))]
    assert outcome.left == {"held-2": "came from messages-enriched, not --topic deliveries"}


def test_held_messages_go_back_in_the_order_they_were_first_published():
    hold = FakeSubscriber(available=[
        dead_lettered(1, ENRICH, "messages-classified", envelope_bytes(n=2), first_published="2026-05-08T11:00:02Z"),
        dead_lettered(2, ENRICH, "messages-classified", envelope_bytes(n=1), first_published="2026-05-08T11:00:01Z"),
        dead_lettered(3, ENRICH, "messages-classified", envelope_bytes(n=3), first_published="not a time"),
    ])
    _, publisher, _ = run(hold)
    assert [p["data"] for p in publisher.published] == [envelope_bytes(n=1), envelope_bytes(n=2), envelope_bytes(n=3)]


def test_a_failed_publish_acknowledges_nothing_of_it_or_what_follows():
    hold = FakeSubscriber(available=[dead_lettered(n, ENRICH, "messages-classified", envelope_bytes(n=n),
                                                   first_published=f"2026-05-08T11:00:0{n}Z") for n in (1, 2, 3)])
    with pytest.raises(ReplayError) as failed:
        run(hold, fail_for="tg-42-2")
    assert str(failed.value) == ("could not publish tg-42-2 on messages-classified: 503 the service is unavailable. "
                                 "Moved 1 before it; it and the rest stay in the hold")
    assert hold.acked == ["held-1"]
    assert sorted(m.message.message_id for m in hold.available) == ["held-2", "held-3"]


def test_max_moves_that_many_and_leaves_the_rest_untouched():
    hold = FakeSubscriber(available=[dead_lettered(n, ENRICH, "messages-classified", envelope_bytes(n=n))
                                     for n in range(1, 6)])
    outcome, _, _ = run(hold, max_messages=2)
    assert len(outcome.moved) == 2 and hold.acked == ["held-1", "held-2"]
    assert [c for c in hold.calls if c[0] == "pull"] == [("pull", 2)]
    assert len(hold.available) == 3 and not hold.outstanding


def test_a_run_leaves_what_reached_the_hold_after_it_started_and_data_it_moved_already():
    data = envelope_bytes(n=1)
    hold = FakeSubscriber(available=[
        dead_lettered(1, ENRICH, "messages-classified", data),
        held(2, data, {"error": "failed again"}, reached=NOW - timedelta(minutes=1)),  # the same data again
        held(3, envelope_bytes(n=3), {"error": "failed again"}, reached=NOW + timedelta(seconds=1)),
    ])
    outcome, publisher, _ = run(hold)
    assert [p["data"] for p in publisher.published] == [data]
    assert outcome.left == {"held-2": "this run moved the same data already: the next run moves it",
                            "held-3": "reached the hold after this run started (did it fail again?): "
                                      "the next run moves it"}


def test_a_run_ends_when_the_hold_offers_only_what_it_left_already():
    hold = FakeSubscriber(available=[held(n, b"garbage", {"error": "x"}) for n in (1, 2)])
    original_pull = hold.pull

    def pull_giving_back_first(*, request, timeout):  # as if the ack deadline of the left ones had run out
        for ack_id in list(hold.outstanding):
            hold.available.append(hold.outstanding.pop(ack_id))
        return original_pull(request=request, timeout=timeout)

    hold.pull = pull_giving_back_first
    outcome, _, _ = run(hold)
    assert set(outcome.left) == {"held-1", "held-2"}
    assert [c for c in hold.calls if c[0] == "pull"] == [("pull", 50), ("pull", 50)]


def test_an_empty_hold_moves_nothing():
    outcome, publisher, lines = run(FakeSubscriber())
    assert outcome.moved == [] and publisher.published == [] and lines == []
    assert outcome.describe("enrich") == "enrich: moved 0 from enrich-dead-letter-hold back to its input"
