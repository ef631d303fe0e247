"""How much the fuzz tests try, and with which seed; and the figures of the run.

`make test` runs the default profile (bounded: 10,000 Updates, 20,000 webhook bodies in about a minute, a few
Schemathesis examples per operation); `make fuzz` sets `TELEDESK_FUZZ=long`. Every run prints
its seed; `TELEDESK_FUZZ_SEED=<seed>` runs the same examples again. Hypothesis keeps no example
database: a run is reproduced by its seed, not by files left behind.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings


@dataclass(frozen=True)
class Profile:
    name: str
    updates: int  # Updates generated, each posted as it is and once broken: twice as many bodies
    desk_updates: int  # of them, posted to the running desk before it must still flow
    api_examples: int  # Schemathesis examples per API operation
    timeout_s: int  # of one fuzz test (pytest-timeout's default, 300 s, is for the bounded run)


PROFILES = {
    "default": Profile("default", updates=10_000, desk_updates=300, api_examples=12, timeout_s=300),
    "long": Profile("long", updates=100_000, desk_updates=3_000, api_examples=300, timeout_s=4 * 3600),
}

PROFILE = PROFILES[os.environ.get("TELEDESK_FUZZ") or "default"]
SEED = int(os.environ.get("TELEDESK_FUZZ_SEED") or random.SystemRandom().randrange(2**32))


def hypothesis_settings(max_examples: int) -> settings:
    """Generation only (a failure is reported as found, with the seed to replay it; shrinking a
    10,000-example run would take longer than the run), no deadline, no database."""
    return settings(max_examples=max_examples, database=None, deadline=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck), print_blob=True)


@dataclass
class Figures:
    """What a run tried, printed at its end (conftest.py)."""

    counts: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)

    def status(self, target: str, code: int) -> None:
        self.statuses.setdefault(target, Counter())[code] += 1

    def lines(self) -> list[str]:
        lines = [f"fuzz profile {PROFILE.name}, seed {SEED} (TELEDESK_FUZZ_SEED={SEED} replays it)"]
        lines += [f"  {name}: {n}" for name, n in sorted(self.counts.items())]
        lines += [f"  statuses of {target}: {dict(sorted(codes.items()))}" for target, codes in self.statuses.items()]
        return lines

    def take(self) -> dict[str, dict[str, int]]:
        """What was counted since the last take, as plain dicts (pytest-xdist carries them from a worker to the
        process that prints), and counting starts again."""
        taken = {"counts": dict(self.counts)} | {f"statuses of {t}": dict(c) for t, c in self.statuses.items()}
        self.counts.clear()
        self.statuses.clear()
        return taken

    def add(self, taken: dict[str, dict[str, int]]) -> None:
        self.counts.update(taken.get("counts", {}))
        for name, codes in taken.items():
            if name.startswith("statuses of "):
                self.statuses.setdefault(name.removeprefix("statuses of "), Counter()).update(codes)


FIGURES = Figures()
