"""teledesk.metrics.stored and series: how a ledger document holds series, and series added up."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import firestore

from teledesk.metrics.catalog import DELIVERIES, HOP_LATENCY, MESSAGES, MILLISECONDS
from teledesk.metrics.series import Distribution, Series, sum_series
from teledesk.metrics.stored import (
    field_name,
    fields_of,
    increments,
    parse_field_name,
    series_of,
    series_of_observations,
)
from teledesk.metrics.tally import Observation


def applied(document: dict[str, Any], write: dict[str, Any]) -> dict[str, Any]:
    """What Firestore makes of a merge write of increments (the emulator's part in the integration tests)."""
    for key, value in write.items():
        if isinstance(value, dict):
            applied(document.setdefault(key, {}), value)
        else:
            assert isinstance(value, firestore.Increment)
            document[key] = document.get(key, 0) + value.value
    return document


def test_a_field_name_says_the_metric_and_its_labels_and_reads_back():
    name = field_name(DELIVERIES, {"cause": "too_many_requests", "outcome": "failed"})
    assert name == "deliveries;outcome=failed;cause=too_many_requests"
    assert parse_field_name(name) == (DELIVERIES, {"outcome": "failed", "cause": "too_many_requests"})
    assert field_name(DELIVERIES, {"outcome": "sent", "cause": ""}) == "deliveries;outcome=sent;cause="
    assert parse_field_name("gone_metric;x=1") is None


def test_a_label_value_cannot_break_the_field_name():
    name = field_name(HOP_LATENCY, {"hop": "a;b=c.d/e"})
    assert parse_field_name(name) == (HOP_LATENCY, {"hop": "a_b_c_d_e"})


def test_increments_read_back_as_series():
    document: dict[str, Any] = {}
    for latency in (3.0, 30.0):
        applied(document, increments(series_of_observations([
            Observation(MESSAGES, {"type": "CLIENT", "direction": "in"}),
            Observation(HOP_LATENCY, {"hop": "enrich"}, latency)])))
    applied(document, increments(series_of_observations([Observation(HOP_LATENCY, {"hop": "enrich"}, -2.0)])))
    found = {one.metric.name: one for one in series_of(document)}
    assert found["messages"] == Series(MESSAGES, {"type": "CLIENT", "direction": "in"}, 2)
    hops = found["hop_latency"].value
    assert isinstance(hops, Distribution)
    assert (hops.count, hops.total, hops.total_of_squares) == (3, 33.0, 909.0)  # -2 counted as 0
    expected = [0] * (MILLISECONDS.count + 2)
    for latency in (3.0, 30.0, 0.0):
        expected[MILLISECONDS.index(latency)] += 1
    assert hops.bucket_counts == tuple(expected)


def test_one_event_s_observations_are_its_series_and_a_marker_holds_them_as_plain_numbers():
    observations = [Observation(HOP_LATENCY, {"hop": "deliver"}, 10.0),
                    Observation(HOP_LATENCY, {"hop": "deliver"}, 20.0),
                    Observation(DELIVERIES, {"outcome": "sent", "cause": ""}),
                    Observation(DELIVERIES, {"outcome": "sent", "cause": ""})]
    series = series_of_observations(observations)
    marker = fields_of(series)
    assert marker["counters"] == {"deliveries;outcome=sent;cause=": 2}
    stored = marker["distributions"]["hop_latency;hop=deliver"]
    assert (stored["count"], stored["total"], stored["total_of_squares"]) == (2, 30.0, 500.0)
    assert sum(stored["buckets"].values()) == 2 and all(isinstance(n, int) for n in stored["buckets"].values())
    assert sorted(series_of(marker), key=repr) == sorted(series, key=repr)


def test_a_write_leaves_out_what_it_adds_nothing_to():
    """Firestore replaces a map a merge writes empty: a distribution alone must not wipe the counters."""
    write = increments(series_of_observations([Observation(HOP_LATENCY, {"hop": "enrich"}, 5.0)]))
    assert set(write) == {"distributions"}
    assert set(increments(series_of_observations([Observation(MESSAGES, {"type": "BOT", "direction": "out"})]))) == {
        "counters"}


def test_observations_take_exactly_the_labels_their_metric_declares():
    with pytest.raises(ValueError, match="takes the labels"):
        Observation(MESSAGES, {"type": "CLIENT"})


def test_series_with_the_same_metric_and_labels_add_up():
    one = Distribution(1, 2.0, 4.0, (0, 1, 0))
    added = sum_series([Series(MESSAGES, {"type": "BOT", "direction": "out"}, 2),
                        Series(HOP_LATENCY, {"hop": "deliver"}, one),
                        Series(MESSAGES, {"direction": "out", "type": "BOT"}, 3),
                        Series(HOP_LATENCY, {"hop": "deliver"}, one)])
    assert added == [Series(MESSAGES, {"type": "BOT", "direction": "out"}, 5),
                     Series(HOP_LATENCY, {"hop": "deliver"}, Distribution(2, 4.0, 8.0, (0, 2, 0)))]
