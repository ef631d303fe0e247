"""`python -m devtools.standin` serves the stand-in and stops cleanly on SIGTERM."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

from devtools.standin.__main__ import DEFAULT_TOKEN, parse_args

ROOT = Path(__file__).resolve().parents[4]


def test_arguments_and_defaults() -> None:
    args = parse_args(["--port", "9999", "--token", "1:t"])
    assert (args.host, args.port, args.token, args.bot_username) == ("127.0.0.1", 9999, "1:t", "teledesk_bot")
    assert parse_args([]).token == DEFAULT_TOKEN


def test_module_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.standin", "--port", "0", "--token", "77:abc"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        port = re.search(r"127\.0\.0\.1:(\d+)/", banner)
        assert port, banner
        base = f"http://127.0.0.1:{port.group(1)}"
        assert requests.get(f"{base}/bot77:abc/getMe", timeout=5).json()["result"]["id"] == 77
        assert "customer-input" in requests.get(base, timeout=5).text
    finally:
        process.terminate()
        assert process.wait(5) == 0
