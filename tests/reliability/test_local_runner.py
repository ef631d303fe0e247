"""`make run`'s runner: it brings the desk up, prints what a newcomer needs, and Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from support import free_port_pair, wait_until

from devtools.runner.desk import relay_healthy
from devtools.runner.processes import free_port, port_open
from teledesk.settings import ROOT

pytestmark = pytest.mark.integration


def processes_mentioning(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if needle in cmdline and "zombie" not in state:
            found.append(int(entry.name))
    return found


def test_run_prints_urls_and_login_restarts_what_dies_and_ctrl_c_stops_everything(tmp_path):
    """With DESK_RELAYS=2: two relays on DESK_PORT and the next, a redis-server of their own."""
    ports = {"DESK_PORT": free_port_pair(), "INGEST_PORT": free_port(), "STANDIN_PORT": free_port()}
    second_relay = ports["DESK_PORT"] + 1
    log_dir = tmp_path / "logs"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "TELEGRAM_BOT_TOKEN": "",
           "TELEGRAM_WEBHOOK_SECRET": "runner-test-secret", "DESK_ADMIN_PASSWORD": "runner-test-password",
           "DESK_SESSION_SECRET": "r" * 64, "GOOGLE_CLOUD_PROJECT": "teledesk-runner-test", "DESK_RELAYS": "2"}
    for name in ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", "DESK_REDIS_URL"):
        env.pop(name, None)
    runner = subprocess.Popen([sys.executable, "-m", "devtools.runner", "--log-dir", str(log_dir)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    try:
        for line in runner.stdout:
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        printed = "".join(output)
        assert f"http://127.0.0.1:{ports['DESK_PORT']}/  (relay)" in printed
        assert f"http://127.0.0.1:{second_relay}/  (relay-2)" in printed
        assert "Redis          redis://127.0.0.1:" in printed
        assert f"http://127.0.0.1:{ports['STANDIN_PORT']}/" in printed
        assert "admin / runner-test-password" in printed
        assert "Pub/Sub        PUBSUB_EMULATOR_HOST=127.0.0.1:" in printed  # where python -m teledesk.replay goes
        for port in (ports["DESK_PORT"], second_relay):
            assert relay_healthy(port)
        login = requests.post(f"http://127.0.0.1:{second_relay}/api/login",
                              json={"username": "admin", "password": "runner-test-password"}, timeout=5)
        assert login.status_code == 200
        running = processes_mentioning(str(log_dir)) + processes_mentioning(f"--port {ports['INGEST_PORT']}")
        assert running  # the emulators (data dir) and ingest are up

        [relay_2] = [pid for pid in processes_mentioning(f"127.0.0.1:{second_relay}") if os.getpgid(pid) == pid]
        os.killpg(relay_2, signal.SIGKILL)  # it dies: the runner starts it again
        assert "relay-2 exited with -9; starting it again" in runner.stdout.readline()
        wait_until(lambda: relay_healthy(second_relay), timeout=60)
        ports["REDIS"] = int(printed.split("redis://127.0.0.1:")[1].split("/")[0])
    finally:
        runner.send_signal(signal.SIGINT)
        rest, _ = runner.communicate(timeout=60)
    assert "Stopped." in rest
    assert runner.returncode == 0
    wait_until(lambda: not any(port_open(p) for p in ports.values()), timeout=10)
    wait_until(lambda: not processes_mentioning(str(log_dir)), timeout=10)  # Java emulators included
    time.sleep(0.5)
    assert processes_mentioning(f"--port {ports['INGEST_PORT']}") == []
