"""Issue 10, logs that follow one message, on the whole desk: every part's `.log` holds JSON lines in
Cloud Logging's structured format, one update is followed by its trace id through every part, and no
line of any file (the `.log`s and the raw `.out` captures) holds a secret, errors included."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from support import reply, text_update, wait_until

from devtools.runner.desk import STANDIN_TOKEN
from teledesk.logs import update_trace_id
from teledesk.logs.reading import Entry, find, path_of
from teledesk.settings import ROOT

pytestmark = pytest.mark.integration


def said(entries: list[Entry], part: str, text: str) -> bool:
    return any(entry.part == part and text in entry.message for entry in entries)


def test_one_update_is_followed_by_its_trace_id_through_every_part(desk):
    customer = random.randint(100_000_000, 999_999_999)
    requests.post(f"{desk.standin_url}customer/api/messages", timeout=10, json={
        "user_id": customer, "first_name": "Ana", "language_code": "es", "text": "/start"}).raise_for_status()

    def answered() -> list[Entry] | None:  # the whole path: the relay showed the bot's answer sent, and
        found = find(desk.log_dir, str(customer))  # metrics counted both the message and the delivery
        path = path_of(desk.log_dir, found[0].trace_id) if len(found) == 1 else []
        counted = sum(entry.part == "metrics" for entry in path)
        return path if said(path, "relay", " (sent) to the consoles") and counted >= 2 else None

    path = wait_until(answered, timeout=30)
    trace_id = path[0].trace_id
    ingested = next(entry for entry in path if entry.part == "ingest")
    update_id = int(ingested.message.split()[2].rstrip(","))  # "ingest: update N, UPDATE chat/id → tg-updates"
    assert trace_id == update_trace_id(update_id)
    message_id = ingested.labels["message_id"]
    bot_answer = f"bot-start-{message_id}"
    assert [entry.time for entry in path] == sorted(entry.time for entry in path)
    for part, text in [("ingest", f"ingest: update {update_id}, UPDATE {customer}/{message_id} → tg-updates"),
                       ("classify", f"classify: COMMAND {customer}/{message_id} → messages-classified"),
                       ("enrich", f"enrich: COMMAND {customer}/{message_id} → messages-enriched"),
                       ("relay", f"relay: COMMAND {customer}/{message_id} to the consoles"),
                       ("autoreply", f"autoreply: BOT {customer}/{bot_answer} → agent-replies"),
                       ("deliver", f"deliver: BOT {customer}/{bot_answer} (sent) → deliveries"),
                       ("relay", f"relay: BOT {customer}/{bot_answer} (sent) to the consoles")]:
        assert said(path, part, text), (part, text, [entry.line() for entry in path])
    assert {entry.labels["chat_id"] for entry in path} == {str(customer)}
    assert all(entry.severity == "INFO" for entry in path)

    def printed_as_logged() -> bool:  # parts that act later (the staffroom, the metrics) may still be logging
        printed = subprocess.run([sys.executable, "-m", "teledesk.logs", "trace", trace_id, "--dir",
                                  str(desk.log_dir)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert printed.returncode == 0, printed.stderr
        logged = [entry.part for entry in path_of(desk.log_dir, trace_id)]
        return [line.split()[1] for line in printed.stdout.splitlines()] == logged

    wait_until(printed_as_logged, timeout=30)
    assert_every_log_line_is_structured(desk.log_dir)


def assert_every_log_line_is_structured(log_dir: Path) -> None:
    logs = sorted(log_dir.glob("*.log"))
    assert {"ingest", "classify", "enrich", "autoreply", "deliver", "relay", "standin"} <= {p.stem for p in logs}
    for path in logs:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            entry = json.loads(line)
            assert isinstance(entry, dict) and {"time", "severity", "message", "logging.googleapis.com/trace",
                                                "logging.googleapis.com/labels"} <= set(entry), (path, number)


def test_no_line_of_any_log_file_holds_a_secret_even_after_errors(desk, desk_settings, agent, post_update,
                                                                   telegram_sends, console_events, customer,
                                                                   failures):
    update = text_update(customer, "Hola")
    assert post_update(update, secret="wrong").status_code == 403  # the secret someone tried is not logged either
    assert post_update(update, secret=None).status_code == 403
    assert post_update(b"{not json").status_code == 400
    telegram_sends(update)
    console_events.wait_for("message", lambda m: m["chat_id"] == customer["id"])

    def settled(client_id: str) -> str:
        return str(console_events.wait_for("delivery", lambda d: d["client_id"] == client_id and d["state"] != "queued",
                                           timeout=30)["state"])

    failures("sendMessage", 500)  # Telegram fails once: deliver raises, Pub/Sub retries
    assert settled(reply(desk, agent, customer["id"], "reintento")) == "sent"
    failures("sendMessage", 400, description="Bad Request: chat not found")
    assert settled(reply(desk, agent, customer["id"], "rechazado")) == "failed"
    logs = {path.stem: path.read_text(encoding="utf-8") for path in desk.log_dir.glob("*.log")}
    assert "ingest: refused a request with 403" in logs["ingest"] and "not handled" in logs["deliver"]
    assert "Traceback" in logs["deliver"] and "/bot<bot-token>/" in logs["standin"]

    secrets = [STANDIN_TOKEN, desk_settings.telegram_webhook_secret, desk_settings.desk_admin_password,
               desk_settings.desk_session_secret]
    files = [path for path in desk.log_dir.iterdir() if path.suffix in (".log", ".out")]
    assert {".log", ".out"} == {path.suffix for path in files}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for secret in secrets:
            assert secret not in text and quote(secret, safe="") not in text, (path.name, secret[:4])
    assert_every_log_line_is_structured(desk.log_dir)

