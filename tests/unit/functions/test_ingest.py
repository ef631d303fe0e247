"""functions/ingest.py: Telegram's webhook: secret, dedupe claim, publish, answer at once."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from typing import Any

import flask
import pytest
from step_fakes import CHAT, CUSTOMER, SECRET, text_update
from werkzeug.test import EnvironBuilder

from functions.ingest import MAX_UPDATE_BYTES, SECRET_HEADER, ingest
from teledesk.envelope import Envelope
from teledesk.logs import update_trace_id
from teledesk.pipeline import Services
from teledesk.pubsub import PUBLISH_TIMEOUT_S, Publisher

_app = flask.Flask(__name__)


def post(body: Any = None, secret: str | None = SECRET, *, data: bytes | str | None = None,
         method: str = "POST", headers: dict[str, str] | None = None) -> tuple[dict, int]:
    """Call ingest as functions-framework would, with one request."""
    all_headers = {**({SECRET_HEADER: secret} if secret is not None else {}), **(headers or {})}
    if data is None and body is not None:
        data = json.dumps(body)
    with _app.test_request_context("/", method=method, data=data, headers=all_headers,
                                   content_type="application/json"):
        return ingest(flask.request)


def nothing_happened(svc: Services) -> bool:
    return svc.publisher.published == [] and svc.store.noted == set()


# -- refused ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()])
def test_a_wrong_or_missing_secret_is_403_and_publishes_nothing(svc: Services, secret):
    body, status = post(text_update(), secret)
    assert (status, body["ok"]) == (403, False)
    assert nothing_happened(svc)


def test_without_a_configured_secret_everything_is_refused(svc: Services):
    svc.settings = replace(svc.settings, telegram_webhook_secret="")
    for secret in (None, ""):
        assert post(text_update(), secret)[1] == 403
    assert nothing_happened(svc)


def test_the_secret_is_checked_before_anything_is_read(svc: Services):
    assert post(data=b"x" * (MAX_UPDATE_BYTES + 1), secret="wrong")[1] == 403
    assert post(data=b"{not json", secret=None)[1] == 403


def test_only_post_is_accepted(svc: Services):
    assert post(method="GET")[1] == 405
    assert nothing_happened(svc)


@pytest.mark.parametrize("data", [b"{not json", b"", b"\xff\xfe", b"[]", b'"text"', b"42", b"null", b"{}",
                                  b'{"update_id": "1001"}', b'{"update_id": true}',
                                  b'{"update_id": 1001, "message": {"text": "no chat"}}',
                                  b'{"update_id": 1001, "message": "hola"}'])
def test_a_body_that_is_not_an_update_is_400_and_publishes_nothing(svc: Services, data: bytes):
    body, status = post(data=data)
    assert (status, body["ok"]) == (400, False)
    assert body["description"]
    assert nothing_happened(svc)


def test_an_update_over_one_mib_is_413_and_publishes_nothing(svc: Services):
    update = text_update(text="x" * MAX_UPDATE_BYTES)
    body, status = post(update)
    assert (status, body["ok"]) == (413, False)
    assert nothing_happened(svc)


def test_a_chunked_update_over_one_mib_is_413(svc: Services):
    update = json.dumps(text_update(text="x" * MAX_UPDATE_BYTES)).encode()
    environ = EnvironBuilder(method="POST", content_type="application/json",
                             headers={SECRET_HEADER: SECRET, "Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BytesIO(update), "wsgi.input_terminated": True})
    with _app.request_context(environ):
        assert ingest(flask.request)[1] == 413
    assert nothing_happened(svc)


def test_an_update_just_under_the_limit_is_taken(svc: Services):
    update = text_update(text="")
    update["message"]["text"] = "x" * (MAX_UPDATE_BYTES - len(json.dumps(update)))
    assert len(json.dumps(update)) == MAX_UPDATE_BYTES
    assert post(update)[1] == 200


@pytest.mark.parametrize(("field", "value"), [
    ("text", 42), ("date", "yesterday"), ("date", {"at": 1}), ("from", "ana"), ("entities", {"type": "bold"}),
    ("photo", [7]), ("document", "BQAC"), ("message_id", 2**64), ("chat", {"id": "4242", "type": "private"}),
])
def test_a_field_the_desk_reads_with_the_wrong_type_is_400_naming_it(svc: Services, field: str, value: Any):
    update = text_update()
    update["message"][field] = value
    body, status = post(update)
    assert (status, body["ok"]) == (400, False)
    assert f"message.{field}" in body["description"]
    assert nothing_happened(svc)


@pytest.mark.parametrize("data", [
    b'{"update_id": 1, "message": ' * 20 + b"{}" + b"}" * 20,  # nested past MAX_UPDATE_DEPTH
    b"[" * 200_000 + b"]" * 200_000,  # past Python's recursion limit
    b'{"update_id": NaN}', b'{"update_id": 1, "x": Infinity}',  # not JSON, though Python reads them
    b'{"update_id": 1, "message": {"text": "\\ud800"}}',  # a lone surrogate
    b'{"update_id": 1, "x": 184467440737095516160}',  # beyond 64 bits, in a field the desk does not read
])
def test_what_json_carries_and_the_desk_cannot_keep_is_400(svc: Services, data: bytes):
    body, status = post(data=data)
    assert (status, body["ok"]) == (400, False)
    assert nothing_happened(svc)


@pytest.mark.parametrize("press_id", ["", "a/b", "é" * 300])
def test_a_button_press_whose_id_cannot_name_a_document_is_400(svc: Services, press_id: str):
    """Found by fuzzing the desk on the emulators: a 1 MB id was taken, then enrich could never
    store it (a Firestore document id), retried and dead-lettered."""
    update = {"update_id": 1001, "callback_query": {"id": press_id, "from": CUSTOMER, "data": "x"}}
    body, status = post(update)
    assert (status, body["ok"]) == (400, False) and "callback_query.id" in body["description"]
    assert nothing_happened(svc)


def test_fields_the_desk_does_not_read_are_kept_whatever_their_type(svc: Services):
    update = text_update()
    update["message"].update({"sender_boost_count": "many", "via_bot": 7, "story": None, "is_topic_message": "yes"})
    update["bid"] = [1, {"x": None}]
    assert post(update)[1] == 200
    assert svc.publisher.published[0][1]["update"] == update


@pytest.mark.parametrize("update", [
    {"update_id": 1001},  # an Update with no kind at all
    {"update_id": 1002, "poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0}},
    {"update_id": 1003, "message": None},
])
def test_an_update_that_names_no_chat_is_taken_and_counted_unsupported(svc: Services, update: dict):
    body, status = post(update)
    assert (status, body["ok"], body.get("unsupported")) == (200, True, True)
    assert svc.store.counters == {"unsupported": 1}
    assert svc.publisher.published == []


# -- accepted -------------------------------------------------------------------------------------------

def test_an_update_is_published_once_on_tg_updates_and_noted(svc: Services):
    update = text_update(update_id=1001, text="hola", message_id=7)
    assert post(update) == ({"ok": True}, 200)
    assert svc.store.noted == {1001}
    assert len(svc.publisher.published) == 1
    topic, envelope, attributes = svc.publisher.published[0]
    assert topic == "tg-updates" == svc.manifest.step("ingest").topic_out
    assert (envelope["id"], envelope["type"], envelope["chat_id"], envelope["text"]) == (f"tg-{CHAT}-7", "UPDATE",
                                                                                         CHAT, "hola")
    assert envelope["update"] == update  # the whole Update travels along
    assert envelope["customer"]["first_name"] == "Ana"
    assert set(envelope["trace"]) == {"ingest", "ingest:out"}
    assert attributes == {"type": "UPDATE", "chat_id": str(CHAT), "schema": "1"}  # classify's filter


def test_a_repeated_update_id_is_200_duplicate_and_published_again_under_the_same_id(svc: Services):
    """The steps dedupe by envelope id (tests/integration/test_idempotency.py: stored and shown once)."""
    update = text_update(update_id=1001)
    assert post(update) == ({"ok": True}, 200)
    assert post(update) == ({"ok": True, "duplicate": True}, 200)
    first, again = (envelope for _topic, envelope, _attributes in svc.publisher.published)
    assert first["id"] == again["id"]


def test_a_publish_that_fails_is_500_and_notes_nothing_so_the_retry_is_taken(svc: Services):
    svc.publisher.fail_next = 1
    body, status = post(text_update(update_id=1001))
    assert (status, body["ok"]) == (500, False)
    assert svc.store.noted == set()
    assert svc.publisher.published == []
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)  # Telegram's retry, not a duplicate
    assert len(svc.publisher.published) == 1


def test_an_update_published_but_not_noted_is_still_accepted(svc: Services):
    svc.store.fail_note = True
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)
    assert len(svc.publisher.published) == 1


def test_an_update_is_noted_only_once_pubsub_has_it(svc: Services, monkeypatch: pytest.MonkeyPatch):
    # Noting first would let a crash between the two take Telegram's retry for a duplicate of an
    # update that never reached Pub/Sub: lost. What was published when the note was written:
    published_when_noted: list[int] = []
    note = svc.store.updates.note
    monkeypatch.setattr(svc.store.updates, "note",
                        lambda update_id: published_when_noted.append(len(svc.publisher.published)) or note(update_id))
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)
    assert published_when_noted == [1]


def test_a_crash_between_publish_and_note_loses_nothing_and_the_retry_is_not_a_duplicate(
        svc: Services, monkeypatch: pytest.MonkeyPatch):
    class Killed(BaseException):  # the process dying: nothing after it runs, no answer goes back
        pass

    def killed(update_id: int) -> bool:
        raise Killed

    with monkeypatch.context() as crash:
        crash.setattr(svc.store.updates, "note", killed)
        with pytest.raises(Killed):
            post(text_update(update_id=1001))
    assert len(svc.publisher.published) == 1 and svc.store.noted == set()  # Pub/Sub has it
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)  # Telegram's retry: taken, published again
    first, again = (envelope for _topic, envelope, _attributes in svc.publisher.published)
    assert first["id"] == again["id"]  # the steps keep it once (tests/integration/test_idempotency.py)


# -- through the real Publisher, on a fake Pub/Sub client ---------------------------------------------------

class FakeFuture:
    def __init__(self, error: Exception | None = None):
        self.error = error
        self.timeouts: list[float | None] = []

    def result(self, timeout: float | None = None) -> str:
        self.timeouts.append(timeout)
        if self.error is not None:
            raise self.error
        return "server-id-1"


class FakePublisherClient:
    """`pubsub_v1.PublisherClient`: topic_path, publish (returns a future) and resume_publish."""

    def __init__(self, error: Exception | None = None):
        self.error = error
        self.calls: list[dict[str, Any]] = []
        self.futures: list[FakeFuture] = []
        self.resumed: list[tuple[str, str]] = []

    def topic_path(self, project: str, topic: str) -> str:
        return f"projects/{project}/topics/{topic}"

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attributes: str) -> FakeFuture:
        self.calls.append({"topic": topic, "data": data, "ordering_key": ordering_key, "attributes": attributes})
        self.futures.append(FakeFuture(self.error))
        return self.futures[-1]

    def resume_publish(self, topic: str, ordering_key: str) -> None:
        self.resumed.append((topic, ordering_key))


def test_the_real_publisher_orders_by_chat_and_waits_for_the_server(svc: Services):
    client = FakePublisherClient()
    svc.publisher = Publisher("p", client=client)  # type: ignore[arg-type]
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)
    [call] = client.calls
    assert call["topic"] == "projects/p/topics/tg-updates"
    assert call["ordering_key"] == str(CHAT)
    assert call["attributes"] == {"type": "UPDATE", "chat_id": str(CHAT), "schema": "1"}
    assert Envelope.from_json(call["data"]).id == f"tg-{CHAT}-7"
    assert client.futures[0].timeouts == [PUBLISH_TIMEOUT_S]  # answered only once Pub/Sub has it
    assert client.resumed == []


def test_the_real_publisher_resumes_the_chats_ordering_key_after_a_failure(svc: Services):
    client = FakePublisherClient(error=TimeoutError("no ack from pubsub"))
    svc.publisher = Publisher("p", client=client)  # type: ignore[arg-type]
    assert post(text_update(update_id=1001))[1] == 500
    # A failed publish pauses its ordering key; without resume_publish every later message of this
    # chat would fail too, Telegram's retry included.
    assert client.resumed == [("projects/p/topics/tg-updates", str(CHAT))]
    assert svc.store.noted == set()
    client.error = None
    assert post(text_update(update_id=1001)) == ({"ok": True}, 200)


def test_an_update_gets_its_trace_id_and_ingest_says_once_that_it_took_it(svc: Services, log_lines):
    assert post(text_update(update_id=1001, message_id=7))[1] == 200
    [(_, envelope, _)] = svc.publisher.published
    assert envelope["trace_id"] == update_trace_id(1001)
    [line] = log_lines()
    assert line["message"] == f"ingest: update 1001, UPDATE {CHAT}/tg-{CHAT}-7 → tg-updates"
    assert line["logging.googleapis.com/trace"].endswith("/traces/" + update_trace_id(1001))
    assert line["logging.googleapis.com/labels"]["chat_id"] == str(CHAT)


def test_a_refused_request_is_logged_without_the_secret(svc: Services, log_lines):
    assert post(text_update(), "wrong")[1] == 403
    [line] = log_lines()
    assert (line["severity"], line["message"]) == ("WARNING", "ingest: refused a request with 403: wrong or missing "
                                                              "secret token")
