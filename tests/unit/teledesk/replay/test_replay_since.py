"""teledesk.replay.since: the start of a replay window, and the checks against retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from teledesk.replay.since import SinceError, check_within, iso, parse_since

NOW = datetime(2026, 5, 8, 12, 0, 30, 250_000, tzinfo=UTC)
WEEK_S = 7 * 24 * 3600


@pytest.mark.parametrize(("given", "back"), [
    ("45s", timedelta(seconds=45)), ("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)),
    ("1d", timedelta(days=1)), ("1d12h", timedelta(days=1, hours=12)), ("1h30m", timedelta(minutes=90)),
    (" 2h ", timedelta(hours=2)), ("0s", timedelta(0)),
])
def test_a_span_counts_back_from_now(given, back):
    assert parse_since(given, NOW) == NOW - back


@pytest.mark.parametrize(("given", "expected"), [
    ("2026-05-08T09:30:00Z", datetime(2026, 5, 8, 9, 30, tzinfo=UTC)),
    ("2026-05-08T11:30:00+02:00", datetime(2026, 5, 8, 9, 30, tzinfo=UTC)),
    ("2026-05-08T09:30:00.123456+00:00", datetime(2026, 5, 8, 9, 30, 0, 123456, tzinfo=UTC)),
])
def test_an_iso_time_is_taken_with_its_zone_and_given_in_utc(given, expected):
    moment = parse_since(given, NOW)
    assert moment == expected and moment.tzinfo == UTC


def test_a_time_without_a_zone_is_refused_rather_than_guessed():
    with pytest.raises(SinceError, match="no zone"):
        parse_since("2026-05-08T09:30:00", NOW)


@pytest.mark.parametrize("given", ["", "yesterday", "2 hours", "h", "2w", "-2h", "2h30", "2026-13-01T00:00Z"])
def test_anything_else_is_refused_with_what_is_understood(given):
    with pytest.raises(SinceError, match=r"ISO time with its zone .* or a span back from now"):
        parse_since(given, NOW)


def test_a_start_within_the_retention_is_accepted_up_to_its_edge():
    check_within(NOW - timedelta(seconds=WEEK_S), NOW, WEEK_S, "messages-classified")
    check_within(NOW, NOW, WEEK_S, "messages-classified")


def test_a_start_older_than_the_retention_is_refused_saying_how_far_back_it_reaches():
    with pytest.raises(SinceError) as refused:
        check_within(NOW - timedelta(days=8), NOW, WEEK_S, "messages-classified")
    assert str(refused.value) == (
        "--since 2026-04-30T12:00:30Z is older than messages-classified retains (604800 s, back to "
        "2026-05-01T12:00:30Z): those messages are gone")


def test_a_start_in_the_future_is_refused():
    with pytest.raises(SinceError, match="in the future"):
        check_within(NOW + timedelta(seconds=1), NOW, WEEK_S, "messages-classified")


def test_times_are_printed_in_utc_to_the_second():
    assert iso(datetime(2026, 5, 8, 14, 0, 30, 999_999, tzinfo=UTC).astimezone()) == "2026-05-08T14:00:30Z"
