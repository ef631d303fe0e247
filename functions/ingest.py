"""ingest: Telegram's webhook. Checks the secret and the Update, publishes, notes it, answers at once.

The Update is read at the edge (teledesk.telegram.wire): a field the desk reads with the wrong
type, a body nested too deep or that is not JSON is a 400; an Update that names no chat is taken
(200) and counted as unsupported, so Telegram does not send it again for ever.

The update is published first: once Pub/Sub has it, it is durable, and only then is it noted in
Firestore by its update_id. If publishing fails, the 500 asks Telegram to try again and nothing
was noted, so no update is ever lost. A retry of an update already noted is published again and
answered `duplicate`: every step downstream is idempotent by the envelope's id (Pub/Sub
redelivers too), so it is stored, shown and answered once. Nothing in Firestore sits between
Telegram and the pipeline but the count of an Update that names no chat. The update's trace id
(`teledesk.logs`), which every part's log lines about it carry, is put in the envelope here.
"""

import hmac
import logging

import flask
import functions_framework

from teledesk.envelope import Envelope
from teledesk.logs import TRACE_ID, configure, describe, traced_envelope, update_trace_id
from teledesk.open_data import JSONObject
from teledesk.pipeline import Services, services
from teledesk.store.updates import UNSUPPORTED
from teledesk.telegram.updates import ChatlessUpdate, UpdateError, envelope_from_update
from teledesk.telegram.wire import WireError, parse_update

configure("ingest")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
KINDS_LOGGED, KIND_LOGGED_CHARS = 3, 40  # of an update no chat is named in: its keys are the sender's

log = logging.getLogger("teledesk.ingest")


def _error(status: int, description: str) -> tuple[dict[str, object], int]:
    log.warning("ingest: refused a request with %s: %s", status, description)
    return {"ok": False, "description": description}, status


@functions_framework.http
def ingest(request: flask.Request) -> tuple[dict[str, object], int]:
    svc = services()
    expected = svc.settings.telegram_webhook_secret.encode()
    given = request.headers.get(SECRET_HEADER, "").encode()
    if not expected or not hmac.compare_digest(given, expected):
        return _error(403, "wrong or missing secret token")
    if request.method != "POST":
        return _error(405, "POST a Telegram Update")
    body = request.stream.read(MAX_UPDATE_BYTES + 1)  # bounded even without Content-Length
    if len(body) > MAX_UPDATE_BYTES:
        return _error(413, "update too large")
    try:
        payload = parse_update(body)
        envelope = envelope_from_update(payload)
    except ChatlessUpdate:
        return _unsupported(svc, payload)
    except (WireError, UpdateError) as exc:
        return _error(400, str(exc))
    update_id = payload["update_id"]
    envelope.extra[TRACE_ID] = update_trace_id(update_id)
    with traced_envelope(envelope.stamp("ingest")):
        return _accept(svc, envelope, update_id)


def _unsupported(svc: Services, update: JSONObject) -> tuple[dict[str, object], int]:
    """Taken, not refused: Telegram would send it again and again. No chat is named, so no
    conversation keeps it; it is counted with the UNSUPPORTED messages and logged by kind."""
    kinds = sorted(key[:KIND_LOGGED_CHARS] for key in update if key != "update_id")[:KINDS_LOGGED]
    log.info("ingest: update %s names no chat (%s); counted as unsupported", update["update_id"],
             ", ".join(kinds) or "no kind")
    svc.store.stats.count(UNSUPPORTED)
    return {"ok": True, "unsupported": True}, 200


def _accept(svc: Services, envelope: Envelope, update_id: int) -> tuple[dict[str, object], int]:
    step = svc.manifest.step("ingest")
    try:
        svc.publisher.publish(step.output, envelope.stamp("ingest:out"))
    except Exception:
        log.exception("could not publish update %s; Telegram will retry", update_id)
        return _error(500, "could not accept the update now")
    log.info("ingest: update %s, %s → %s", update_id, describe(envelope), step.output)
    try:
        first = svc.store.updates.note(update_id)
    except Exception:  # published is accepted: a retry would only be published again
        log.warning("update %s was published but could not be noted", update_id, exc_info=True)
        return {"ok": True}, 200
    if not first:
        log.info("ingest: update %s was taken before (Telegram sent it again)", update_id)
    return ({"ok": True}, 200) if first else ({"ok": True, "duplicate": True}, 200)
