"""GET /api/stats: logged in (any agent), the window from `?window=` (24h unless said; another is a 400
naming the allowed ones), `read_stats`'s figures as the document declares them, each window kept
CACHE_S seconds per relay, with one read at a time per window."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS31Validator
from relay_fakes import FakeStore, login

import realtime.stats
from realtime.relay import Relay
from realtime.stats import CACHE_S, StatsCache
from teledesk.metrics.stats import DEFAULT_WINDOW, WINDOWS, Stats

FIGURES = Stats.model_validate({
    "window_s": 86400,
    "messages": {"CLIENT": 7, "AGENT": 4, "BOT": 1},
    "deliveries": {"sent": 5, "failed": {"blocked": 1}},
    "first_response_s": {"p50": 42.0, "p90": 180.5},
    "resolution_s": {"p50": None, "p90": None},
    "conversations": {"open": 3, "pending": 1, "resolved": 2},
    "hops_ms": {"classify": {"p50": 35.0, "p99": 63.2}},
    "per_hour": [{"hour": 1_764_748_800, "messages": {"CLIENT": 7, "AGENT": 4, "BOT": 1}}],
    "dead_letters": {"deliver": 1},
    "as_of": 1_764_752_000.5,
})


class Reads:
    """A stand-in for `read_stats`: what it was asked, answering FIGURES for the window asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, int]] = []

    def __call__(self, store: Any, window_s: int, now: float | None = None) -> Stats:
        self.calls.append((store, window_s))
        return FIGURES.model_copy(update={"window_s": window_s})


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    stub = Reads()
    monkeypatch.setattr(realtime.stats, "read_stats", stub)
    return stub


@pytest.fixture
def clock(app: Flask) -> list[float]:
    """The relay's stats cache on a clock the test moves."""
    now = [1000.0]
    relay: Relay = app.extensions["teledesk"]
    relay.stats = StatsCache(clock=lambda: now[0])
    return now


def test_without_a_session_it_is_a_401_and_nothing_is_read(client: FlaskClient, reads: Reads):
    response = client.get("/api/stats")
    assert (response.status_code, response.get_json()) == (401, {"error": "login required"})
    assert reads.calls == []


@pytest.mark.parametrize("window", ["2h", "", "24H", "86400"])
def test_an_unknown_window_is_a_400_naming_the_allowed_ones(agent: FlaskClient, reads: Reads, window: str):
    response = agent.get("/api/stats", query_string={"window": window})
    assert (response.status_code, response.get_json()) == (400, {"error": "window must be 1h, 24h or 7d"})
    assert reads.calls == []


@pytest.mark.parametrize(("window", "seconds"), list(WINDOWS.items()))
def test_each_window_reads_its_seconds_from_the_relays_store(agent: FlaskClient, reads: Reads, store: FakeStore,
                                                             window: str, seconds: int):
    response = agent.get("/api/stats", query_string={"window": window})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert reads.calls == [(store, seconds)]
    assert response.get_json()["window_s"] == seconds


def test_the_window_is_24h_unless_asked(agent: FlaskClient, reads: Reads):
    assert agent.get("/api/stats").get_json()["window_s"] == WINDOWS[DEFAULT_WINDOW] == 86400


def test_an_agent_who_is_not_an_admin_sees_them_too(app: Flask, reads: Reads):
    bob = app.test_client()
    assert login(bob, "bob", "bob-password").status_code == 200
    assert bob.get("/api/stats").status_code == 200


def test_the_answer_is_the_figures_as_the_document_declares_them(agent: FlaskClient, reads: Reads,
                                                                 document: dict[str, Any]):
    body = agent.get("/api/stats").get_json()
    assert body == FIGURES.model_dump(mode="json")
    assert {"window_s", "messages", "deliveries", "first_response_s", "conversations", "sla_breaches", "csat",
            "hops_ms"} <= set(body)  # the contract's keys (ARCHITECTURE.md)
    assert body["sla_breaches"] == 0 and body["csat"] == {"count": 0, "average": None}
    schema = document["paths"]["/api/stats"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": document["components"]}).validate(body)


def test_the_document_states_the_windows_and_the_default(document: dict[str, Any]):
    [window] = document["paths"]["/api/stats"]["get"]["parameters"]
    assert (window["in"], window["name"]) == ("query", "window")
    assert window["schema"]["enum"] == list(WINDOWS) and window["schema"]["default"] == DEFAULT_WINDOW


# -- the cache -----------------------------------------------------------------------------------------

def test_a_window_is_read_once_per_cache_period_whoever_asks(app: Flask, agent: FlaskClient, reads: Reads,
                                                             clock: list[float]):
    bob = app.test_client()
    login(bob, "bob", "bob-password")
    first = agent.get("/api/stats?window=1h").get_json()
    clock[0] += CACHE_S - 0.1
    assert bob.get("/api/stats?window=1h").get_json() == first
    assert [seconds for _, seconds in reads.calls] == [3600]
    clock[0] += 0.1
    agent.get("/api/stats?window=1h")
    assert [seconds for _, seconds in reads.calls] == [3600, 3600]


def test_each_window_is_held_apart(agent: FlaskClient, reads: Reads, clock: list[float]):
    for window in ("1h", "24h", "7d", "1h", "24h", "7d"):
        assert agent.get("/api/stats", query_string={"window": window}).get_json()["window_s"] == WINDOWS[window]
    assert [seconds for _, seconds in reads.calls] == [3600, 86400, 604800]


def test_a_failed_read_is_a_500_in_the_error_style_and_is_not_kept(agent: FlaskClient, reads: Reads,
                                                                   clock: list[float],
                                                                   monkeypatch: pytest.MonkeyPatch):
    def broken(store: Any, window_s: int, now: float | None = None) -> Stats:
        raise NotImplementedError("the metrics ledger reads this")

    monkeypatch.setattr(realtime.stats, "read_stats", broken)
    response = agent.get("/api/stats")
    assert (response.status_code, response.get_json()) == (500, {"error": "internal server error"})
    monkeypatch.setattr(realtime.stats, "read_stats", reads)
    assert agent.get("/api/stats").status_code == 200
    assert len(reads.calls) == 1


def test_consoles_asking_at_once_wait_for_one_read():
    cache = StatsCache()
    started, release = threading.Event(), threading.Event()
    reads: list[int] = []

    def slow_read(window_s: int) -> Stats:
        reads.append(window_s)
        started.set()
        release.wait(5)
        return FIGURES

    answers: list[Stats] = []
    consoles = [threading.Thread(target=lambda: answers.append(cache.get(86400, slow_read))) for _ in range(8)]
    consoles[0].start()
    assert started.wait(5)
    for console in consoles[1:]:
        console.start()
    time.sleep(0.2)  # the others are at the cache while the first read is under way
    release.set()
    for console in consoles:
        console.join(5)
    assert reads == [86400]
    assert len(answers) == 8 and all(answer is FIGURES for answer in answers)
