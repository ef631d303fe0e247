"""Topics and subscriptions of the manifest, created on the Pub/Sub emulator.

The same wiring as production (Terraform reads the same manifest): every step is fed by a
push subscription with a retry policy and a dead-letter topic; the relay pulls. One difference,
forced by the emulator: its ordered push subscriptions get no dead-letter policy (see
`push_subscription_request`).
"""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1  # type: ignore[attr-defined]  # google-cloud-pubsub has no py.typed

from teledesk.manifest import Manifest, Step, Workflow
from teledesk.pubsub import ensure_topic


def _create_subscription(subscriber: pubsub_v1.SubscriberClient, request: dict[str, Any]) -> None:
    try:
        subscriber.create_subscription(request=request)
    except gexc.AlreadyExists:
        subscriber.delete_subscription(request={"subscription": request["name"]})
        subscriber.create_subscription(request=request)


def push_subscription_request(project_id: str, step: Step, topic: str, endpoint: str, *,
                              ordered: bool = True) -> dict[str, Any]:
    """A step's push subscription on the emulator: ordered by chat, as on Google Cloud.

    An ordered one gets no dead-letter policy here. The emulator cannot dead-letter from an
    ordered subscription: when a message reaches `max_delivery_attempts` (a step down for ~10 s
    of 1-2 s retries), the thread that pushes the subscription dies (a NullPointerException in
    its OrderedMessageBacklog, gcloud 528), and the step never gets another message of any chat
    until the emulator restarts. Without the policy the emulator retries for as long as it takes,
    which is what a step that crashed and was started again needs. Google Cloud dead-letters
    (Terraform keeps the policy); `ordered=False` gives the policy, for the tests of dead-lettering.
    """
    retry = step.retry
    assert retry is not None
    request: dict[str, Any] = {
        "name": f"projects/{project_id}/subscriptions/{step.subscription(topic)}",
        "topic": f"projects/{project_id}/topics/{topic}",
        "push_config": {"push_endpoint": endpoint},
        "ack_deadline_seconds": retry.ack_deadline_s,
        "enable_message_ordering": ordered,
        "retry_policy": {
            "minimum_backoff": {"seconds": retry.minimum_backoff_s},
            "maximum_backoff": {"seconds": retry.maximum_backoff_s},
        },
    }
    if not ordered:
        request["dead_letter_policy"] = {
            "dead_letter_topic": f"projects/{project_id}/topics/{step.dead_letter_topic}",
            "max_delivery_attempts": retry.max_delivery_attempts,
        }
    if step.filter:
        request["filter"] = step.filter
    return request


TRIGGER_ACK_DEADLINE_S = 30  # the server answers once an execution has started


def trigger_subscription(workflow: Workflow) -> str:
    """The push subscription that starts `workflow` locally, as its Eventarc trigger does on GCP."""
    return f"{workflow.name}-trigger"


def create_topology(project_id: str, manifest: Manifest, step_endpoints: dict[str, str],
                    trigger_endpoints: dict[str, str] | None = None) -> None:
    """Create every topic and subscription; `step_endpoints` maps step name → push URL,
    `trigger_endpoints` workflow name → where its trigger topic's messages start an execution."""
    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    for topic in manifest.topics:
        ensure_topic(publisher, publisher.topic_path(project_id, topic), manifest.retention_s)
    for step in manifest.steps:
        for topic in step.topics_in:
            _create_subscription(subscriber, push_subscription_request(project_id, step, topic,
                                                                       step_endpoints[step.name]))
        _create_subscription(subscriber, {
            "name": subscriber.subscription_path(project_id, manifest.dead_letter_subscription(step)),
            "topic": publisher.topic_path(project_id, step.dead_letter_topic),
        })
    for workflow in manifest.workflows:
        endpoint = (trigger_endpoints or {}).get(workflow.name)
        if endpoint is None:
            continue  # not run here: its openings wait on the topic (retained), as with no trigger
        _create_subscription(subscriber, {
            "name": subscriber.subscription_path(project_id, trigger_subscription(workflow)),
            "topic": publisher.topic_path(project_id, workflow.trigger_topic),
            "push_config": {"push_endpoint": endpoint},
            "ack_deadline_seconds": TRIGGER_ACK_DEADLINE_S,
            "retry_policy": {"minimum_backoff": {"seconds": 1}, "maximum_backoff": {"seconds": 60}},
        })
    for topic in manifest.relay_subscribes:
        _create_subscription(subscriber, {
            "name": subscriber.subscription_path(project_id, manifest.relay_subscription(topic)),
            "topic": publisher.topic_path(project_id, topic),
            "enable_message_ordering": True,
            "ack_deadline_seconds": manifest.relay_ack_deadline_s,
        })
