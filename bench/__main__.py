"""`python -m bench` (`make bench`): webhook → Socket.IO latency of the desk and of its two floors.

One pair of emulators (in a temp dir) serves the whole run, warmed first (bench/warm.py). The
scenarios run one after the other, each stopped before the next starts:
1. direct floor: the webhook POST straight to a Flask-SocketIO app that emits at once;
2. emulator hops floor: the desk's topics and push subscriptions with no-op steps;
3. full desk: the real Desk (ingest, classify, enrich, relay, stand-in);
4. rate ladder: the hops floor and the full desk again at rising rates, each on a fresh project;
5. fan-out: many consoles on one relay, then on two relays sharing a Redis.
Figures go to stdout and bench/results/latest.json, compared with bench/baseline.json.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import console, fanout, ladder, lifecycle, report, scenarios
from bench.branches import branch_figures
from bench.chain import Path as MessagePath
from bench.chain import message_path
from bench.client import Load, Sample, TimedRecorder, customers, updates_for, warm_up
from bench.scenarios import Target
from bench.stats import ratio, scenario_figures, stage_figures
from bench.warm import WARM_S, warm_emulators
from devtools.runner.emulators import Emulators, MissingPrerequisite
from teledesk.manifest import Manifest, load_manifest

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "latest.json"
SAMPLES = BENCH_DIR / "results" / "samples.json"
BASELINE = BENCH_DIR / "baseline.json"
PROJECT_ID = "teledesk-bench"
SEED = 20_26
SCENARIOS = ("direct", "hops", "full")  # the latency table (and the baseline)
NO_METRICS = "nometrics"  # the full desk without its metrics step, right after it: what the branch costs the path
PARTS = (*SCENARIOS, NO_METRICS, "ladder", "fanout")


def rates(text: str) -> tuple[float, ...]:
    """`25,50,75,100` → (25.0, 50.0, 75.0, 100.0), each positive, in rising order."""
    try:
        values = tuple(sorted({float(x) for x in text.split(",") if x.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of rates: {text!r}") from None
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError(f"rates must be positive: {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="measured messages per scenario (300)")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second, steady pace (20)")
    parser.add_argument("--customers", type=int, default=20, help="distinct customers (chats) (20)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="messages sent and awaited before measuring, one per customer in turn (20)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds to wait for stragglers (60); the fan-out's too")
    parser.add_argument("--only", choices=PARTS, action="append",
                        help="run only this part (repeatable); ratios need direct, hops and full")
    parser.add_argument("--skip", choices=PARTS, action="append", help="leave this part out (repeatable)")
    ladder_flags = parser.add_argument_group("rate ladder (--only ladder)")
    ladder_flags.add_argument("--ladder-rates", type=rates, default=ladder.DEFAULT_RATES, metavar="R,R,…",
                              help="messages per second, one rung each (25,50,75,100)")
    ladder_flags.add_argument("--ladder-messages", type=int, default=1000, help="measured messages per rung (1000)")
    ladder_flags.add_argument("--ladder-customers", type=int, default=200,
                              help="customers per rung; as many warm-up messages, one each (200)")
    ladder_flags.add_argument("--ladder-settle", type=float, default=5.0,
                              help="seconds between the warm-up's last arrival and the measured messages (5)")
    ladder_flags.add_argument("--ladder-timeout", type=float, default=30.0,
                              help="seconds to wait for stragglers after a rung's last send; later is lost (30)")
    ladder_flags.add_argument("--ladder-linger", type=float, default=5.0,
                              help="seconds to keep listening for duplicates after the last arrival (5)")
    fanout_flags = parser.add_argument_group("fan-out (--only fanout)")
    fanout_flags.add_argument("--fanout-clients", type=int, default=1000,
                              help="Socket.IO consoles on one relay, then split over two (1000)")
    fanout_flags.add_argument("--fanout-messages", type=int, default=20, help="messages each round (20)")
    fanout_flags.add_argument("--fanout-rate", type=float, default=2.0, help="their pace, per second (2)")
    fanout_flags.add_argument("--fanout-batch", type=int, default=100, help="consoles connecting at a time (100)")
    fanout_flags.add_argument("--fanout-client", choices=("lean", "python-socketio"), default="lean",
                              help="the consoles: a lean Socket.IO listener, or python-socketio's Client (lean)")
    fanout_flags.add_argument("--fanout-api-requests", type=int, default=50,
                              help="sequential GET /api/conversations with the consoles connected (50)")
    parser.add_argument("--save-baseline", action="store_true", help=f"write the results to {BASELINE.name}")
    parser.add_argument("--keep-logs", action="store_true", help="keep the emulators' and processes' logs")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.rate <= 0 or args.customers < 1 or args.warmup < 0:
        parser.error("--messages, --customers and --rate must be positive, --warmup not negative")
    counts = (args.ladder_messages, args.ladder_customers, args.fanout_clients, args.fanout_messages,
              args.fanout_batch, args.fanout_api_requests)
    if min(counts) < 1 or args.fanout_rate <= 0 or args.ladder_timeout <= 0 \
            or min(args.ladder_linger, args.ladder_settle) < 0:
        parser.error("the --ladder-* and --fanout-* counts and rates must be positive, the pauses not negative")
    args.parts = [p for p in PARTS if (not args.only or p in args.only) and p not in (args.skip or [])]
    if not args.parts:
        parser.error("--only and --skip leave nothing to run")
    if args.save_baseline and not set(SCENARIOS) <= set(args.parts):
        parser.error("--save-baseline needs the direct, hops and full scenarios")
    return args


def pause(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lifecycle.check()
        time.sleep(0.1)


def measure(target: Target, args: argparse.Namespace, settle: float = 0.0, linger: float = 0.0) -> list[Sample]:
    """Warm up, wait `settle` s, send the measured messages, collect arrivals; `linger` s more for late duplicates."""
    recorder = TimedRecorder().connect(target.socket_url, target.cookie)
    try:
        load = Load(target.webhook_url, target.secret, recorder)
        people = customers(args.customers)
        if args.warmup:
            warm_up(load, people, args.warmup, args.rate, args.timeout, SEED)
            pause(settle)
        updates = updates_for(people, args.messages, random.Random(SEED), spread=True)
        samples = load.run(updates, args.rate, args.timeout)
        if target.traces is not None:
            full = target.traces()
            for sample in samples:
                sample.trace = {**sample.trace, **full.get(sample.key, {})}
        pause(linger)
        load.settle(samples)  # copies (and stragglers) seen since
        return samples
    finally:
        recorder.close()


def commit() -> str:
    """The checked-out commit, `+dirty` when the tree has changes: what the figures belong to."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR, capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=BENCH_DIR, capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def cpu_busy_percent(seconds: float = 1.0) -> float | None:
    """How busy the CPUs are right now (all processes), from two readings of /proc/stat."""

    def reading() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    try:
        busy0, total0 = reading()
        time.sleep(seconds)
        busy1, total1 = reading()
    except (OSError, ValueError, IndexError):
        return None
    return round(100 * (busy1 - busy0) / max(total1 - total0, 1), 1)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return {"cpus": os.cpu_count(), "cpu_model": model, "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "cpu_busy_percent_at_start": cpu_busy_percent()}


def scenario_runs(parts: Sequence[str]) -> list[str]:
    """The latency scenarios in the order they run. The desk without its metrics step runs both
    before and after the full desk, and its two runs are pooled: emulators that are still warming
    up (or a machine whose load drifts) then weigh on both sides alike, so the comparison measures
    the step, not the order."""
    runs = [key for key in SCENARIOS if key in parts]
    if NO_METRICS in parts and "full" in runs:
        at = runs.index("full")
        runs[at:at + 1] = [NO_METRICS, "full", NO_METRICS]
    elif NO_METRICS in parts:
        runs.append(NO_METRICS)
    return runs


def starter(key: str, emulators: Emulators, project_id: str, log_dir: Path, manifest: Manifest,
            path: MessagePath) -> AbstractContextManager[Target]:
    """The scenario `key` (direct, hops or full) on `project_id`, logging under `log_dir`."""
    if key == "direct":
        return scenarios.direct_floor(emulators, project_id, log_dir)
    if key == "hops":
        return scenarios.hops_floor(emulators, project_id, log_dir, manifest, path)
    return scenarios.full_desk(emulators, project_id, log_dir, path,
                               without=("metrics",) if key == NO_METRICS else ())


def run_ladder(args: argparse.Namespace, emulators: Emulators, work: Path, manifest: Manifest, path: MessagePath,
               raw: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """At each rate, the hops floor then the full desk, each on a project of its own, purged after."""
    rungs: dict[str, dict[str, dict[str, Any]]] = {"hops": {}, "full": {}}
    for rate in args.ladder_rates:
        for key in rungs:
            rung = ladder.rate_key(rate)
            project = f"{PROJECT_ID}-ladder-{key}-{rung.replace('.', '-')}"
            title = f"ladder {rung}/s, {report.SCENARIO_TITLES[key]}"
            began = time.monotonic()
            print(f"{title}: {args.ladder_customers} + {args.ladder_messages} messages …", flush=True)
            rung_args = argparse.Namespace(messages=args.ladder_messages, rate=rate, customers=args.ladder_customers,
                                           warmup=args.ladder_customers, timeout=args.ladder_timeout)
            try:
                with starter(key, emulators, project, work / f"ladder-{key}-{rung}", manifest, path) as target:
                    samples = measure(target, rung_args, settle=args.ladder_settle, linger=args.ladder_linger)
            finally:
                with lifecycle.uninterrupted():
                    scenarios.purge_project(emulators, project)
            lifecycle.check()
            raw[f"ladder-{key}-{rung}"] = [asdict(sample) for sample in samples]
            figures = rungs[key][rung] = ladder.rung_figures(samples, rate)
            print(f"{title}: {figures['received']}/{figures['sent']} received, {figures['duplicated']} duplicated, "
                  f"p99 {figures['latency_ms'].get('p99')} ms, {figures['p99_trend']} "
                  f"({time.monotonic() - began:.0f} s)", flush=True)
    params = {"rates": list(args.ladder_rates), "messages": args.ladder_messages,
              "customers": args.ladder_customers, "warmup": args.ladder_customers, "settle_s": args.ladder_settle,
              "linger_s": args.ladder_linger,
              "drain_timeout_s": args.ladder_timeout}
    return ladder.summary(params, rungs)


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    manifest = load_manifest()
    path = message_path(manifest)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "params": {"messages": args.messages, "rate": args.rate, "customers": args.customers,
                   "warmup": args.warmup},
        "path": {"steps": [path.webhook.name, *(s.name for s in path.steps)], "topics": list(path.topics),
                 "relay_topic": path.relay_topic},
        "parts": list(args.parts), "durations_s": {},
        "scenarios": {}, "ratios": {}, "stages": {}, "console": {"bundle": console.bundle_figures()},
    }
    raw: dict[str, list[dict[str, Any]]] = {}
    began = time.monotonic()
    print(f"Starting the emulators (logs in {work}) …", flush=True)
    emulators = Emulators(work / "emulators")
    try:
        emulators.start(PROJECT_ID)  # stops what it started if it fails
        results["durations_s"]["emulators"] = round(time.monotonic() - began)
        if set(args.parts) - {"direct"}:  # the direct floor uses no emulator
            began = time.monotonic()
            print(f"Warming the emulators ({WARM_S:g} s) …", flush=True)
            warm_emulators(emulators.environment, f"{PROJECT_ID}-warm")
            results["durations_s"]["warm"] = round(time.monotonic() - began)
        pooled: dict[str, list[Sample]] = {}
        for key in scenario_runs(args.parts):
            title = report.SCENARIO_TITLES[key]
            began = time.monotonic()
            run = f"{key}-2" if key in pooled else key
            print(f"{title}: starting …", flush=True)
            project = PROJECT_ID if key == "full" else f"{PROJECT_ID}-{run}"  # its own data and admin password
            with starter(key, emulators, project, work / run, manifest, path) as target:
                print(f"{title}: sending {args.warmup} + {args.messages} messages at {args.rate:g}/s …", flush=True)
                samples = measure(target, args)
                if key == "full" and target.desk is not None:
                    print("branches: reading what the metrics step counted …", flush=True)
                    results["branches"] = branch_figures(target.desk.settings.project_id,
                                                         args.warmup + args.messages)
                if key == "full":
                    print("console: timing the first screen in Chromium …", flush=True)
                    results["console"]["first_screen"] = console.first_screen_figures(target.socket_url,
                                                                                      target.admin_password)
            lifecycle.check()  # in case something on the way swallowed the KeyboardInterrupt
            pooled.setdefault(key, []).extend(samples)
            raw[key] = [asdict(sample) for sample in pooled[key]]
            results["scenarios"][key] = scenario_figures(pooled[key])
            if key != "direct":
                results["stages"][key] = stage_figures(pooled[key], path)
            results["durations_s"][key] = results["durations_s"].get(key, 0) + round(time.monotonic() - began)
            figures = scenario_figures(samples)
            print(f"{title}: {figures['received']}/{figures['sent']} received, p50 "
                  f"{figures['latency_ms'].get('p50')} ms ({time.monotonic() - began:.0f} s)", flush=True)
        if "ladder" in args.parts:
            began = time.monotonic()
            results["ladder"] = run_ladder(args, emulators, work, manifest, path, raw)
            results["durations_s"]["ladder"] = round(time.monotonic() - began)
        if "fanout" in args.parts:
            began = time.monotonic()
            log = functools.partial(print, flush=True)
            results["fanout"] = fanout.run(emulators, PROJECT_ID, work, path, fanout.params_from(args), log)
            results["durations_s"]["fanout"] = round(time.monotonic() - began)
    finally:
        with lifecycle.uninterrupted():
            emulators.stop()
        if raw:  # every message's clock and trace, for digging into a figure
            SAMPLES.parent.mkdir(exist_ok=True)
            SAMPLES.write_text(json.dumps(raw) + "\n", encoding="utf-8")
    found = results["scenarios"]
    for other in ("direct", "hops", NO_METRICS):
        if "full" in found and other in found:
            results["ratios"][f"full / {other}"] = {p: ratio(found["full"], found[other], p) for p in ("p50", "p99")}
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lifecycle.install_handlers()
    lifecycle.become_subreaper()
    work = Path(tempfile.mkdtemp(prefix="teledesk-bench-"))
    keep = args.keep_logs
    try:
        results = run(args, work)
    except KeyboardInterrupt:
        print("\nInterrupted: everything the bench started is stopped.", file=sys.stderr)
        return 130
    except (MissingPrerequisite, RuntimeError, TimeoutError) as exc:
        keep = True
        print(f"bench failed: {exc}\nlogs kept in {work}", file=sys.stderr)
        return 1
    except Exception:
        keep = True
        traceback.print_exc()
        print(f"bench failed; logs kept in {work}", file=sys.stderr)
        return 1
    finally:
        left = lifecycle.sweep()
        if left:
            print(f"stopped processes left running: {left}", file=sys.stderr)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(report.render(results))
    if "ladder" in results:
        print()
        print(report.render_ladder(results["ladder"]))
    if "fanout" in results:
        print()
        print(report.render_fanout(results["fanout"]))
    print(console.render(results.get("console", {})))
    print()
    print(report.render_durations(results.get("durations_s", {})))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(BENCH_DIR.parent)}")
    if BASELINE.is_file() and results["scenarios"]:
        print()
        print(report.compare(json.loads(BASELINE.read_text(encoding="utf-8")), results))
    if args.save_baseline:
        BASELINE.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"written: {BASELINE.relative_to(BENCH_DIR.parent)} (the new baseline)")
    if keep:
        print(f"logs kept in {work}")
    lost = {k: f["sent"] - f["received"] for k, f in results["scenarios"].items() if f["received"] < f["sent"]}
    if lost:
        print(f"\nmessages that never reached the client: {lost}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
