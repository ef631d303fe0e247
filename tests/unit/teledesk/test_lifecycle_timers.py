"""teledesk.lifecycle.timers: what the lifecycle does for a conversation now, and when it looks again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from teledesk.lifecycle.timers import Action, Watched, due, wake_at
from teledesk.model import ConversationStatus

OPENED = 1_000_000.0
SLA_S = 300.0
PENDING_S = 86_400.0
FRESH = Watched(status=ConversationStatus.OPEN, opened_at=OPENED, sla_due_at=OPENED + SLA_S)


def test_a_new_conversation_is_looked_at_again_when_its_sla_comes_due():
    assert due(FRESH, OPENED, OPENED, PENDING_S) is None
    assert wake_at(FRESH, OPENED, OPENED, PENDING_S) == OPENED + SLA_S


def test_no_answer_by_the_due_time_breaches_the_sla_once():
    assert due(FRESH, OPENED, OPENED + SLA_S, PENDING_S) == Action.BREACH_SLA
    breached = replace(FRESH, sla_breached=True)
    assert due(breached, OPENED, OPENED + SLA_S + 1, PENDING_S) is None
    assert wake_at(breached, OPENED, OPENED + SLA_S, PENDING_S) == OPENED + SLA_S + PENDING_S


def test_an_answer_in_time_means_no_breach_even_in_the_second_the_sla_fires():
    """The step's transaction reads the conversation: an answer it sees first wins, whole."""
    answered = replace(FRESH, sla_due_at=None)  # an agent answered: the due time cleared
    assert due(answered, OPENED, OPENED + SLA_S, PENDING_S) is None
    assert due(answered, OPENED, OPENED + 10 * SLA_S, PENDING_S) is None


def test_an_open_answered_conversation_is_looked_at_again_as_late_as_it_could_come_due():
    answered = replace(FRESH, sla_due_at=None)
    now = OPENED + 100
    assert wake_at(answered, OPENED, now, PENDING_S) == now + PENDING_S  # were it set pending right now


def test_a_pending_conversation_is_resolved_after_the_customer_s_silence():
    since = OPENED + 500
    pending = replace(FRESH, status=ConversationStatus.PENDING, sla_due_at=None, pending_since=since)
    assert wake_at(pending, OPENED, since, PENDING_S) == since + PENDING_S
    assert due(pending, OPENED, since + PENDING_S - 1, PENDING_S) is None
    assert due(pending, OPENED, since + PENDING_S, PENDING_S) == Action.RESOLVE_IDLE


def test_the_sla_comes_first_when_both_are_due():
    both = replace(FRESH, status=ConversationStatus.PENDING, pending_since=OPENED)
    assert due(both, OPENED, OPENED + PENDING_S, PENDING_S) == Action.BREACH_SLA
    assert due(replace(both, sla_breached=True), OPENED, OPENED + PENDING_S, PENDING_S) == Action.RESOLVE_IDLE


@pytest.mark.parametrize("conversation", [
    None,  # gone
    replace(FRESH, status=ConversationStatus.RESOLVED),  # resolved by an agent or by the lifecycle
    replace(FRESH, opened_at=OPENED + 900),  # reopened: a newer watch owns it
])
def test_a_watch_is_over_once_its_opening_is(conversation):
    assert due(conversation, OPENED, OPENED + 10 * PENDING_S, PENDING_S) is None
    assert wake_at(conversation, OPENED, OPENED + SLA_S, PENDING_S) is None


def test_a_late_wake_never_asks_to_sleep_into_the_past():
    assert wake_at(FRESH, OPENED, OPENED + 2 * SLA_S, PENDING_S) == OPENED + 2 * SLA_S
