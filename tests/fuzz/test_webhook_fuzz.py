"""The webhook fuzzed with Updates generated from the Bot API's description, and broken ones.

The real ingest function answers through functions-framework's own app (its Flask test client:
the request is parsed, routed and answered as in production, without a socket), on the steps'
in-memory services (tests/unit/functions/step_fakes.py): 5,000 Updates and as many broken bodies
take about half a minute on one core, where the Pub/Sub emulator would take ten. What the webhook takes
then goes on as Pub/Sub would carry it (strict JSON) through the real classify and enrich steps.
The same Updates against the running desk on the emulators: test_webhook_fuzz_desk.py.

Every Update the Bot API describes is taken (200); a broken one is taken or refused (400), one over
the body limit is 413; never a 5xx, never an exception, and what is taken flows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from functions_framework import create_app
from fuzz_profile import FIGURES, PROFILE, SEED, hypothesis_settings
from hypothesis import given, seed
from hypothesis import strategies as st
from unit.functions.step_fakes import SECRET, FakePublisher, FakeStore, envelope_event
from update_mutations import NOT_AN_UPDATE, Body, as_generated, mutated
from update_strategies import updates

import functions.classify
import functions.enrich
import teledesk.pipeline
from functions.ingest import SECRET_HEADER
from teledesk.envelope import Envelope, MessageType
from teledesk.manifest import load_manifest
from teledesk.pipeline import Services
from teledesk.settings import Settings
from teledesk.telegram.updates import PRIVATE, Event

INGEST_SOURCE = Path(__file__).resolve().parents[2] / "functions" / "ingest.py"
pytestmark = pytest.mark.timeout(PROFILE.timeout_s)
TARGET = "webhook (fakes)"


class Pipeline:
    """ingest behind functions-framework, then classify and enrich, on one set of fake services."""

    def __init__(self, client: FlaskClient, services: Services) -> None:
        self.client, self.services = client, services
        self.manifest = services.manifest

    @property
    def publisher(self) -> FakePublisher:
        return self.services.publisher  # type: ignore[return-value]

    @property
    def store(self) -> FakeStore:
        return self.services.store  # type: ignore[return-value]

    def fresh(self) -> None:
        """Empty services for the next example: generated ids repeat, and a repeat is a redelivery."""
        self.services.publisher, self.services.store = FakePublisher(), FakeStore()  # type: ignore[assignment]

    def post(self, body: Body) -> None:
        """Post one body; check the answer, and that what was taken flows."""
        published = len(self.publisher.published)
        answer = self.client.post("/", data=body.data, headers={SECRET_HEADER: SECRET,
                                                                  "Content-Type": "application/json"})
        FIGURES.counts["webhook bodies tried"] += 1
        FIGURES.status(TARGET, answer.status_code)
        assert answer.status_code in body.allowed, (body.mutation, answer.status_code, answer.get_data()[:500])
        assert answer.is_json and answer.json["ok"] is (answer.status_code == 200)
        for _topic, envelope, _attributes in self.publisher.published[published:]:
            self._flows(envelope)

    def _flows(self, published: dict[str, Any]) -> None:
        """The envelope crosses Pub/Sub as strict JSON, is classified, and enrich keeps it."""
        envelope = Envelope.from_json(json.dumps(published, allow_nan=False).encode("utf-8"))
        classified_before = len(self.publisher.on(self.manifest.step("classify").output))
        functions.classify.classify(envelope_event(envelope))
        classified = self.publisher.on(self.manifest.step("classify").output)[classified_before:]
        if envelope.extra.get("chat_type", PRIVATE) != PRIVATE:
            return  # a group's update: classify counts it and drops it (DESK_GROUP_CHATS is off)
        assert len(classified) == 1
        enriched = Envelope.from_dict(classified[0])
        functions.enrich.enrich(envelope_event(enriched))
        FIGURES.counts["webhook updates that flowed to enrich"] += 1
        kept = self.store.chat_messages.get(enriched.chat_id, {}).get(enriched.id)
        if enriched.type == MessageType.CLIENT and enriched.extra.get("event") == Event.MESSAGE:
            assert kept is not None and kept["text"] == enriched.text


@pytest.fixture(scope="module")
def pipeline() -> Iterator[Pipeline]:
    services = Services(Settings(telegram_webhook_secret=SECRET), load_manifest(),
                        FakePublisher(), FakeStore())  # type: ignore[arg-type]
    desk_logs = logging.getLogger("teledesk")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(teledesk.pipeline, "services", lambda: services)  # ingest binds it when loaded below
        app = create_app(target="ingest", source=str(INGEST_SOURCE))
        # Four lines for each of thousands of Updates taken would cost a third of the run; refusals still log.
        level = desk_logs.level
        desk_logs.setLevel(logging.WARNING)
        try:
            yield Pipeline(app.test_client(), services)
        finally:
            desk_logs.setLevel(level)


@seed(SEED)
@hypothesis_settings(PROFILE.updates)
@given(update=updates(), data=st.data())
def test_every_update_is_taken_and_every_broken_one_answered_without_a_5xx(pipeline: Pipeline, update: dict[str, Any],
                                                                           data: st.DataObject) -> None:
    FIGURES.counts["webhook updates generated"] += 1
    pipeline.fresh()
    pipeline.post(as_generated(update))
    broken = data.draw(mutated(update), label="broken")
    FIGURES.counts[f"webhook bodies mutated: {broken.mutation}"] += 1
    pipeline.fresh()
    pipeline.post(broken)


@pytest.mark.parametrize("data", NOT_AN_UPDATE)
def test_a_body_that_is_no_update_at_all_is_400(pipeline: Pipeline, data: bytes) -> None:
    pipeline.post(Body("not an update", data, frozenset({400})))
