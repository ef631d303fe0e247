"""bench/fanout.py's arithmetic: exactly once per console, latency added over one console, memory per socket."""

from __future__ import annotations

from bench import fanout, report


def test_each_console_must_get_each_message_once():
    sent = {"a": 100.0, "b": 101.0}
    consoles = [
        {"a": [100.2, 100.9], "b": [101.3]},  # a twice
        {"a": [100.4]},  # b never came
    ]
    figures = fanout.delivery_figures(sent, consoles, clients=3)  # and one console never connected
    assert (figures["connected"], figures["expected"], figures["missing"], figures["duplicated"]) == (2, 4, 1, 1)
    assert figures["exactly_once"] is False
    assert figures["latency_ms"]["count"] == 3 and figures["latency_ms"]["max"] == 400.0  # first arrivals only
    assert figures["spread_ms"]["max"] == 200.0  # a: 100.2 at one console, 100.4 at the other

    clean = fanout.delivery_figures(sent, [{"a": [100.1], "b": [101.1]}] * 3, clients=3)
    assert (clean["missing"], clean["duplicated"], clean["exactly_once"]) == (0, 0, True)


def test_added_latency_is_many_consoles_minus_one_on_the_same_desk():
    single, many = {"p50": 200.0, "p99": 300.0}, {"p50": 250.5, "p99": 420.0}
    assert fanout.added(single, many) == {"p50": 50.5, "p99": 120.0}
    assert fanout.added({"count": 0}, many) == {"p50": None, "p99": None}
    run = {"added_ms": fanout.added(single, many),
           "many": {"exactly_once": True, "api_ms": {"p50": 20.0, "p99": 80.0}}}
    assert fanout.verdicts(run) == {"exactly_once": True, "added_p99": False, "api_p99": True}
    run["many"]["api_ms"]["failed"] = 2  # fast but refused is not an answer
    assert fanout.verdicts(run)["api_p99"] is False


def test_memory_is_what_the_relays_grew_per_thousand_sockets():
    assert fanout.rss_per_thousand({"relay": 100_000}, {"relay": 151_200}, 1000) == 50.0
    two = fanout.rss_per_thousand({"relay": 100_000, "relay-2": 90_000}, {"relay": 112_800, "relay-2": 102_800}, 500)
    assert two == 50.0  # 25,600 kB over 500 sockets
    assert fanout.rss_per_thousand({"relay": None}, {"relay": 1}, 10) is None


def test_the_fanout_prints_both_rounds_and_the_verdicts():
    sent = {"a": 100.0}
    single = {**fanout.delivery_figures(sent, [{"a": [100.2]}], 1), "api_ms": {"p50": 10.0, "p99": 20.0},
              "rss_mb_per_1000_sockets": None}
    many = {**fanout.delivery_figures(sent, [{"a": [100.25]}] * 4, 4), "api_ms": {"p50": 15.0, "p99": 150.0},
            "rss_mb_per_1000_sockets": 42.0}
    run = {"relays": 1, "single": single, "many": many, "added_ms": fanout.added(single["latency_ms"],
                                                                               many["latency_ms"])}
    run["verdicts"] = fanout.verdicts(run)
    printed = report.render_fanout({"params": {"messages": 1, "rate": 2.0, "customers": 10, "connect_batch": 100,
                                               "api_requests": 50},
                                    "budgets_ms": {"added_p99": 100.0, "api_p99": 100.0}, "runs": {"1": run}})
    assert "p99 added +50.0 ms: met" in printed
    assert "API p99 150.0 ms: NOT met" in printed
    assert "exactly once: met (4/4 connected, 0 missing, 0 duplicated)" in printed
    assert "42.0 MB" in printed
