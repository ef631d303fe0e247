"""The start of a replay window: an ISO 8601 time with its zone, or a span back from now (`2h`).

Seek marks every retained message published after the time unacknowledged, so a window always
ends now; its start must lie within what the topic still retains.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_SPAN = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


class SinceError(ValueError):
    """A `--since` the replay refuses, with the reason in words."""


def parse_since(text: str, now: datetime) -> datetime:
    """`2h`, `90m`, `1d12h`, `45s` back from `now`, or an ISO time with a zone (`…Z`, `…+02:00`), in UTC."""
    given = text.strip()
    span = _SPAN.match(given)
    if given and span is not None and any(span.groups()):
        return now - timedelta(**{_UNITS[unit]: int(n) for unit, n in span.groupdict().items() if n})
    try:
        moment = datetime.fromisoformat(given)
    except ValueError:
        raise SinceError(f"--since {text!r}: give an ISO time with its zone (2026-05-01T09:30:00Z) "
                         "or a span back from now (45s, 30m, 2h, 1d12h)") from None
    if moment.tzinfo is None:
        raise SinceError(f"--since {text!r} has no zone: add one (Z for UTC, or +02:00) so the window is not a guess")
    return moment.astimezone(UTC)


def check_within(since: datetime, now: datetime, retained_s: int, what: str) -> None:
    """Refuse a start in the future, or older than `what` retains (`retained_s` back from now)."""
    if since > now:
        raise SinceError(f"--since {iso(since)} is in the future (now is {iso(now)})")
    oldest = now - timedelta(seconds=retained_s)
    if since < oldest:
        raise SinceError(f"--since {iso(since)} is older than {what} retains ({retained_s} s, back to {iso(oldest)}): "
                         "those messages are gone")


def iso(moment: datetime) -> str:
    """`2026-05-01T09:30:00Z`: UTC, whole seconds, as the output prints times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
