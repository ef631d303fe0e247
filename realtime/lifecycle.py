"""What an agent's change of a conversation's status tells the rest of the desk (docs/lifecycle.md).

A resolve, reopen, pending or start, and an assign, is announced on the manifest's
`relay.announces` topic (autoreply asks for satisfaction on a resolve; the metrics count; the staff
forum's topic says it), and an opening no execution
of the lifecycle watches yet (a reopen, a start, an answer to a resolved conversation) is
published on the trigger topics of the workflows the relay publishes to. An opening whose
publish failed is so published again by the agent's next change of status; one published twice
is watched once (the first execution claims it).
"""

from __future__ import annotations

import uuid

from realtime.relay import current_relay
from teledesk.lifecycle.changes import announcements
from teledesk.model import Agent, Conversation


def agent_opening(agent: Agent) -> str:
    """The name of an opening an agent's action may make (`Conversation.opened_by`)."""
    return f"agent:{agent.username}:{uuid.uuid4().hex[:12]}"


def announce(conversation: Conversation, agent: Agent, change: str | None = None) -> None:
    """Publish `change` (by default the change of status `conversation` shows), and the
    conversation's opening while no execution watches it (a resolved one needs none)."""
    relay = current_relay()
    manifest = relay.manifest
    published = announcements(conversation, change or str(conversation.status), f"agent:{agent.username}",
                              announces=manifest.relay_announces, trigger_topics=manifest.publishes_to("relay"),
                              pending_resolve_s=relay.settings.desk_pending_resolve_s)
    for topic, envelope in published:
        relay.publisher.publish(topic, envelope)
