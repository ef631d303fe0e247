"""The running desk on the emulators (tests/conftest.py's `desk`): real-world Updates, fuzzed ones,
and the agent API's figures, and the desk still flows afterwards.

- The 146 Updates other projects captured or wrote (../shared/telegram-updates-real, provenance in
  its INDEX.tsv) are each answered 2xx by the webhook, and every private message among them is kept.
- Updates generated from the Bot API and broken ones go to the real webhook over HTTP (functions-
  framework, Pub/Sub emulator, the steps behind it); none gets a 5xx; then a customer's message
  still reaches the console and the store.
- GET /api/stats, which reads Firestore's aggregations the relay's fakes do not have, is fuzzed by
  Schemathesis on the running relay with an agent's session.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from fuzz_profile import FIGURES, PROFILE, SEED, hypothesis_settings
from hypothesis import given, seed
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from support import EventRecorder, text_update, wait_until
from update_mutations import as_generated, mutated
from update_strategies import SHARED, updates

from devtools.runner.desk import Desk
from teledesk.store import Store
from teledesk.telegram.updates import PRIVATE

pytestmark = [pytest.mark.integration, pytest.mark.timeout(PROFILE.timeout_s)]

REAL_UPDATES = SHARED / "telegram-updates-real"
MESSAGE_KINDS = ("message", "edited_message")  # the Updates that carry a customer's message
KEPT_TIMEOUT_S = 60.0  # for every private message of the corpus to be through the pipeline
TARGET = "webhook (desk on the emulators)"
FLOW_S = 20.0  # for a customer's message to reach the console on an idle desk
# More for each Update the fuzzing got taken, which the pipeline may still be working through.
# (Before the webhook bounded callback ids, 10 presses enrich could never store, retried with
# backoff, held the long profile's customer message back for over 215 s.)
BACKLOG_S_PER_UPDATE = 0.05


def real_updates() -> list[tuple[str, str, bytes]]:
    """(file, kind as INDEX.tsv names it, body as captured) of each real-world Update."""
    with (REAL_UPDATES / "INDEX.tsv").open(encoding="utf-8", newline="") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    return [(row["file"], row["kind"], (REAL_UPDATES / row["file"]).read_bytes()) for row in rows]


def private_message_id(update: dict[str, Any]) -> tuple[int, str] | None:
    """(chat id, stored message id) of the customer's message an Update carries in a private chat."""
    for kind in MESSAGE_KINDS:
        message = update.get(kind)
        if isinstance(message, dict) and message.get("chat", {}).get("type", PRIVATE) == PRIVATE:
            chat_id = message["chat"]["id"]
            return chat_id, f"tg-{chat_id}-{message['message_id']}"
    return None


def test_every_real_world_update_is_answered_2xx_and_every_private_message_kept(
        desk: Desk, post_update: Callable[..., requests.Response]) -> None:
    corpus = real_updates()
    assert len(corpus) == len(list(REAL_UPDATES.glob("*.json")))  # INDEX.tsv names every file
    kept: set[tuple[int, str]] = set()
    for name, kind, body in corpus:
        answer = post_update(body)
        FIGURES.status("webhook (real-world Updates)", answer.status_code)
        assert 200 <= answer.status_code < 300, (name, kind, answer.status_code, answer.text)
        if (found := private_message_id(json.loads(body))) is not None:
            kept.add(found)
    FIGURES.counts["real-world Updates posted"] = len(corpus)
    FIGURES.counts["real-world private messages kept"] = len(kept)
    store = Store(desk.settings.project_id)
    missing = set(kept)

    def all_kept() -> bool:
        missing.difference_update({key for key in missing if store.messages.get(*key) is not None})
        return not missing

    wait_until(all_kept, timeout=KEPT_TIMEOUT_S, interval=0.5)


def test_the_desk_still_flows_after_fuzzed_updates(desk: Desk, post_update: Callable[..., requests.Response],
                                                   console_events: EventRecorder, customer: dict[str, Any]) -> None:
    taken = Counter[str]()

    def post(body: Any) -> None:
        answer = post_update(body.data)
        FIGURES.counts["webhook bodies tried on the desk"] += 1
        FIGURES.status(TARGET, answer.status_code)
        assert answer.status_code in body.allowed, (body.mutation, answer.status_code, answer.text[:500])
        taken["updates"] += answer.status_code == 200

    @seed(SEED)
    @hypothesis_settings(PROFILE.desk_updates)
    @given(update=updates(), data=st.data())
    def fuzz(update: dict[str, Any], data: st.DataObject) -> None:
        post(as_generated(update))
        post(data.draw(mutated(update), label="broken"))

    fuzz()
    started = time.monotonic()
    assert post_update(text_update(customer, "¿seguís ahí?")).status_code == 200
    # The customer's message goes through the pipeline behind what the fuzzing got taken.
    shown = console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"],
                                    timeout=FLOW_S + BACKLOG_S_PER_UPDATE * taken["updates"])
    FIGURES.counts["seconds for a customer's message to reach the console after the fuzzing"] = round(
        time.monotonic() - started)
    assert (shown["type"], shown["text"]) == ("CLIENT", "¿seguís ahí?")
    assert Store(desk.settings.project_id).messages.get(customer["id"], shown["id"]) is not None


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_the_figures_answer_as_declared_and_never_5xx(desk: Desk, agent: requests.Session,
                                                      mode: GenerationMode) -> None:
    api = schemathesis.openapi.from_url(f"{desk.console_url}api/openapi.json")
    stats = api["/api/stats"]["GET"]
    cookies = {"session": agent.cookies["session"]}

    @seed(SEED)
    @hypothesis_settings(PROFILE.api_examples)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(stats.as_strategy(generation_mode=mode, cookies=cookies))
        response = case.call(base_url=desk.console_url.rstrip("/"))
        FIGURES.counts["API requests (desk)"] += 1
        FIGURES.status("agent API (desk)", response.status_code)
        case.validate_response(response, excluded_checks=[positive_data_acceptance])

    fuzz()

