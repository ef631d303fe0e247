"""The stats page shows what went through the desk: N customer messages, M answers sent, one refused.

On a desk of its own (its own Firestore and Pub/Sub project on the session's emulators), so the
figures are this test's alone and can be matched exactly, and with the metrics step writing every
second (DESK_METRICS_FLUSH_S=1) rather than every minute. It needs the metrics step and the ledger
`read_stats` reads (issue 10): until they are merged, the relay answers /api/stats with a 500
(read_stats raises NotImplementedError) and this test fails saying so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import test_console_composer as composer
from console_page import ARRIVAL_TIMEOUT_MS, Customer, answer, bubbles, delivered, open_chat
from leaks import marked_secrets
from playwright.sync_api import Page, expect
from support import TEST_DESK_SETTINGS

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from teledesk.settings import Settings

pytestmark = pytest.mark.e2e

telegram_fails = composer.telegram_fails  # the composer tests' fixture, shared rather than copied

CUSTOMER_MESSAGES = 3  # N
ANSWERS = 2  # M, sent; then one more that Telegram refuses
REFUSAL = "Bad Request: chat not found"  # a 400: the cause `bad_request`
FIGURES_TIMEOUT_S = 90  # the metrics step's flush (1 s here), the relay's cache (10 s), the page's refresh


# This module's own desk: the e2e fixtures (`console`, `telegram_fails`, `bot_api_calls` …) use it.
@pytest.fixture(scope="module")
def desk_settings() -> Settings:
    return Settings(project_id="teledesk-stats", **marked_secrets("stats"),
                    desk_port=free_port(), ingest_port=free_port(), standin_port=free_port(), **TEST_DESK_SETTINGS)


@pytest.fixture(scope="module")
def desk(emulators: Emulators, desk_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("DESK_METRICS_FLUSH_S", "1")  # every process of this desk reads it as it starts
        running = Desk(desk_settings, log_dir=tmp_path_factory.mktemp("stats-desk-logs"), emulators=emulators).start()
        yield running
        running.stop()


def figure(page: Page, testid: str, **attributes: str) -> str | None:
    """A figure's raw number (`data-value`) as the page shows it, or None while it shows none."""
    selector = f"[data-testid={testid}]" + "".join(f"[data-{k}='{v}']" for k, v in attributes.items())
    found = page.locator(selector)
    return found.first.get_attribute("data-value") if found.count() else None


def shown(page: Page) -> dict[str, str | None]:
    return {
        "customer messages": figure(page, "stats-message-count", type="CLIENT"),
        "answers": figure(page, "stats-message-count", type="AGENT"),
        "sent": figure(page, "stats-sent"),
        "failed": figure(page, "stats-failed"),
        "refused": figure(page, "stats-failure", cause="bad_request"),
    }


def wait_for_figures(page: Page, expected: dict[str, str]) -> None:
    """Refresh the page until it shows `expected`: the metrics step writes what it counted once per
    flush, and the relay holds an answer 10 s. A page that cannot load the figures fails at once."""
    deadline = time.monotonic() + FIGURES_TIMEOUT_S
    while True:
        expect(page.get_by_test_id("stats-refresh")).to_be_enabled(timeout=ARRIVAL_TIMEOUT_MS)
        error = page.get_by_test_id("stats-error")
        if error.count() and not page.get_by_test_id("stats-figures").count():
            pytest.fail(f"the stats page could not load the figures: {error.inner_text()}")
        if shown(page) == expected or time.monotonic() > deadline:
            break
        page.wait_for_timeout(2_000)
        page.get_by_test_id("stats-refresh").click()
    assert shown(page) == expected


def test_the_stats_page_shows_what_went_through_the_desk(desk: Desk, console: Page, telegram_fails: Any,
                                                         bot_api_calls: Any, agent: requests.Session):
    ana = Customer(desk)
    for n in range(1, CUSTOMER_MESSAGES + 1):
        ana.says(f"Pregunta {n}")
    open_chat(console, ana)
    expect(bubbles(console, "in")).to_have_count(CUSTOMER_MESSAGES, timeout=ARRIVAL_TIMEOUT_MS)
    for n in range(1, ANSWERS + 1):
        delivered(answer(console, f"Respuesta {n}"))
    telegram_fails("sendMessage", 400, description=REFUSAL)
    delivered(answer(console, "Esta no llega"), "failed")

    # What Telegram took for this chat: the answers, and whatever the bot said itself (a welcome).
    sent = [c for c in bot_api_calls("sendMessage") if str(c["params"].get("chat_id")) == str(ana.id) and c["ok"]]
    assert len(sent) >= ANSWERS
    conversations = agent.get(f"{desk.console_url}api/conversations", timeout=10).json()["conversations"]
    assert [c["chat_id"] for c in conversations] == [ana.id]  # this desk's only conversation

    console.get_by_test_id("stats-button").click()
    expect(console.get_by_test_id("stats-page")).to_be_visible()
    expect(console.locator("[data-testid=stats-window][data-window='24h']")).to_have_attribute("aria-pressed", "true")
    expected = {"customer messages": str(CUSTOMER_MESSAGES), "answers": str(ANSWERS), "sent": str(len(sent)),
                "failed": "1", "refused": "1"}
    wait_for_figures(console, expected)

    # The rest of the page, from the same answer.
    status = conversations[0]["status"]
    for each in ("open", "pending", "resolved"):
        expect(console.locator(f"[data-testid=stats-conversations][data-status={each}]")).to_have_attribute(
            "data-value", "1" if each == status else "0")
    per_hour = console.locator("[data-testid=stats-hour-row] td[data-type=CLIENT]").all_inner_texts()
    assert sum(int(n) for n in per_hour) == CUSTOMER_MESSAGES
    first_response = console.locator("[data-testid=stats-time][data-metric=first_response]")
    assert first_response.get_attribute("data-p50") not in (None, ""), "the conversation was answered"
    expect(console.get_by_test_id("stats-hop").first).to_be_visible()  # the hops its messages went through
    expect(console.get_by_test_id("stats-dead-letters-empty")).to_be_visible()
    expect(console.get_by_test_id("stats-sla")).to_have_attribute("data-value", "0")
    expect(console.get_by_test_id("stats-csat")).to_have_attribute("data-count", "0")
    expect(console.get_by_test_id("stats-lifecycle-hint")).to_be_visible()

    # Everything happened within the hour, and within the week.
    for window in ("1h", "7d"):
        console.locator(f"[data-testid=stats-window][data-window='{window}']").click()
        wait_for_figures(console, expected)
