"""Fan-out: many consoles on the full desk, each of which must get each customer message exactly once.

Two desks, one after the other, each on a project of its own: one relay, then two relays on one
Redis (the desk's own redis-server). On each:
1. warm-up: one message per customer, awaited by one console (not counted);
2. one console, then N consoles (split evenly over the relays), each round in a process of
   gevent consoles (`bench.fanout_clients`, lean ones by default) so both rounds are measured
   the same way: the same Updates posted at the same pace, every arrival at every console timed;
3. while the N consoles are still connected, `GET /api/conversations` sequentially, and the
   relays' gunicorn workers' VmRSS before and after the N connected;
4. CPU used while the messages went out and arrived (from /proc/<pid>/stat), per message: by
   the relays' workers, and by the consoles' process (its own decoding of N copies is part of
   what the consoles measure, so this says how much of the spread is the listeners').

Figures per round: consoles connected, (console, message) pairs missing and duplicated,
latency p50/p99 over every pair (arrival at that console - just before the POST), the spread
of one message over the consoles (last arrival - first), the API's answer time. "Added over one
console" is the N round's p50/p99 minus the one-console round's, on the same desk.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import lifecycle, scenarios
from bench.chain import Path as MessagePath
from bench.client import Load, TimedRecorder, customers, updates_for, warm_up
from bench.stats import summary
from devtools.runner.emulators import Emulators
from devtools.runner.processes import Child

ADDED_P99_BUDGET_MS = 100.0
API_P99_BUDGET_MS = 100.0
CUSTOMERS = 10
SEED = 8_2026
READY_S_PER_CLIENT = 0.5  # generous time to connect, on top of a minute


@dataclass(frozen=True)
class Params:
    clients: int
    messages: int
    rate: float
    batch: int
    api_requests: int
    timeout: float
    client: str = "lean"  # bench.fanout_clients' kind of console: lean or python-socketio
    relays: tuple[int, ...] = (1, 2)


# --- the arithmetic (pure: tests/unit/bench) ---------------------------------------------------------------------

def delivery_figures(sent: dict[str, float], consoles: list[dict[str, list[float]]], clients: int) -> dict[str, Any]:
    """What `clients` consoles (of which `consoles` connected) got of the messages `sent` (key → send time).

    missing: (console, message) pairs that never arrived; duplicated: pairs that arrived more
    than once (each such pair counts once, however many copies); latency: every first arrival -
    its send time; spread: per message, the last console's first arrival - the first console's.
    """
    missing = duplicated = 0
    latencies: list[float] = []
    first_arrivals: dict[str, list[float]] = {key: [] for key in sent}
    for arrivals in consoles:
        for key, sent_at in sent.items():
            times = arrivals.get(key) or []
            if not times:
                missing += 1
                continue
            duplicated += len(times) > 1
            first = min(times)
            latencies.append((first - sent_at) * 1000)
            first_arrivals[key].append(first)
    spread = [(max(t) - min(t)) * 1000 for t in first_arrivals.values() if t]
    return {
        "clients": clients,
        "connected": len(consoles),
        "messages": len(sent),
        "expected": len(sent) * len(consoles),
        "missing": missing,
        "duplicated": duplicated,
        "exactly_once": len(consoles) == clients and missing == 0 and duplicated == 0,
        "latency_ms": summary(latencies),
        "spread_ms": summary(spread, points=(50, 99)),
    }


def added(single: dict[str, Any], many: dict[str, Any]) -> dict[str, float | None]:
    """p50 and p99 of the many-console round minus the one-console round's (ms)."""
    result: dict[str, float | None] = {}
    for point in ("p50", "p99"):
        one, lots = single.get(point), many.get(point)
        result[point] = None if one is None or lots is None else round(lots - one, 1)
    return result


def rss_per_thousand(before_kb: dict[str, int | None], after_kb: dict[str, int | None], sockets: int) -> float | None:
    """The relays' resident memory grown per 1,000 sockets, in MB (summed over the relays)."""
    if sockets <= 0 or any(before_kb.get(k) is None or after_kb.get(k) is None for k in after_kb) or not after_kb:
        return None
    grown_kb = sum(after_kb[k] - before_kb[k] for k in after_kb)  # type: ignore[operator]
    return round(grown_kb / 1024 * 1000 / sockets, 1)


