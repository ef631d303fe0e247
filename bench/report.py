"""The printed table, and the change against the saved baseline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bench.ladder import rate_key, why_not_held

BUSY_PERCENT = 15  # CPU busy (all CPUs) in the second before the bench starts anything
SCENARIO_TITLES = {"direct": "direct floor", "hops": "emulator hops floor", "full": "full desk",
                   "nometrics": "desk, no metrics"}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}%"


def _row(cells: list[str], widths: list[int], left: int = 1) -> str:
    """Cells padded to `widths`: the first `left` ones flush left, the figures after them flush right."""
    return "  " + "".join(c.ljust(w) if n < left else c.rjust(w)
                          for n, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _yes(value: bool | None) -> str:
    return "?" if value is None else "yes" if value else "no"


def _met(value: bool | None) -> str:
    return "n/a" if value is None else "met" if value else "NOT met"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}"


def render(results: dict[str, Any]) -> str:
    p, machine = results["params"], results["machine"]
    lines = [
        f"teledesk bench, {results['date']}, {machine['cpus']} CPUs ({machine['cpu_model'] or machine['system']}), "
        f"Python {machine['python']}, commit {results.get('commit', '?')}, "
        f"CPU busy at start {_percent(machine.get('cpu_busy_percent_at_start'))}",
    ]
    busy = machine.get("cpu_busy_percent_at_start")
    if busy is not None and busy > BUSY_PERCENT:
        lines.append(f"note: the CPUs were {busy:.0f}% busy with other work just before the bench started: "
                     f"these figures are noisier than usual")
    if not results["scenarios"]:
        return "\n".join(lines)
    lines += [
        f"{p['messages']} text Updates from {p['customers']} customers at {p['rate']}/s "
        f"(after {p['warmup']} warm-up messages, not counted); "
        f"path: {' -> '.join(results['path']['steps'])} -> relay ({len(results['path']['steps']) - 1} no-op hops "
        f"in the floor)",
        "",
        "Latency, just before the webhook POST -> `message` event at the Socket.IO client (ms)",
    ]
    widths = [22, 7, 7, 8, 8, 8, 8, 14]
    lines.append(_row(["", "sent", "recv", "p50", "p90", "p99", "max", "POST answer"], widths))
    for key, figures in results["scenarios"].items():
        lat, ans = figures["latency_ms"], figures["webhook_answer_ms"]
        lines.append(_row([SCENARIO_TITLES.get(key, key), str(figures["sent"]), str(figures["received"]),
                           _ms(lat.get("p50")), _ms(lat.get("p90")), _ms(lat.get("p99")), _ms(lat.get("max")),
                           f"{_ms(ans.get('p50'))} / {_ms(ans.get('p99'))}"], widths))
    lines.append("  (POST answer: the webhook's HTTP answer time, p50 / p99)")
    if "nometrics" in results["scenarios"] and "full" in results["scenarios"]:
        lines.append("  (desk, no metrics: two runs, just before and just after the full desk, pooled)")
    if results.get("ratios"):
        lines += ["", "Ratios"]
        widths = [22, 8, 8]
        lines.append(_row(["", "p50", "p99"], widths))
        for name, value in results["ratios"].items():
            lines.append(_row([name, f"{value['p50']}x", f"{value['p99']}x"], widths))
    if results.get("stages"):
        columns = [k for k in ("full", "nometrics", "hops") if k in results["stages"]]
        lines += ["", "By stage, from the trace map (ms; own time = X:out - X, hop = next X - previous X:out)"]
        widths = [44] + [10] * (2 * len(columns))
        header = [""]
        for key in columns:
            short = {"full": "desk", "nometrics": "no-m"}.get(key, "floor")
            header += [f"{short} p50", f"{short} p99"]
        lines.append(_row(header, widths))
        labels = list(results["stages"][columns[0]])
        for label in labels:
            cells = [label]
            for key in columns:
                figures = results["stages"][key].get(label, {})
                cells += [_ms(figures.get("p50")), _ms(figures.get("p99"))]
            lines.append(_row(cells, widths))
    branch = results.get("branches", {})
    if branch.get("metrics"):
        lines += ["", "Off the path (a branch: the relay never waits for it; from the metrics ledger, ±40 %)"]
        lines.append(_row([f"messages-enriched -> metrics ({branch['counted']}/{branch['expected']} counted)",
                           _ms(branch["metrics"].get("p50")), _ms(branch["metrics"].get("p99"))], [44, 10, 10]))
    return "\n".join(lines)


def render_ladder(figures: dict[str, Any]) -> str:
    """The rate ladder: each rate, floor and desk side by side; the highest rate held; the target."""
    p, limits = figures["params"], figures["thresholds"]
    rungs = figures["rungs"]
    lines = [
        f"Rate ladder: {p['messages']} text Updates from {p['customers']} customers at each rate (after "
        f"{p['warmup']} warm-up messages, one per customer, not counted); each rate and scenario on a fresh project",
        "Latency, just before the webhook POST -> `message` event at the Socket.IO client (ms); "
        "p99 of the first and the last third of the run",
    ]
    widths = [8, 20, 6, 6, 6, 6, 9, 9, 22, 9, 6]
    lines.append(_row(["rate", "", "sent", "recv", "lost", "dup", "p50", "p99", "p99 first -> last", "trend",
                       "held"], widths, left=2))
    for rate in p["rates"]:
        key = rate_key(rate)
        for n, scenario in enumerate(k for k in ("hops", "full") if key in rungs.get(k, {})):
            rung = rungs[scenario][key]
            lat = rung["latency_ms"]
            lines.append(_row([f"{key}/s" if n == 0 else "", SCENARIO_TITLES[scenario], str(rung["sent"]),
                               str(rung["received"]), str(rung["lost"]), str(rung["duplicated"]),
                               _ms(lat.get("p50")), _ms(lat.get("p99")),
                               f"{_ms(rung['first_third_p99_ms'])} -> {_ms(rung['last_third_p99_ms'])}",
                               rung["p99_trend"], _yes(rung["held"])], widths, left=2))
    lines.append(f"  (growing: last-third p99 > {limits['growth_factor']:g}x the first third's and "
                 f"> {limits['growth_min_ms']:g} ms; held: 0 lost, 0 duplicated, p99 steady; lost: not at the "
                 f"client {p['drain_timeout_s']:g} s after the last send)")
    held = figures["highest_held"]
    lines.append("  highest rate held: " + ", ".join(
        f"{SCENARIO_TITLES[k]} {'none' if v is None else f'{v:g}/s'}" for k, v in held.items()))
    goal = figures["target"]
    lines += ["", f"Target: the full desk holds every rate the floor holds, with p99 <= {goal['p99_factor']:g}x "
                  f"the floor's"]
    for key, verdict in goal["rates"].items():
        floor, desk = rungs["hops"][key], rungs["full"][key]
        ratio_text = "?" if verdict["p99_ratio"] is None else f"{verdict['p99_ratio']:g}x"
        if verdict["met"] is None:
            text = f"n/a: the floor does not hold it ({why_not_held(floor)})"
        elif not verdict["desk_held"]:
            text = f"NOT met: the desk does not hold it ({why_not_held(desk)}); desk p99 {ratio_text} the floor's"
        else:
            text = f"{_met(verdict['met'])}: desk p99 {ratio_text} the floor's"
        lines.append(f"  {key + '/s':<8}{text}")
    lines.append(f"  overall: {_met(goal['met'])}")
    return "\n".join(lines)


def _fanout_rounds(figures: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(the relays' label on a run's first row, else "", the round's name, the round), one console then many."""
    for relays, run in figures["runs"].items():
        label = _relays_label(relays)
        yield label, "1 console", run["single"]
        yield "", f"{run['many']['clients']} consoles", run["many"]


