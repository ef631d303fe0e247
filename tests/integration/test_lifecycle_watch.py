"""The lifecycle's look at a conversation (teledesk.store.conversations.Conversations.watch) on the
Firestore emulator: the SLA breached once, an answer in time wins, an answer and the SLA at the
same moment leave one of the two whole, a pending conversation resolved after the silence, a
watch over once its opening is, and two satisfaction presses at once recording one rating."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from teledesk.envelope import Envelope, MessageType
from teledesk.inbound import RATING, Folded
from teledesk.lifecycle.openings import opening_key
from teledesk.lifecycle.timers import Action
from teledesk.model import Conversation, ConversationStatus, Priority, Resolution
from teledesk.store import Store
from teledesk.store.conversations import Watch

pytestmark = pytest.mark.integration

SLA_S = 300.0
PENDING_S = 86_400.0


@pytest.fixture
def store(own_project: str) -> Store:
    return Store(own_project)


def opened(store: Store, chat_id: int, at: float, sla_due_at: float) -> None:
    store.conversations.documents.conversation(chat_id).set(Conversation(
        chat_id=chat_id, created_at=at, opened_at=at, updated_at=at, sla_due_at=sla_due_at).complete().to_firestore())


def agent_answer(chat_id: int, n: int) -> Envelope:
    return Envelope(id=f"agent-{chat_id}-{n}", type=MessageType.AGENT, chat_id=chat_id, date=int(time.time()),
                    text="Hola, ¿en qué te ayudo?")


def test_no_answer_by_the_due_time_breaches_the_sla_once_and_raises_the_priority(store: Store):
    at = time.time() - SLA_S
    opened(store, 1, at, at + SLA_S)
    early = store.conversations.watch(1, at, at + 10, PENDING_S)
    assert early.done == () and early.wake_at == at + SLA_S
    look = store.conversations.watch(1, at, at + SLA_S, PENDING_S)
    assert look.done == (Action.BREACH_SLA,)
    stored = store.conversations.get(1)
    assert stored is not None and stored.sla_breached and stored.priority == Priority.HIGH
    assert store.conversations.watch(1, at, at + SLA_S + 5, PENDING_S).done == ()  # once


def test_an_answer_in_time_clears_the_due_time_and_nothing_is_breached(store: Store):
    at = time.time()
    opened(store, 2, at, at + SLA_S)
    store.answers.queue(2, agent_answer(2, 1))
    stored = store.conversations.get(2)
    assert stored is not None and stored.first_response_at is not None and stored.sla_due_at is None
    look = store.conversations.watch(2, at, at + SLA_S, PENDING_S)
    assert look.done == ()
    assert look.wake_at == at + SLA_S + PENDING_S  # were an agent to set it pending right then


def answer_as_the_sla_fires(store: Store, chat_id: int, at: float) -> tuple[Conversation, Watch]:
    """The agent's answer and the lifecycle's look, let go at the same instant: what each committed."""
    start = threading.Barrier(2)

    def answer() -> Conversation:
        start.wait()
        return store.answers.queue(chat_id, agent_answer(chat_id, 1))[1]

    def breach() -> Watch:
        start.wait()
        return store.conversations.watch(chat_id, at, time.time(), PENDING_S)

    with ThreadPoolExecutor(2) as pool:
        answered, looked = pool.submit(answer), pool.submit(breach)
        return answered.result(), looked.result()


def test_an_answer_as_the_sla_fires_leaves_one_of_the_two_whole(store: Store):
    for chat_id in (31, 32, 33, 34, 35):
        at = time.time() - SLA_S
        opened(store, chat_id, at, at + SLA_S)
        answered, look = answer_as_the_sla_fires(store, chat_id, at)
        final = store.conversations.get(chat_id)
        assert final is not None and final.first_response_at is not None and final.sla_due_at is None
        # Breached with the priority raised, or neither: never one without the other.
        assert (final.sla_breached, final.priority) in {(True, Priority.HIGH), (False, Priority.NORMAL)}
        # A breach only when it came first: then the answer's transaction read it; an answer that
        # committed first left nothing due. A look that read before the answer and wrote after it
        # (no transaction) would breach a conversation its answer saw unbreached.
        assert final.sla_breached == answered.sla_breached == (Action.BREACH_SLA in look.done)


def test_a_pending_conversation_is_resolved_after_the_customer_s_silence(store: Store):
    at = time.time()
    opened(store, 4, at, at + SLA_S)
    store.answers.queue(4, agent_answer(4, 1))
    pending = store.conversations.set_status(4, ConversationStatus.PENDING)
    assert pending is not None and pending.pending_since is not None
    since = pending.pending_since
    assert store.conversations.watch(4, at, since + 10, PENDING_S).wake_at == since + PENDING_S
    look = store.conversations.watch(4, at, since + PENDING_S, PENDING_S)
    assert look.done == (Action.RESOLVE_IDLE,) and look.wake_at is None  # resolved: the watch is over
    stored = store.conversations.get(4)
    assert stored is not None and stored.status == ConversationStatus.RESOLVED
    assert stored.last_resolution is not None and stored.last_resolution.resolved_at == since + PENDING_S
    assert stored.pending_since is None


def test_a_watch_is_over_once_its_conversation_opened_again_or_is_gone(store: Store):
    at = time.time()
    opened(store, 5, at, at + SLA_S)
    assert store.conversations.watch(5, at - 1000, at + SLA_S, PENDING_S).wake_at is None  # another opening's
    stored = store.conversations.get(5)
    assert stored is not None and not stored.sla_breached
    assert store.conversations.watch(6, at, at, PENDING_S).wake_at is None  # no such conversation


def rating_press(chat_id: int, press_id: str, opening: float, stars: int) -> Envelope:
    return Envelope(id=f"tg-callback-{press_id}", type=MessageType.CALLBACK, chat_id=chat_id, date=int(time.time()),
                    extra={"event": "callback", "callback": {"id": press_id, "data": "csat:…"},
                           RATING: {"chat_id": chat_id, "opening": opening_key(opening), "stars": stars}})


def test_two_presses_at_once_record_one_rating_the_first_committed(store: Store):
    for chat_id in (71, 72, 73):
        at = time.time() - 600
        store.conversations.documents.conversation(chat_id).set(Conversation(
            chat_id=chat_id, created_at=at, opened_at=at, updated_at=at, status=ConversationStatus.RESOLVED,
            last_resolution=Resolution(number=1, opened_at=at, resolved_at=at + 60)).complete().to_firestore())
        start = threading.Barrier(2)

        def press(press_id: str, stars: int, chat_id: int = chat_id, at: float = at,
                  start: threading.Barrier = start) -> Folded:
            start.wait()
            return store.inbound.record(rating_press(chat_id, press_id, at, stars))

        with ThreadPoolExecutor(2) as pool:
            folded = {press_id: pool.submit(press, press_id, stars) for press_id, stars in (("a", 5), ("b", 1))}
            counted = [press_id for press_id, done in folded.items()
                       if (csat := done.result().conversation.csat) is not None and csat.press == press_id]
        rated = store.conversations.get(chat_id)
        assert rated is not None and rated.csat is not None
        assert counted == [rated.csat.press]  # one press counted (and thanked): the one stored
        assert (rated.csat.press, rated.csat.rating) in {("a", 5), ("b", 1)}  # whole, never a mix


def test_an_agent_s_changes_of_status_on_the_lifecycle_s_fields(store: Store):
    at = time.time() - 100
    opened(store, 81, at, at + SLA_S)
    store.conversations.documents.conversation(81).update({"sla_breached": True, "priority": Priority.HIGH})
    pending = store.conversations.set_status(81, ConversationStatus.PENDING)
    assert pending is not None and pending.pending_since is not None
    back = store.conversations.set_status(81, ConversationStatus.OPEN, "agent:maria:1")
    assert back is not None and back.pending_since is None and back.opened_at == at  # not a new opening
    resolved = store.conversations.set_status(81, ConversationStatus.RESOLVED)
    assert resolved is not None and resolved.last_resolution is not None and resolved.last_resolution.opened_at == at
    reopened = store.conversations.set_status(81, ConversationStatus.OPEN, "agent:maria:2")
    assert reopened is not None and reopened.opened_by == "agent:maria:2" and reopened.opened_at > at
    assert (reopened.sla_due_at, reopened.sla_breached, reopened.priority) == (None, False, Priority.NORMAL)
    assert store.conversations.get(81) == reopened  # what was returned is what is stored
    store.conversations.set_status(81, ConversationStatus.RESOLVED)
    started, begun = store.conversations.start_next(81, "maria")
    assert started and begun is not None and begun.number == 2 and begun.opened_by == "agent:maria"
    assert begun.opened_at is not None and begun.opened_at > reopened.opened_at and begun.sla_due_at is None
