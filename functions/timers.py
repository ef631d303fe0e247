"""timers: the step the conversation workflow calls (workflows/conversation.yaml) when a timer of
the conversation's lifecycle may be due.

`POST {chat_id, opened_at, run}` looks at one opening of a conversation: what is due is done in
one Firestore transaction (an SLA breach, an auto-resolve: teledesk.lifecycle.timers), published
on the step's `topic_out` as a conversation change (the consoles show it, autoreply sends the
closing message and the satisfaction question, the metrics count it), and the answer tells the
workflow when to ask again: `{"done": false, "sleep_s": n}`, or `{"done": true}` once the watch
is over. Only the workflow calls it: on Google Cloud with an OIDC token, through internal
ingress (Terraform); locally the workflows server on 127.0.0.1.

Idempotent: a repeated call finds nothing due. What was done but not yet published (a publish
that failed) is published by the next call; a second execution for the same opening (a trigger
delivered twice) is told the watch is over.
"""

from __future__ import annotations

import logging
import math
import time

import flask
import functions_framework
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from teledesk import pipeline
from teledesk.lifecycle.changes import LIFECYCLE, change_envelope
from teledesk.logs import configure

STEP = "timers"
configure(STEP)

MAX_BODY_BYTES = 4096
MAX_SLEEP_S = 365 * 24 * 3600  # what Workflows' sys.sleep takes

log = logging.getLogger("teledesk.timers")


class Look(BaseModel):
    """The workflow's call: which opening of which conversation, by which execution."""

    model_config = ConfigDict(extra="ignore", strict=False)

    chat_id: int
    opened_at: float = Field(gt=0)
    run: str = Field(default="", max_length=64)


def _refused(status: int, description: str) -> tuple[dict[str, object], int]:
    log.warning("timers: refused a call with %s: %s", status, description)
    return {"error": description}, status


@functions_framework.http
def timers(request: flask.Request) -> tuple[dict[str, object], int]:
    if request.method != "POST":
        return _refused(405, "POST {chat_id, opened_at, run}")
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _refused(413, "body too large")
    try:
        look = Look.model_validate_json(body)
    except ValidationError as exc:
        return _refused(400, f"expected {{chat_id, opened_at, run}}: {exc.error_count()} invalid field(s)")
    svc = pipeline.services()  # looked up per call, as event_step does
    now = time.time()
    watch = svc.store.conversations.watch(look.chat_id, look.opened_at, now, svc.settings.desk_pending_resolve_s,
                                          look.run)
    if watch.unannounced and watch.conversation is not None:
        topic = svc.manifest.step(STEP).output
        for action in watch.unannounced:
            svc.publisher.publish(topic, change_envelope(watch.conversation, action, LIFECYCLE).stamp(STEP))
        svc.store.conversations.announced(look.chat_id, watch.unannounced)
        log.info("timers: conversation %s: %s → %s", look.chat_id, ", ".join(watch.unannounced), topic)
    if watch.wake_at is None:
        return {"done": True, "sleep_s": 0}, 200
    sleep_s = min(MAX_SLEEP_S, max(1, math.ceil(watch.wake_at - now)))
    return {"done": False, "sleep_s": sleep_s}, 200