def _relays_label(relays: str) -> str:
    return f"{relays} relay" + ("s" if relays != "1" else "")


def render_fanout(figures: dict[str, Any]) -> str:
    """Fan-out: one console, then many, on one relay and on two; what was added, and the targets."""
    p, budgets = figures["params"], figures["budgets_ms"]
    lines = [
        f"Fan-out: Socket.IO consoles ({p.get('client', 'lean')}) logged in as admin; {p['messages']} messages a "
        f"round at {p['rate']:g}/s from {p['customers']} customers; consoles connect {p['connect_batch']} at a time, "
        f"spread over the relays",
        "Latency, just before the webhook POST -> `message` event at each console (ms), over every "
        "(console, message) pair",
    ]
    widths = [10, 15, 9, 10, 8, 6, 9, 9, 11, 15, 10]
    lines.append(_row(["", "", "consoles", "connected", "missing", "dup", "p50", "p99", "spread p99",
                       "API p50 / p99", "RSS/1k"], widths, left=2))
    runs = iter(figures["runs"].values())
    for label, name, round_ in _fanout_rounds(figures):
        lat, api = round_["latency_ms"], round_["api_ms"]
        rss = None if label else round_["rss_mb_per_1000_sockets"]
        lines.append(_row([label, name, str(round_["clients"]), str(round_["connected"]),
                           str(round_["missing"]), str(round_["duplicated"]), _ms(lat.get("p50")),
                           _ms(lat.get("p99")), _ms(round_["spread_ms"].get("p99")),
                           f"{_ms(api.get('p50'))} / {_ms(api.get('p99'))}",
                           "-" if rss is None else f"{rss:.1f} MB"], widths, left=2))
        if not label:  # the run's second round: what the many added over one
            add = next(runs)["added_ms"]
            lines.append(_row(["", "added over 1", "", "", "", "", _signed(add.get("p50")), _signed(add.get("p99")),
                               "", "", ""], widths, left=2))
    lines.append(f"  (spread: per message, the last console's arrival - the first's; API: "
                 f"{p['api_requests']} sequential GET /api/conversations with the consoles connected; RSS/1k: the "
                 f"relays' gunicorn workers' VmRSS grown while the consoles connected, per 1,000 sockets)")
    lines += ["", "CPU used per message while the messages went out and arrived (ms): the relays' gunicorn workers, "
                  "the consoles' process"]
    for label, name, round_ in _fanout_rounds(figures):
        lines.append(_row([label, name, _ms(round_.get("relay_cpu_ms_per_message")),
                           _ms(round_.get("consoles_cpu_ms_per_message"))], [10, 15, 10, 10], left=2))
    lines += ["", f"Targets: each console gets each message exactly once; <= {budgets['added_p99']:g} ms p99 added "
                  f"over 1 console; GET /api/conversations p99 <= {budgets['api_p99']:g} ms"]
    for relays, run in figures["runs"].items():
        label = _relays_label(relays)
        many, verdict = run["many"], run["verdicts"]
        lines.append(f"  {label}: exactly once: {_met(verdict['exactly_once'])} ({many['connected']}/"
                     f"{many['clients']} connected, {many['missing']} missing, {many['duplicated']} duplicated); "
                     f"p99 added {_signed(run['added_ms'].get('p99'))} ms: {_met(verdict['added_p99'])}; "
                     f"API p99 {_ms(many['api_ms'].get('p99'))} ms"
                     + (f" ({many['api_ms']['failed']} not 200)" if many["api_ms"].get("failed") else "")
                     + f": {_met(verdict['api_p99'])}")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def render_durations(durations: dict[str, float]) -> str:
    names = {**SCENARIO_TITLES, "ladder": "rate ladder", "fanout": "fan-out"}
    parts = ", ".join(f"{names.get(k, k)} {_duration(v)}" for k, v in durations.items())
    return f"Time: {parts}; total {_duration(sum(durations.values()))}"


