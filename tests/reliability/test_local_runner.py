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
from support import wait_until

from teledesk.local.processes import free_port, port_open
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


def test_run_prints_urls_and_login_and_ctrl_c_stops_everything(tmp_path):
    ports = {"DESK_PORT": free_port(), "INGEST_PORT": free_port(), "STANDIN_PORT": free_port()}
    log_dir = tmp_path / "logs"
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "TELEGRAM_BOT_TOKEN": "",
           "TELEGRAM_WEBHOOK_SECRET": "runner-test-secret", "DESK_ADMIN_PASSWORD": "runner-test-password",
           "DESK_SESSION_SECRET": "r" * 64, "GOOGLE_CLOUD_PROJECT": "teledesk-runner-test"}
    for name in ("PUBSUB_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST"):
        env.pop(name, None)
    runner = subprocess.Popen([sys.executable, "-m", "teledesk.local", "--log-dir", str(log_dir)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    try:
        for line in runner.stdout:
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        printed = "".join(output)
        assert f"http://127.0.0.1:{ports['DESK_PORT']}/" in printed
        assert f"http://127.0.0.1:{ports['STANDIN_PORT']}/" in printed
        assert "admin / runner-test-password" in printed
        assert requests.get(f"http://127.0.0.1:{ports['DESK_PORT']}/api/health", timeout=5).status_code == 200
        login = requests.post(f"http://127.0.0.1:{ports['DESK_PORT']}/api/login",
                              json={"username": "admin", "password": "runner-test-password"}, timeout=5)
        assert login.status_code == 200
        running = processes_mentioning(str(log_dir)) + processes_mentioning(f"--port {ports['INGEST_PORT']}")
        assert running  # the emulators (data dir) and ingest are up
    finally:
        runner.send_signal(signal.SIGINT)
        rest, _ = runner.communicate(timeout=60)
    assert "Stopped." in rest
    assert runner.returncode == 0
    wait_until(lambda: not any(port_open(p) for p in ports.values()), timeout=10)
    wait_until(lambda: not processes_mentioning(str(log_dir)), timeout=10)  # Java emulators included
    time.sleep(0.5)
    assert processes_mentioning(f"--port {ports['INGEST_PORT']}") == []