def verdicts(run: dict[str, Any]) -> dict[str, bool | None]:
    """The three targets of one desk: exactly once, ≤ 100 ms p99 added, API p99 ≤ 100 ms (every answer a 200)."""
    added_p99 = run.get("added_ms", {}).get("p99")
    api = run["many"].get("api_ms", {})
    api_p99 = api.get("p99")
    return {
        "exactly_once": run["many"]["exactly_once"],
        "added_p99": None if added_p99 is None else added_p99 <= ADDED_P99_BUDGET_MS,
        "api_p99": None if api_p99 is None else api_p99 <= API_P99_BUDGET_MS and not api.get("failed"),
    }


# --- the relays' memory ------------------------------------------------------------------------------------------

def child_pids(pid: int) -> list[int]:
    """The child processes of `pid` (a gunicorn arbiter's: its workers)."""
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            found.update(int(x) for x in children.read_text().split())
    if not found:  # a kernel without /proc/<pid>/task/<tid>/children
        found.update(lifecycle._children(pid))
    return sorted(found)


def vm_rss_kb(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def cpu_s(pid: int) -> float | None:
    """User + system CPU seconds `pid` used so far (/proc/<pid>/stat)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return None


def relay_workers(desk: Any) -> dict[str, list[int]]:
    """Each relay's gunicorn worker process(es), by relay name (the arbiter is the relay's Child)."""
    return {name: child_pids(desk.child(name).process.pid) for name in desk.relay_names}


def relay_rss_kb(desk: Any) -> dict[str, int | None]:
    """VmRSS of each relay's gunicorn worker(s), by relay name."""
    result: dict[str, int | None] = {}
    for name, workers in relay_workers(desk).items():
        sizes = [vm_rss_kb(pid) for pid in workers]
        result[name] = sum(s for s in sizes if s is not None) if workers and None not in sizes else None
    return result


def total_cpu_s(pids: list[int]) -> float | None:
    times = [cpu_s(pid) for pid in pids]
    return None if not times or None in times else sum(t for t in times if t is not None)


def per_message_ms(before: float | None, after: float | None, messages: int) -> float | None:
    return None if before is None or after is None or not messages else round((after - before) * 1000 / messages, 1)


# --- the runs ----------------------------------------------------------------------------------------------------

def _wait_file(path: Path, worker: Child, timeout: float) -> Any:
    worker.wait_until(lambda: lifecycle.check() or path.exists(), timeout)
    return json.loads(path.read_text(encoding="utf-8"))