def _change(old: float | None, new: float | None) -> str:
    if old is None or new is None:
        return f"{_ms(old)} -> {_ms(new)}"
    percent = f", {(new - old) / old * 100:+.0f}%" if old >= 1 else ""
    return f"{old:.1f} -> {new:.1f} ({new - old:+.1f} ms{percent})"


def compare(baseline: dict[str, Any], results: dict[str, Any]) -> str:
    lines = [f"Change against bench/baseline.json ({baseline.get('date', '?')})"]
    keys = ("messages", "rate", "customers", "warmup")
    if any(baseline.get("params", {}).get(k) != results["params"].get(k) for k in keys):
        lines.append(f"  note: the baseline ran with {baseline.get('params')}, this run with {results['params']}")
    widths = [44, 34, 34]
    lines.append(_row(["", "p50", "p99"], widths))
    for key, figures in results["scenarios"].items():
        old = baseline.get("scenarios", {}).get(key, {}).get("latency_ms", {})
        new = figures["latency_ms"]
        lines.append(_row([SCENARIO_TITLES.get(key, key), _change(old.get("p50"), new.get("p50")),
                           _change(old.get("p99"), new.get("p99"))], widths))
    for label, new in results.get("stages", {}).get("full", {}).items():
        old = baseline.get("stages", {}).get("full", {}).get(label, {})
        lines.append(_row([f"desk: {label}", _change(old.get("p50"), new.get("p50")),
                           _change(old.get("p99"), new.get("p99"))], widths))
    return "\n".join(lines)
