"""The emulator-hops floor's functions: loaded by functions-framework like the real steps.

`ingest` takes the webhook POST, reads the Update into an envelope and publishes it; `noop`
is an event step that passes the envelope on unchanged. Both stamp the trace with the real
step names (from BENCH_STEP), so the floor's stages line up with the desk's. Configuration
comes from the environment: BENCH_TOPIC_OUT, BENCH_STEP, BENCH_SECRET, GOOGLE_CLOUD_PROJECT.
"""

import functools
import hmac
import os

import flask
import functions_framework

from teledesk.envelope import Envelope
from teledesk.pubsub import Publisher, push_data
from teledesk.telegram.updates import envelope_from_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@functools.cache
def publisher() -> Publisher:
    return Publisher(os.environ["GOOGLE_CLOUD_PROJECT"])


@functions_framework.http
def ingest(request: flask.Request) -> tuple[dict, int]:
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not hmac.compare_digest(given, os.environ["BENCH_SECRET"].encode()):
        return {"ok": False}, 403
    envelope = envelope_from_update(request.get_json(force=True, silent=True)).stamp(os.environ["BENCH_STEP"])
    publisher().publish(os.environ["BENCH_TOPIC_OUT"], envelope.stamp(os.environ["BENCH_STEP"] + ":out"))
    return {"ok": True}, 200


@functions_framework.cloud_event
def noop(cloud_event) -> None:  # type: ignore[no-untyped-def]
    step = os.environ["BENCH_STEP"]
    envelope = Envelope.from_json(push_data(cloud_event)).stamp(step)
    publisher().publish(os.environ["BENCH_TOPIC_OUT"], envelope.stamp(step + ":out"))
