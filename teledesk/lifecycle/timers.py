"""What the lifecycle has to do for a conversation now, and when it must look again.

An execution of the lifecycle workflow watches one opening of one conversation (docs/lifecycle.md).
Each time it wakes it calls the timers step, which does what `due` says in a transaction, on
the conversation as that transaction read it, and answers the workflow `wake_at`: when to call
again, or that the watch is over. Both are decided here, from what the conversation holds, so
that every rule has a unit test and the workflow's YAML stays a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from teledesk.model import Conversation, ConversationStatus


class Action(StrEnum):
    BREACH_SLA = "breach_sla"  # no agent answered by the due time: flag it, raise the priority
    RESOLVE_IDLE = "resolve_idle"  # pending, and the customer silent for DESK_PENDING_RESOLVE_S: resolve it


@dataclass(frozen=True)
class Watched:
    """What the lifecycle reads of a conversation."""

    status: ConversationStatus
    opened_at: float  # when its current opening began: a later opening has a watch of its own
    sla_due_at: float | None = None  # cleared by an agent's answer
    sla_breached: bool = False
    pending_since: float | None = None  # when an agent set it pending (a customer message reopens it)


def opened_at_of(conversation: Conversation) -> float:
    """When its current opening began (an opening from before the lifecycle: its creation)."""
    return conversation.opened_at if conversation.opened_at is not None else conversation.created_at


def watched(conversation: Conversation) -> Watched:
    """What the lifecycle reads of a conversation."""
    return Watched(status=ConversationStatus(conversation.status), opened_at=opened_at_of(conversation),
                   sla_due_at=conversation.sla_due_at, sla_breached=conversation.sla_breached,
                   pending_since=conversation.pending_since)


OPENING_TOLERANCE_S = 0.001  # an opening's time may come back from JSON a few digits short


def _watch_over(conversation: Watched | None, opening: float) -> bool:
    return (conversation is None or abs(conversation.opened_at - opening) > OPENING_TOLERANCE_S
            or conversation.status == ConversationStatus.RESOLVED)


def _sla_at(conversation: Watched) -> float | None:
    """When the first-response SLA breaches, while it still can (no agent has answered: an answer
    clears the due time)."""
    return None if conversation.sla_breached else conversation.sla_due_at


def _idle_at(conversation: Watched, pending_resolve_s: float) -> float | None:
    """When a pending conversation is resolved for silence."""
    if conversation.status != ConversationStatus.PENDING or conversation.pending_since is None:
        return None
    return conversation.pending_since + pending_resolve_s


def due(conversation: Watched | None, opening: float, now: float, pending_resolve_s: float) -> Action | None:
    """What the watch of `opening` must do now (the SLA first, when both are due); None: nothing."""
    if conversation is None or _watch_over(conversation, opening):
        return None
    sla_at = _sla_at(conversation)
    if sla_at is not None and sla_at <= now:
        return Action.BREACH_SLA
    idle_at = _idle_at(conversation, pending_resolve_s)
    if idle_at is not None and idle_at <= now:
        return Action.RESOLVE_IDLE
    return None


def wake_at(conversation: Watched | None, opening: float, now: float, pending_resolve_s: float) -> float | None:
    """When the watch of `opening` must look again (epoch seconds), once what is due now is done;
    None when the watch is over (resolved, gone, or opened again under another watch).

    An open conversation may be set pending at any moment, by an agent, without the lifecycle
    being told; its silence then comes due `pending_resolve_s` later at the earliest, so an open
    conversation is looked at again no later than that.
    """
    if conversation is None or _watch_over(conversation, opening):
        return None
    times = [t for t in (_sla_at(conversation), _idle_at(conversation, pending_resolve_s)) if t is not None]
    if conversation.status == ConversationStatus.OPEN or conversation.pending_since is None:
        times.append(now + pending_resolve_s)
    return max(now, min(times))
