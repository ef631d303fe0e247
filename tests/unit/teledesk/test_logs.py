"""teledesk.logs and teledesk.redaction: Cloud Logging's structured lines, trace ids, no secret in a line,
one process's set-up, and the local logs read back by `python -m teledesk.logs`."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import flask
import pytest

from teledesk.envelope import Envelope
from teledesk.logs import describe, trace_id_for, trace_id_of, traced, traced_envelope, update_trace_id, with_trace_id
from teledesk.logs.__main__ import main
from teledesk.logs.reading import find, path_of
from teledesk.logs.structured import DeskLogHandler
from teledesk.redaction import BOT_TOKEN, WEBHOOK_SECRET, keep_secret, redact

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "987654321:unit-logs-token_AbC"
HOOK_SECRET = "unit-logs-webhook-secret-q9"
TRACE = "0123456789abcdef0123456789abcdef"


def one_line(log_lines) -> dict[str, Any]:
    [line] = log_lines()
    return line


# -- the format -------------------------------------------------------------------------------------------

def test_a_line_carries_cloud_loggings_special_fields_and_the_message_being_handled(log_lines):
    with traced(TRACE, chat_id=42, message_id="tg-42-7", nothing=None):
        logging.getLogger("teledesk.unit").info("classify: %s", "CLIENT 42/tg-42-7")
    line = one_line(log_lines)
    assert line["message"] == "classify: CLIENT 42/tg-42-7" and line["severity"] == "INFO"
    assert line["logging.googleapis.com/trace"] == f"projects/teledesk-unit/traces/{TRACE}"
    assert line["logging.googleapis.com/labels"] == {"python_logger": "teledesk.unit", "part": "unit",
                                                     "chat_id": "42", "message_id": "tg-42-7"}
    assert line["logging.googleapis.com/sourceLocation"]["function"] == (
        "test_a_line_carries_cloud_loggings_special_fields_and_the_message_being_handled")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", line["time"])
    assert abs(datetime.fromisoformat(line["time"]).timestamp() - datetime.now().timestamp()) < 60


def test_outside_a_message_a_line_has_no_trace_and_the_part_alone(log_lines):
    logging.getLogger("teledesk.unit").warning("relay ready")
    line = one_line(log_lines)
    assert line["logging.googleapis.com/trace"] == "" and line["severity"] == "WARNING"
    assert line["logging.googleapis.com/labels"] == {"python_logger": "teledesk.unit", "part": "unit"}


def test_the_trace_ends_with_the_block_and_nests(log_lines):
    log = logging.getLogger("teledesk.unit")
    with traced(TRACE, chat_id=1):
        with traced("f" * 32, chat_id=2):
            log.info("inner")
        log.info("outer")
    log.info("after")
    traces = [line["logging.googleapis.com/trace"].rsplit("/", 1)[-1] for line in log_lines()]
    assert traces == ["f" * 32, TRACE, ""]


@pytest.mark.parametrize("message", ["", '{"a": 1}'])
def test_every_line_has_a_message_even_an_empty_or_json_one(log_lines, message):
    logging.getLogger("teledesk.unit").info(message)
    assert "message" in one_line(log_lines)


def test_an_exception_is_in_the_message_with_its_traceback_as_error_reporting_reads_it(log_lines):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("teledesk.unit").exception("could not relay message %s", "m-1")
    line = one_line(log_lines)
    assert line["severity"] == "ERROR"
    assert line["message"].startswith("could not relay message m-1\nTraceback (most recent call last):")
    assert line["message"].endswith("ValueError: boom")


def test_the_librarys_diagnostic_entry_is_not_written():
    stream = io.StringIO()
    log = logging.getLogger("teledesk.unit.diagnostic")
    log.propagate = False
    log.addHandler(DeskLogHandler("unit", "p", stream))
    log.warning("first")
    log.warning("second")
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == ["first", "second"]


# -- redaction ---------------------------------------------------------------------------------------------

@pytest.fixture
def secrets() -> None:
    keep_secret(TOKEN, BOT_TOKEN)
    keep_secret(HOOK_SECRET, WEBHOOK_SECRET)


def no_secret_in(text: str) -> bool:
    return all(form not in text for secret in (TOKEN, HOOK_SECRET)
               for form in (secret, quote(secret), quote(secret, safe="")))


def test_no_secret_in_the_message_its_arguments_or_the_exception(secrets, log_lines):
    log = logging.getLogger("teledesk.unit")
    log.info(f"GET /bot{TOKEN}/getMe")
    log.info("file %s, header %s", f"/file/bot{quote(TOKEN)}/x.jpg", {"secret": HOOK_SECRET})
    try:
        raise RuntimeError(f"refused {TOKEN} with {HOOK_SECRET}")
    except RuntimeError:
        log.exception("failed")
    text = "\n".join(json.dumps(line) for line in log_lines())
    assert no_secret_in(text)
    assert "/bot<bot-token>/getMe" in text and "<webhook-secret>" in text and "/file/bot<bot-token>/x.jpg" in text


def test_no_secret_in_a_field_the_library_adds(secrets, log_lines):
    app = flask.Flask(__name__)  # the stand-in's request URLs hold the token: the library puts them in httpRequest
    with app.test_request_context(f"/bot{TOKEN}/sendMessage?s={HOOK_SECRET}"):
        logging.getLogger("teledesk.unit").info("sent")
    line = one_line(log_lines)
    assert line["httpRequest"]["requestUrl"].endswith("/bot<bot-token>/sendMessage?s=<webhook-secret>")
    assert no_secret_in(json.dumps(line))


def test_no_secret_for_any_handler_of_the_process(secrets, caplog):
    logging.getLogger("teledesk.unit").warning("token %s", TOKEN)
    assert TOKEN not in caplog.text and "<bot-token>" in caplog.text


def test_a_secret_json_escaped_in_a_line_is_removed_too():
    odd = 'pa"ss\\word-ünïcode-unit'
    keep_secret(odd, "password")
    assert redact(json.dumps({"m": odd})) == '{"m": "<password>"}'
    assert redact(json.dumps({"m": odd}, ensure_ascii=False)) == '{"m": "<password>"}'


def test_an_empty_secret_redacts_nothing():
    keep_secret("", BOT_TOKEN)
    assert redact("nothing to hide") == "nothing to hide"


# -- trace ids ---------------------------------------------------------------------------------------------

def test_an_updates_trace_id_is_32_hex_digits_the_same_for_its_retries_and_its_own():
    assert re.fullmatch(r"[0-9a-f]{32}", update_trace_id(5))
    assert update_trace_id(5) == update_trace_id(5) != update_trace_id(6)


def test_an_envelope_keeps_its_trace_id_and_one_without_gets_its_own_from_its_id():
    answer = Envelope(id="agent-c1", type="AGENT", chat_id=1, date=0)
    assert trace_id_of(answer) == trace_id_for("agent-c1")
    assert with_trace_id(answer).extra["trace_id"] == trace_id_for("agent-c1")
    bot = Envelope(id="bot-start-tg-1-1", type="BOT", chat_id=1, date=0, extra={"trace_id": TRACE})
    assert with_trace_id(bot).extra["trace_id"] == TRACE


def test_a_traced_envelope_labels_its_chat_and_message(log_lines):
    envelope = Envelope(id="tg-1-2", type="CLIENT", chat_id=1, date=0, extra={"trace_id": TRACE,
                                                                               "delivery": {"state": "sent"}})
    with traced_envelope(envelope):
        logging.getLogger("teledesk.unit").info("relay: %s", describe(envelope))
    line = one_line(log_lines)
    assert line["message"] == "relay: CLIENT 1/tg-1-2 (sent)"
    assert line["logging.googleapis.com/labels"]["message_id"] == "tg-1-2"
    assert line["logging.googleapis.com/trace"].endswith(TRACE)


# -- a process's set-up ---------------------------------------------------------------------------------------

PROCESS = textwrap.dedent('''
    import logging, threading
    from teledesk.logs import configure, traced
    first = configure("classify")
    assert configure("other") is first  # once per process
    logging.getLogger("werkzeug").info("GET /bot%s/getMe 200", "{token}")
    logging.getLogger("gunicorn.error").propagate = False  # as gunicorn leaves it
    logging.getLogger("gunicorn.error").error("worker timeout")
    logging.getLogger("httpx").info("HTTP Request: POST /bot%s/sendMessage", "{token}")  # deliver's hot path
    logging.getLogger("httpx").warning("connection lost")
    with traced("{trace}", chat_id=3):
        logging.getLogger("teledesk.classify").info("classify: CLIENT 3/tg-3-1")
    thread = threading.Thread(target=lambda: 1 / 0, name="puller")
    thread.start(); thread.join()
    raise RuntimeError("the secret was {secret}")
''')


def test_a_process_logs_every_record_and_its_uncaught_errors_as_json_lines_in_its_file(tmp_path):
    code = PROCESS.format(token=TOKEN, secret=HOOK_SECRET, trace=TRACE)
    env = {**os.environ, "DESK_LOG_DIR": str(tmp_path), "DESK_LOG_NAME": "classify-2", "PYTHONPATH": str(ROOT),
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": HOOK_SECRET, "GOOGLE_CLOUD_PROJECT": "p"}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stdout == "" and done.stderr == ""  # every word went to the file
    assert [path.name for path in tmp_path.iterdir()] == ["classify-2.log"]
    lines = [json.loads(line) for line in (tmp_path / "classify-2.log").read_text().splitlines()]
    said = [(line["severity"], line["message"].splitlines()[0]) for line in lines]
    assert said == [("INFO", "GET /bot<bot-token>/getMe 200"), ("ERROR", "worker timeout"),
                    ("WARNING", "connection lost"), ("INFO", "classify: CLIENT 3/tg-3-1"),
                    ("CRITICAL", "uncaught ZeroDivisionError in puller: division by zero"),
                    ("CRITICAL", "uncaught RuntimeError: the secret was <webhook-secret>")]
    assert {line["logging.googleapis.com/labels"]["part"] for line in lines} == {"classify"}
    assert lines[3]["logging.googleapis.com/trace"] == f"projects/p/traces/{TRACE}"
    assert "Traceback" in lines[5]["message"] and no_secret_in((tmp_path / "classify-2.log").read_text())


def test_without_a_log_directory_a_process_logs_on_standard_output_as_on_google_cloud(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DESK_LOG_DIR", "DESK_LOG_NAME")}
    code = "import logging; from teledesk.logs import configure; configure('ingest'); logging.getLogger('x').info('hi')"
    done = subprocess.run([sys.executable, "-c", code], env={**env, "PYTHONPATH": str(ROOT)}, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    line = json.loads(done.stdout)
    assert (line["message"], line["logging.googleapis.com/labels"]["part"]) == ("hi", "ingest")


# -- reading the local logs ----------------------------------------------------------------------------------

def entry(time: str, message: str, trace: str = "", severity: str = "INFO", **labels: str) -> str:
    return json.dumps({"time": time, "message": message, "severity": severity,
                       "logging.googleapis.com/trace": f"projects/p/traces/{trace}" if trace else "",
                       "logging.googleapis.com/labels": labels})


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    other = "e" * 32
    (tmp_path / "ingest.log").write_text("\n".join([
        entry("2026-01-01T10:00:00.000100Z", "ingest: update 5, UPDATE 3/tg-3-1 → tg-updates", TRACE, chat_id="3"),
        entry("2026-01-01T10:00:05.000000Z", "ingest: update 6, UPDATE 4/tg-4-1 → tg-updates", other, chat_id="4"),
        "not json", ""]) + "\n")
    (tmp_path / "relay-2.log").write_text("\n".join([
        entry("2026-01-01T10:00:00.090000Z", "relay: CLIENT 3/tg-3-1 to the consoles", TRACE, chat_id="3"),
        entry("2026-01-01T10:00:01.000000Z", "relay ready")]) + "\n")
    (tmp_path / "classify.log").write_text(
        entry("2026-01-01T10:00:00.030000Z", "failed\nTraceback (most recent call last):\nValueError", TRACE,
              "ERROR", chat_id="3") + "\n")
    (tmp_path / "classify.out").write_text(entry("2026-01-01T10:00:00Z", "raw output is not read", TRACE) + "\n")
    return tmp_path


def test_a_trace_is_every_parts_lines_about_it_in_time_order(logs):
    assert [(e.part, e.message.splitlines()[0]) for e in path_of(logs, TRACE)] == [
        ("ingest", "ingest: update 5, UPDATE 3/tg-3-1 → tg-updates"), ("classify", "failed"),
        ("relay-2", "relay: CLIENT 3/tg-3-1 to the consoles")]


def test_find_gives_the_traces_a_chat_id_or_a_text_names(logs):
    [found] = find(logs, "3")
    assert (found.trace_id, found.parts, found.lines) == (TRACE, ("ingest", "classify", "relay-2"), 3)
    assert [f.trace_id for f in find(logs, "→ tg-updates")] == [TRACE, "e" * 32]
    assert find(logs, "nobody") == []


def test_the_command_prints_a_trace_and_what_find_finds(logs, capsys):
    assert main(["trace", TRACE, "--dir", str(logs)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == ["2026-01-01T10:00:00.000100Z", "ingest", "INFO", "ingest:", "update", "5,",
                                  "UPDATE", "3/tg-3-1", "→", "tg-updates"]
    assert printed[1].split()[1:4] == ["classify", "ERROR", "failed"]
    assert printed[2:4] == ["    Traceback (most recent call last):", "    ValueError"]
    assert printed[4].split()[1] == "relay-2"
    assert main(["find", "4", "--dir", str(logs)]) == 0
    assert capsys.readouterr().out.startswith("e" * 32 + "  2026-01-01T10:00:05.000000Z  ingest (1 lines)")
    assert main(["trace", "f" * 32, "--dir", str(logs)]) == 1
    assert main(["trace", TRACE, "--dir", str(logs / "missing")]) == 2


def test_the_command_runs_as_documented(logs):
    done = subprocess.run([sys.executable, "-m", "teledesk.logs", "trace", TRACE, "--dir", str(logs)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 5