def api_times(urls: list[str], cookie: str, count: int) -> dict[str, Any]:
    """`count` sequential GET /api/conversations, round robin over the relays (ms)."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    times: list[float] = []
    failed = 0
    for n in range(count):
        lifecycle.check()
        began = time.perf_counter()
        try:
            ok = session.get(f"{urls[n % len(urls)]}api/conversations", timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        times.append((time.perf_counter() - began) * 1000)
        failed += not ok
    return {**summary(times, points=(50, 99)), "failed": failed}


def one_round(target: scenarios.Target, load: Load, people: list[dict[str, Any]], clients: int, params: Params,
              work: Path) -> dict[str, Any]:
    """`clients` consoles connect (spread over the relays), the messages go out, every arrival is timed."""
    desk = target.desk
    assert desk is not None and target.cookie is not None
    folder = work / f"round-{clients}"
    folder.mkdir(parents=True)
    before = relay_rss_kb(desk)
    argv = [sys.executable, "-m", "bench.fanout_clients", "--dir", str(folder), "--clients", str(clients),
            "--batch", str(params.batch), "--kind", params.client, *desk.console_urls]
    env = {**desk.environment(), "BENCH_COOKIE": target.cookie}
    with scenarios._children() as children:
        worker = scenarios._start(children, f"fanout-clients-{clients}", argv, env, work)
        ready = _wait_file(folder / "ready.json", worker, 60 + READY_S_PER_CLIENT * clients)
        if not ready["connected"]:
            raise RuntimeError(f"no console of {clients} connected: {ready['errors']}")
        time.sleep(1)  # let the relays settle after the last handshake
        after = relay_rss_kb(desk)
        relay_pids = [pid for pids in relay_workers(desk).values() for pid in pids]
        cpu_before = total_cpu_s(relay_pids), cpu_s(worker.process.pid)
        updates = updates_for(people, params.messages, random.Random(SEED), spread=False)  # round robin
        samples = load.post_all(updates, params.rate)
        (folder / "expect.json").write_text(json.dumps({"keys": [s.key for s in samples],
                                                        "timeout_s": params.timeout}), encoding="utf-8")
        arrivals = _wait_file(folder / "arrivals.json", worker, params.timeout + 60)
        cpu_after = total_cpu_s(relay_pids), cpu_s(worker.process.pid)
        api = api_times(desk.console_urls, target.cookie, params.api_requests)
    figures = delivery_figures({s.key: s.sent for s in samples}, [c["arrivals"] for c in arrivals["clients"]],
                               clients)
    return {**figures, "connect_s": ready["seconds"], "connect_errors": ready["errors"],
            "still_connected": sum(1 for c in arrivals["clients"] if c["connected"]),
            "posts_not_200": sum(1 for s in samples if s.status != 200), "api_ms": api,
            "rss_kb": {"before": before, "after": after},
            "relay_cpu_ms_per_message": per_message_ms(cpu_before[0], cpu_after[0], len(samples)),
            "consoles_cpu_ms_per_message": per_message_ms(cpu_before[1], cpu_after[1], len(samples)),
            "rss_mb_per_1000_sockets": rss_per_thousand(before, after, figures["connected"])}


def one_desk(emulators: Emulators, project_id: str, work: Path, path: MessagePath, relays: int,
             params: Params, log: Any = print) -> dict[str, Any]:
    with scenarios.full_desk(emulators, project_id, work, path, relays=relays, tap_traces=False) as target:
        assert target.cookie is not None
        people = customers(CUSTOMERS)
        recorder = TimedRecorder().connect(target.socket_url, target.cookie)
        try:
            load = Load(target.webhook_url, target.secret, recorder)
            warm_up(load, people, len(people), params.rate, params.timeout, SEED)
        finally:
            recorder.close()
        log(f"fan-out, {relays} relay(s): 1 console …")
        single = one_round(target, load, people, 1, params, work)
        log(f"fan-out, {relays} relay(s): {params.clients} consoles …")
        many = one_round(target, load, people, params.clients, params, work)
    run = {"relays": relays, "single": single, "many": many,
           "added_ms": added(single["latency_ms"], many["latency_ms"])}
    run["verdicts"] = verdicts(run)
    return run


def run(emulators: Emulators, project_prefix: str, work: Path, path: MessagePath, params: Params,
        log: Any = print) -> dict[str, Any]:
    results: dict[str, Any] = {
        "params": {"clients": params.clients, "messages": params.messages, "rate": params.rate,
                   "connect_batch": params.batch, "api_requests": params.api_requests, "customers": CUSTOMERS,
                   "client": params.client},
        "budgets_ms": {"added_p99": ADDED_P99_BUDGET_MS, "api_p99": API_P99_BUDGET_MS},
        "runs": {},
    }
    for relays in params.relays:
        project = f"{project_prefix}-fanout-{relays}"
        began = time.monotonic()
        try:
            results["runs"][str(relays)] = one_desk(emulators, project, work / f"fanout-{relays}", path, relays,
                                                    params, log)
        finally:
            with lifecycle.uninterrupted():
                scenarios.purge_project(emulators, project)
        many = results["runs"][str(relays)]["many"]
        log(f"fan-out, {relays} relay(s): {many['connected']}/{many['clients']} consoles, {many['missing']} missing, "
            f"{many['duplicated']} duplicated ({time.monotonic() - began:.0f} s)")
    return results


def params_from(args: argparse.Namespace) -> Params:
    return Params(clients=args.fanout_clients, messages=args.fanout_messages, rate=args.fanout_rate,
                  batch=args.fanout_batch, api_requests=args.fanout_api_requests, timeout=args.timeout,
                  client=args.fanout_client)

