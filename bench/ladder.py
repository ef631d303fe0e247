"""The rate ladder's verdicts: what each rate did, which rates a scenario holds, and the desk's target.

At each rate the emulator-hops floor and the full desk get the same Updates (`bench.scenarios`,
run by `bench.__main__`). Here is only the arithmetic, on the samples of one rate:

- lost: sent - received (a message that has not reached the Socket.IO client when the drain
  timeout ends counts as lost);
- duplicated: messages the client saw more than once;
- p99 trend: the samples in send order are cut in thirds; the run's p99 is *growing* when the
  last third's p99 is more than GROWTH_FACTOR x the first third's **and** more than GROWTH_MIN_MS
  (a queue building up), else *steady*. Both conditions, so that neither a doubling of a small
  p99 (60 → 130 ms: noise on a shared machine) nor a long but flat p99 counts as growth;
- held: 0 lost, 0 duplicated and a steady p99. The highest rate held is the highest such rate.

The target: the desk holds every rate the floor holds, with p99 ≤ TARGET_P99_FACTOR x the
floor's p99 at that rate. A rate the floor does not hold does not count for or against the desk.
"""

from __future__ import annotations

from typing import Any

from bench import stats
from bench.client import Sample
from bench.stats import scenario_figures

DEFAULT_RATES = (25.0, 50.0, 75.0, 100.0)
GROWTH_FACTOR = 2.0
GROWTH_MIN_MS = 500.0
TARGET_P99_FACTOR = 2.0
STEADY, GROWING, UNKNOWN = "steady", "growing", "unknown"


def rate_key(rate: float) -> str:
    """How a rate names its rung (in the JSON, and in the project id with `.` as `-`)."""
    return f"{rate:g}"


def thirds(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    """The first and the last third of the run, by send time (the middle third is left out)."""
    ordered = sorted(samples, key=lambda s: s.sent)
    third = len(ordered) // 3
    return ordered[:third], ordered[len(ordered) - third:]


def p99(samples: list[Sample]) -> float | None:
    """The p99 of the messages that arrived; None when none did."""
    return stats.summary((s.latency_ms for s in samples), points=(99,)).get("p99")


def trend(first_p99: float | None, last_p99: float | None) -> str:
    if first_p99 is None or last_p99 is None:
        return UNKNOWN
    growing = last_p99 > GROWTH_FACTOR * first_p99 and last_p99 > GROWTH_MIN_MS
    return GROWING if growing else STEADY


def rung_figures(samples: list[Sample], rate: float) -> dict[str, Any]:
    """One scenario at one rate: counts, latency, the p99 of the first and last third, held or not."""
    figures = scenario_figures(samples)
    first, last = thirds(samples)
    first_p99, last_p99 = p99(first), p99(last)
    lost = figures["sent"] - figures["received"]
    verdict = trend(first_p99, last_p99)
    return {
        **{key: figures[key] for key in ("sent", "received", "duplicated", "latency_ms", "webhook_answer_ms")},
        "rate": rate,
        "lost": lost,
        "first_third_p99_ms": first_p99,
        "last_third_p99_ms": last_p99,
        "p99_trend": verdict,
        "held": lost == 0 and figures["duplicated"] == 0 and verdict == STEADY,
    }


def why_not_held(rung: dict[str, Any]) -> str:
    """What kept a rate from being held, in a few words ("" when it is held)."""
    reasons = []
    if rung["lost"]:
        reasons.append(f"{rung['lost']} lost")
    if rung["duplicated"]:
        reasons.append(f"{rung['duplicated']} duplicated")
    if rung["p99_trend"] != STEADY:
        reasons.append(f"p99 {rung['p99_trend']}")
    return ", ".join(reasons)


def highest_held(rungs: dict[str, dict[str, Any]]) -> float | None:
    """The highest rate held (whether or not every lower rate was), or None."""
    held = [rung["rate"] for rung in rungs.values() if rung["held"]]
    return max(held) if held else None


def target(floor: dict[str, dict[str, Any]], desk: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per rate: does the desk hold it with p99 ≤ 2x the floor's? None where the floor does not hold it."""
    rates: dict[str, Any] = {}
    for key, low in floor.items():
        high = desk.get(key)
        if high is None:
            continue
        floor_p99, desk_p99 = low["latency_ms"].get("p99"), high["latency_ms"].get("p99")
        ratio = round(desk_p99 / floor_p99, 2) if floor_p99 and desk_p99 is not None else None
        met = bool(high["held"] and ratio is not None and ratio <= TARGET_P99_FACTOR) if low["held"] else None
        rates[key] = {"floor_held": low["held"], "desk_held": high["held"], "p99_ratio": ratio, "met": met}
    judged = [r["met"] for r in rates.values() if r["met"] is not None]
    return {"p99_factor": TARGET_P99_FACTOR, "rates": rates, "met": all(judged) if judged else None}


def summary(params: dict[str, Any], rungs: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
    """What goes to latest.json: the parameters, every rung, the highest rate held, the target."""
    return {
        "params": params,
        "thresholds": {"growth_factor": GROWTH_FACTOR, "growth_min_ms": GROWTH_MIN_MS},
        "rungs": rungs,
        "highest_held": {key: highest_held(by_rate) for key, by_rate in rungs.items()},
        "target": target(rungs.get("hops", {}), rungs.get("full", {})),
    }
