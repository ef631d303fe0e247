"""bench/ladder.py and the duplicate count: what a rate did, which rates are held, the desk's target."""

from __future__ import annotations

import http.server
import threading

import pytest

from bench import client, ladder, lifecycle, report
from bench.client import Load, Sample, TimedRecorder
from bench.stats import scenario_figures


def run_of(latencies_ms: list[float | None], copies: int = 1) -> list[Sample]:
    """One sample per latency, sent 10 ms apart; None: it never arrived."""
    samples = []
    for n, latency in enumerate(latencies_ms):
        sent = 1_000.0 + n / 100
        arrived = None if latency is None else sent + latency / 1000
        samples.append(Sample(f"tg-1-{n}", sent=sent, status=200, arrived=arrived,
                              copies=0 if latency is None else copies))
    return samples


def rung(rate: float, held: bool, p99: float, lost: int = 0) -> dict:
    return {"rate": rate, "held": held, "lost": lost, "duplicated": 0, "p99_trend": "steady" if held else "growing",
            "latency_ms": {"p50": p99 / 2, "p99": p99}}


def test_a_p99_that_more_than_doubles_past_500_ms_is_growing():
    assert ladder.trend(250.0, 501.0) == "growing"
    assert ladder.trend(200.0, 390.0) == "steady"  # doubled, but under 500 ms: noise on a shared machine
    assert ladder.trend(400.0, 700.0) == "steady"  # over 500 ms but not 2x: long, not building up
    assert ladder.trend(None, 700.0) == "unknown"


def test_the_trend_compares_the_first_and_last_third_in_send_order():
    samples = run_of([100.0] * 100 + [300.0] * 100 + [1_500.0] * 100)
    samples.reverse()  # the order they come in does not matter, the send time does
    figures = ladder.rung_figures(samples, 50.0)
    assert (figures["first_third_p99_ms"], figures["last_third_p99_ms"]) == (100.0, 1_500.0)
    assert figures["p99_trend"] == "growing" and figures["held"] is False


def test_a_rate_is_held_with_nothing_lost_nothing_duplicated_and_a_steady_p99():
    assert ladder.rung_figures(run_of([120.0] * 30), 25.0)["held"] is True
    lost = ladder.rung_figures(run_of([120.0] * 29 + [None]), 25.0)
    assert (lost["lost"], lost["held"]) == (1, False)
    twice = ladder.rung_figures(run_of([120.0] * 30, copies=2), 25.0)
    assert (twice["duplicated"], twice["held"]) == (30, False)
    assert ladder.why_not_held(twice) == "30 duplicated"


def test_the_recorder_counts_every_copy_of_a_message(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lifecycle, "install_handlers", lambda: None)
    recorder = TimedRecorder()
    on_message = recorder._recorder("message")
    for key in ("tg-1-1", "tg-1-2", "tg-1-1"):
        on_message({"id": key, "trace": {}})
    samples = [Sample("tg-1-1", sent=1.0), Sample("tg-1-2", sent=1.0), Sample("tg-1-3", sent=1.0)]
    Load("http://127.0.0.1:9/", "secret", recorder).settle(samples)
    assert [s.copies for s in samples] == [2, 1, 0]
    figures = scenario_figures(samples)
    assert (figures["received"], figures["duplicated"]) == (2, 1)
    assert client.message_key({"message": {"chat": {"id": 1}, "message_id": 1}}) == "tg-1-1"


def test_the_highest_rate_held_is_the_highest_one_held():
    rungs = {"25": rung(25, True, 300), "50": rung(50, False, 900), "75": rung(75, True, 350),
             "100": rung(100, False, 5)}
    assert ladder.highest_held(rungs) == 75
    assert ladder.highest_held({"25": rung(25, False, 300)}) is None


def test_the_target_asks_every_rate_the_floor_holds_at_twice_its_p99():
    floor = {"25": rung(25, True, 200), "50": rung(50, True, 200), "75": rung(75, True, 200),
             "100": rung(100, False, 2_000, lost=3)}
    desk = {"25": rung(25, True, 390), "50": rung(50, True, 410), "75": rung(75, False, 300),
            "100": rung(100, True, 300)}
    goal = ladder.target(floor, desk)
    assert {k: v["met"] for k, v in goal["rates"].items()} == {"25": True, "50": False, "75": False, "100": None}
    assert goal["rates"]["50"]["p99_ratio"] == 2.05
    assert goal["met"] is False
    assert ladder.target({"25": floor["25"]}, {"25": desk["25"]})["met"] is True
    assert ladder.target({"100": floor["100"]}, {"100": desk["100"]})["met"] is None  # nothing to judge


def test_the_ladder_prints_each_rate_side_by_side_and_the_verdicts():
    rungs = {"hops": {}, "full": {}}
    for key, latency, rate in (("hops", 150.0, 25.0), ("full", 250.0, 25.0), ("hops", 150.0, 50.0),
                               ("full", 400.0, 50.0)):
        rungs[key][ladder.rate_key(rate)] = ladder.rung_figures(run_of([latency] * 30), rate)
    params = {"rates": [25.0, 50.0], "messages": 30, "customers": 5, "warmup": 5, "linger_s": 0, "drain_timeout_s": 60}
    printed = report.render_ladder(ladder.summary(params, rungs))
    assert "highest rate held: emulator hops floor 50/s, full desk 50/s" in printed
    assert "25/s    met: desk p99 1.67x the floor's" in printed
    assert "50/s    NOT met: desk p99 2.67x the floor's" in printed
    assert "overall: NOT met" in printed


def test_a_post_without_an_answer_or_with_a_5xx_is_sent_again_as_telegram_does(monkeypatch: pytest.MonkeyPatch):
    """A webhook that drops a connection is Telegram's to retry: the bench does too, so `lost`
    counts what the desk lost, not what one POST did not hand over."""
    answers = iter([None, 503, 200])  # None: close the connection without an answer
    seen: list[int] = []

    class Webhook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(1)
            status = next(answers)
            if status is None:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(client, "POST_RETRY_PAUSE_S", 0.01)
    try:
        update = {"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5}}}
        [sample] = Load(f"http://127.0.0.1:{server.server_port}/", "secret").post_all([update], rate=100)
    finally:
        server.shutdown()
    assert (sample.status, sample.retries, len(seen)) == (200, 2, 3)
