"""Opening hours like `mon-fri 09:00-18:00; sat 10:00-14:00` in a time zone: is the desk open now?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from functools import cache, cached_property
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$")


@dataclass(frozen=True)
class OpeningHours:
    """An empty spec means always open: out-of-hours answers are then never sent."""

    spec: str
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # refuse a malformed setting at start, not at the first message
        self.rules  # noqa: B018 - parsed (and checked) once

    @cached_property
    def rules(self) -> list[tuple[set[int], time, time]]:
        rules = []
        for part in filter(None, (p.strip().lower() for p in self.spec.split(";"))):
            match = _RULE.match(part)
            if match is None or match["first"] not in DAYS or (match["last"] or match["first"]) not in DAYS:
                raise ValueError(f"opening hours {part!r}: write them like 'mon-fri 09:00-18:00'")
            first, last = DAYS.index(match["first"]), DAYS.index(match["last"] or match["first"])
            days = set(range(first, last + 1)) if first <= last else set(range(first, 7)) | set(range(0, last + 1))
            rules.append((days, time.fromisoformat(match["start"]), time.fromisoformat(match["end"])))
        return rules

    def is_open(self, moment: datetime) -> bool:
        rules = self.rules
        if not rules:
            return True
        local = moment.astimezone(ZoneInfo(self.timezone))
        return any(local.weekday() in days and start <= local.time() < end for days, start, end in rules)


@cache
def opening_hours(spec: str, timezone: str) -> OpeningHours:
    """One parsed OpeningHours per setting, for steps that ask on every message."""
    return OpeningHours(spec, timezone)
