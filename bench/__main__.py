"""`python -m bench` (`make bench`): webhook → Socket.IO latency of the desk and of its two floors.

One pair of emulators (in a temp dir) serves the whole run. The three scenarios run one after
the other, each stopped before the next starts, with the same Updates from the same customers:
1. direct floor: the webhook POST straight to a Flask-SocketIO app that emits at once;
2. emulator hops floor: the desk's topics and push subscriptions with no-op steps;
3. full desk: the real Desk (ingest, classify, enrich, relay, stand-in).
Figures go to stdout and bench/results/latest.json, compared with bench/baseline.json.
"""

from __future__ import annotations

import argparse
import contextlib
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
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import console, lifecycle, report, scenarios
from bench.chain import message_path
from bench.client import Load, Sample, TimedRecorder, customers, updates_for
from bench.scenarios import Target
from bench.stats import ratio, scenario_figures, stage_figures
from teledesk.local.emulators import Emulators, MissingPrerequisite
from teledesk.manifest import load_manifest

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "latest.json"
SAMPLES = BENCH_DIR / "results" / "samples.json"
BASELINE = BENCH_DIR / "baseline.json"
PROJECT_ID = "teledesk-bench"
SEED = 20_26
SCENARIOS = ("direct", "hops", "full")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300, help="measured messages per scenario (300)")
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second, steady pace (20)")
    parser.add_argument("--customers", type=int, default=20, help="distinct customers (chats) (20)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="messages sent and awaited before measuring, one per customer in turn (20)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for stragglers (60)")
    parser.add_argument("--only", choices=SCENARIOS, action="append",
                        help="run only this scenario (repeatable); ratios need the others")
    parser.add_argument("--save-baseline", action="store_true", help=f"write the results to {BASELINE.name}")
    parser.add_argument("--keep-logs", action="store_true", help="keep the emulators' and processes' logs")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.rate <= 0 or args.customers < 1 or args.warmup < 0:
        parser.error("--messages, --customers and --rate must be positive, --warmup not negative")
    if args.save_baseline and args.only and set(args.only) != set(SCENARIOS):
        parser.error("--save-baseline needs all three scenarios (drop --only)")
    return args


def measure(target: Target, args: argparse.Namespace) -> list[Sample]:
    recorder = TimedRecorder().connect(target.socket_url, target.cookie)
    try:
        load = Load(target.webhook_url, target.secret, recorder)
        people = customers(args.customers)
        if args.warmup:
            warm = load.run(updates_for(people, args.warmup, random.Random(SEED), spread=False), args.rate,
                            args.timeout)
            if not any(s.arrived for s in warm):
                raise RuntimeError(f"none of the {len(warm)} warm-up messages reached the Socket.IO client "
                                   f"(answers: {sorted({s.status for s in warm}, key=str)})")
        updates = updates_for(people, args.messages, random.Random(SEED), spread=True)
        samples = load.run(updates, args.rate, args.timeout)
        if target.traces is not None:
            full = target.traces()
            for sample in samples:
                sample.trace = {**sample.trace, **full.get(sample.key, {})}
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


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    manifest = load_manifest()
    path = message_path(manifest)
    chosen = [s for s in SCENARIOS if not args.only or s in args.only]
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "machine": machine(),
        "params": {"messages": args.messages, "rate": args.rate, "customers": args.customers,
                   "warmup": args.warmup},
        "path": {"steps": [path.webhook.name, *(s.name for s in path.steps)], "topics": list(path.topics),
                 "relay_topic": path.relay_topic},
        "scenarios": {}, "ratios": {}, "stages": {}, "console": {"bundle": console.bundle_figures()},
    }
    raw: dict[str, list[dict[str, Any]]] = {}
    print(f"Starting the emulators (logs in {work}) …", flush=True)
    emulators = Emulators(work / "emulators")
    try:
        emulators.start(PROJECT_ID)  # stops what it started if it fails
        starters: dict[str, Callable[[], AbstractContextManager[Target]]] = {
            "direct": lambda: scenarios.direct_floor(emulators, PROJECT_ID, work / "direct"),
            "hops": lambda: scenarios.hops_floor(emulators, PROJECT_ID, work / "hops", manifest, path),
            "full": lambda: scenarios.full_desk(emulators, PROJECT_ID, work / "full", path),
        }
        for key in chosen:
            title = report.SCENARIO_TITLES[key]
            began = time.monotonic()
            print(f"{title}: starting …", flush=True)
            with starters[key]() as target:
                print(f"{title}: sending {args.warmup} + {args.messages} messages at {args.rate:g}/s …", flush=True)
                samples = measure(target, args)
                if key == "full":
                    print("console: timing the first screen in Chromium …", flush=True)
                    results["console"]["first_screen"] = console.first_screen_figures(target.socket_url,
                                                                                      target.admin_password)
            lifecycle.check()  # in case something on the way swallowed the KeyboardInterrupt
            raw[key] = [asdict(sample) for sample in samples]
            figures = scenario_figures(samples)
            results["scenarios"][key] = figures
            if key != "direct":
                results["stages"][key] = stage_figures(samples, path)
            print(f"{title}: {figures['received']}/{figures['sent']} received, p50 "
                  f"{figures['latency_ms'].get('p50')} ms ({time.monotonic() - began:.0f} s)", flush=True)
    finally:
        with lifecycle.uninterrupted():
            emulators.stop()
        if raw:  # every message's clock and trace, for digging into a figure
            SAMPLES.parent.mkdir(exist_ok=True)
            SAMPLES.write_text(json.dumps(raw) + "\n", encoding="utf-8")
    found = results["scenarios"]
    for other in ("direct", "hops"):
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
    print(console.render(results.get("console", {})))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(BENCH_DIR.parent)}")
    if BASELINE.is_file():
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
