"""The path a customer's message takes, read from the manifest, and the floor's copy of it.

The path runs from the webhook step's `topic_out` through the event steps to the first topic
the relay subscribes to. Nothing here names classify or enrich: adding a step to the manifest
adds a no-op hop to the floor and a row to the stage table.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from teledesk.manifest import Manifest, Step

WEBHOOK_STEP = "ingest"
FLOOR_PREFIX = "bench-"


@dataclass(frozen=True)
class Path:
    webhook: Step  # the HTTP entry point
    steps: tuple[Step, ...]  # the event steps in order, each fed by the previous one's topic
    relay_topic: str  # the topic the relay streaming-pulls at the end

    @property
    def topics(self) -> tuple[str, ...]:
        """The topic of each Pub/Sub leg: webhook → steps[0] → … → relay."""
        return tuple(topic for topic in (self.webhook.topic_out, *(s.topic_out for s in self.steps)) if topic)


def message_path(manifest: Manifest, webhook: str = WEBHOOK_STEP) -> Path:
    """The shortest chain of steps from `webhook`'s topic to a topic the relay subscribes to."""
    entry = manifest.step(webhook)
    relay_topics = set(manifest.relay_subscribes)
    if entry.topic_out is None:
        raise ValueError(f"{webhook} publishes nothing")
    queue: deque[tuple[str, tuple[Step, ...]]] = deque([(entry.topic_out, ())])
    seen = {entry.topic_out}
    while queue:
        topic, steps = queue.popleft()
        if topic in relay_topics:
            return Path(entry, steps, topic)
        for step in manifest.steps:
            if topic in step.topics_in and step.topic_out is not None and step.topic_out not in seen:
                seen.add(step.topic_out)
                queue.append((step.topic_out, (*steps, step)))
    raise ValueError(f"no chain of steps leads from {entry.topic_out!r} to a topic the relay subscribes to")


def _renamed(step: Step) -> Step:
    return replace(step, name=FLOOR_PREFIX + step.name, topic_out=FLOOR_PREFIX + step.topic_out,
                   topics_in=tuple(FLOOR_PREFIX + topic for topic in step.topics_in))


def floor_manifest(manifest: Manifest, path: Path) -> Manifest:
    """The same path under `bench-` names: same retry, dead-letter, ordering and relay subscription."""
    return replace(
        manifest,
        http=(_renamed(path.webhook),),
        steps=tuple(_renamed(s) for s in path.steps),
        relay_subscribes=(FLOOR_PREFIX + path.relay_topic,),
        relay_publishes=FLOOR_PREFIX + manifest.relay_publishes,
    )
