"""The store's memory of the conversations it wrote, and the field updates of its optimistic commits."""

from __future__ import annotations

from teledesk.store import KnownConversations, _changes


def test_a_known_conversation_is_handed_out_as_a_copy():
    known = KnownConversations()
    written = {"unread": 1, "customer": {"first_name": "Ana"}, "tags": ["a"]}
    known.put(7, written, "t1")
    written["customer"]["first_name"] = "changed after the write"
    conversation, update_time = known.get(7)
    assert (conversation, update_time) == ({"unread": 1, "customer": {"first_name": "Ana"}, "tags": ["a"]}, "t1")
    conversation["customer"]["first_name"] = "changed by a caller"
    conversation["tags"].append("b")
    assert known.get(7)[0] == {"unread": 1, "customer": {"first_name": "Ana"}, "tags": ["a"]}


def test_known_conversations_are_bounded_and_forget_the_least_recently_used():
    known = KnownConversations(size=2)
    known.put(1, {"n": 1}, "t1")
    known.put(2, {"n": 2}, "t2")
    assert known.get(1) is not None  # 1 is now the most recently used
    known.put(3, {"n": 3}, "t3")
    assert known.get(2) is None and known.get(1) is not None and known.get(3) is not None
    known.forget(1)
    assert known.get(1) is None


def test_only_changed_fields_are_written_each_replaced_whole():
    before = {"unread": 1, "status": "open", "customer": {"first_name": "Ana", "username": "ana"}}
    after = {**before, "unread": 2, "customer": {"first_name": "Ana"}, "last_message": {"text": "hola"}}
    assert _changes(before, after) == {"unread": 2, "customer": {"first_name": "Ana"},
                                       "last_message": {"text": "hola"}}


def test_a_write_that_changes_nothing_still_carries_a_field_for_its_precondition():
    before = {"unread": 1, "status": "open"}
    assert _changes(before, dict(before)) == {"unread": 1}


def test_field_names_that_are_not_plain_identifiers_are_quoted():
    assert _changes({}, {"a.b": 1, "plain": 2}) == {"`a.b`": 1, "plain": 2}
