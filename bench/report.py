"""The printed table, and the change against the saved baseline."""

from __future__ import annotations

from typing import Any

BUSY_PERCENT = 15  # CPU busy (all CPUs) in the second before the bench starts anything
SCENARIO_TITLES = {"direct": "direct floor", "hops": "emulator hops floor", "full": "full desk"}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _percent(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}%"


def _row(cells: list[str], widths: list[int]) -> str:
    first, *rest = cells
    return "  " + first.ljust(widths[0]) + "".join(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))


def render(results: dict[str, Any]) -> str:
    p, machine = results["params"], results["machine"]
    lines = [
        f"teledesk bench, {results['date']}, {machine['cpus']} CPUs ({machine['cpu_model'] or machine['system']}), "
        f"Python {machine['python']}, commit {results.get('commit', '?')}, "
        f"CPU busy at start {_percent(machine.get('cpu_busy_percent_at_start'))}",
        f"{p['messages']} text Updates from {p['customers']} customers at {p['rate']}/s "
        f"(after {p['warmup']} warm-up messages, not counted); "
        f"path: {' -> '.join(results['path']['steps'])} -> relay ({len(results['path']['steps']) - 1} no-op hops "
        f"in the floor)",
        "",
        "Latency, just before the webhook POST -> `message` event at the Socket.IO client (ms)",
    ]
    busy = machine.get("cpu_busy_percent_at_start")
    if busy is not None and busy > BUSY_PERCENT:
        lines.insert(2, f"note: the CPUs were {busy:.0f}% busy with other work just before the bench started: "
                        f"these figures are noisier than usual")
    widths = [22, 7, 7, 8, 8, 8, 8, 14]
    lines.append(_row(["", "sent", "recv", "p50", "p90", "p99", "max", "POST answer"], widths))
    for key, figures in results["scenarios"].items():
        lat, ans = figures["latency_ms"], figures["webhook_answer_ms"]
        lines.append(_row([SCENARIO_TITLES.get(key, key), str(figures["sent"]), str(figures["received"]),
                           _ms(lat.get("p50")), _ms(lat.get("p90")), _ms(lat.get("p99")), _ms(lat.get("max")),
                           f"{_ms(ans.get('p50'))} / {_ms(ans.get('p99'))}"], widths))
    lines.append("  (POST answer: the webhook's HTTP answer time, p50 / p99)")
    if results.get("ratios"):
        lines += ["", "Ratios"]
        widths = [22, 8, 8]
        lines.append(_row(["", "p50", "p99"], widths))
        for name, value in results["ratios"].items():
            lines.append(_row([name, f"{value['p50']}x", f"{value['p99']}x"], widths))
    if results.get("stages"):
        columns = [k for k in ("full", "hops") if k in results["stages"]]
        lines += ["", "By stage, from the trace map (ms; own time = X:out - X, hop = next X - previous X:out)"]
        widths = [44] + [10] * (2 * len(columns))
        header = [""]
        for key in columns:
            short = "desk" if key == "full" else "floor"
            header += [f"{short} p50", f"{short} p99"]
        lines.append(_row(header, widths))
        labels = list(results["stages"][columns[0]])
        for label in labels:
            cells = [label]
            for key in columns:
                figures = results["stages"][key].get(label, {})
                cells += [_ms(figures.get("p50")), _ms(figures.get("p99"))]
            lines.append(_row(cells, widths))
    return "\n".join(lines)


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
