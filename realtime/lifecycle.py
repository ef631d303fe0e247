"""What an agent's change of a conversation's status tells the rest of the desk (docs/lifecycle.md).

A resolve, reopen, pending or start is announced on the manifest's `relay.announces` topic
(autoreply asks for satisfaction on a resolve; the metrics count), and an opening it made (a
reopen, a start, an answer to a resolved conversation) is published on the trigger topics of the
workflows the relay publishes to, so the lifecycle watches it.
"""

from __future__ import annotations

import uuid

from realtime.relay import current_relay
from teledesk.lifecycle.changes import change_envelope
from teledesk.lifecycle.openings import opening_envelope
from teledesk.model import Agent, Conversation


def opened_by(agent: Agent) -> str:
    """A new name for the opening an agent's action may make: whether it made one is then known."""
    return f"agent:{agent.username}:{uuid.uuid4().hex[:12]}"


def announce(conversation: Conversation, agent: Agent, opening: str | None = None) -> None:
    """Publish the change of status `conversation` shows, and its opening if `opening` made it."""
    relay = current_relay()
    manifest = relay.manifest
    if opening is not None and conversation.opened_by == opening:
        for topic in manifest.publishes_to("relay"):
            relay.publisher.publish(topic, opening_envelope(conversation))
    if manifest.relay_announces:
        change = change_envelope(conversation, str(conversation.status), f"agent:{agent.username}")
        relay.publisher.publish(manifest.relay_announces, change)
