"""teledesk/telegram/bot.py: one Bot per process, one loop on its own thread, reached from sync code.

Threads here; greenlets under gevent's monkey-patching in a child process (patching is for a
whole process, so not this one). No token in errors or in log lines.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, request
from telegram import Bot
from telegram.error import InvalidToken
from werkzeug.serving import make_server

from teledesk.redaction import BOT_TOKEN, redact
from teledesk.telegram import bot as shared
from teledesk.telegram.bot import shared_bot

REDACTED = f"<{BOT_TOKEN}>"

TOKEN = "123456789:bot-runtime-test"
ROOT = Path(__file__).resolve().parents[4]


class FakeBotApi:
    """getMe and getWebhookInfo, counting calls; `delay_s` makes each answer slow; `refuse` answers 401."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.delay_s = 0.0
        self.refuse = False
        self.app = Flask(__name__)
        self.app.post("/bot<token>/<method>")(self.call)

    def call(self, token: str, method: str):  # type: ignore[no-untyped-def]
        self.calls.append(method)
        time.sleep(self.delay_s)
        if self.refuse or token != TOKEN:
            return {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
        if method == "getMe":
            return {"ok": True, "result": {"id": 123456789, "is_bot": True, "first_name": "Desk"}}
        return {"ok": True, "result": {"url": request.host_url, "has_custom_certificate": False,
                                       "pending_update_count": 0}}


@pytest.fixture
def bot_api() -> Iterator[tuple[FakeBotApi, str]]:
    fake = FakeBotApi()
    server = make_server("127.0.0.1", 0, fake.app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


async def webhook_url(bot: Bot) -> str:
    return (await bot.get_webhook_info()).url


def test_one_bot_per_token_and_base_made_once():
    assert shared_bot(TOKEN, "http://a/") is shared_bot(TOKEN, "http://a")
    assert shared_bot(TOKEN, "http://a") is not shared_bot(TOKEN, "http://b")


def test_callers_on_many_threads_at_once_share_one_bot_and_one_getme(bot_api):
    fake, base = bot_api
    fake.delay_s = 0.2  # every caller arrives while getMe is still on its way
    telegram = shared_bot(TOKEN, base)
    answers: list[str] = []
    bots: set[int] = set()
    threads_seen: set[int] = set()

    async def work(bot: Bot) -> str:
        bots.add(id(bot))
        threads_seen.add(threading.get_ident())
        return await webhook_url(bot)

    callers = [threading.Thread(target=lambda: answers.append(telegram.run(work))) for _ in range(12)]
    started = time.monotonic()
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert answers == [f"{base}/"] * 12
    assert fake.calls.count("getMe") == 1
    assert fake.calls.count("getWebhookInfo") == 12
    assert len(bots) == 1 and len(threads_seen) == 1  # one Bot, on the one loop thread, not the callers'
    assert threading.get_ident() not in threads_seen
    assert time.monotonic() - started < 12 * fake.delay_s  # concurrent on the loop, not one after another
    telegram.run(webhook_url)
    assert fake.calls.count("getMe") == 1  # once per process, not per call


def test_a_refused_getme_is_asked_again_next_time_and_its_error_names_no_token(bot_api):
    fake, base = bot_api
    fake.refuse = True
    telegram = shared_bot(TOKEN, base)
    with pytest.raises(InvalidToken) as refused:
        telegram.run(webhook_url)
    assert TOKEN not in str(refused.value) and refused.value.message == "Unauthorized"
    fake.refuse = False
    assert telegram.run(webhook_url) == f"{base}/"
    assert fake.calls.count("getMe") == 2


def test_an_error_reaches_the_caller_as_it_was_raised(bot_api):
    _, base = bot_api
    boom = ValueError("boom")

    async def fails(bot: Bot) -> None:
        raise boom

    with pytest.raises(ValueError) as raised:
        shared_bot(TOKEN, base).run(fails)
    assert raised.value is boom


def test_a_caller_that_stops_waiting_cancels_its_call(bot_api):
    _, base = bot_api
    cancelled = threading.Event()

    async def slow(bot: Bot) -> None:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    telegram = shared_bot(TOKEN, base)
    telegram.run(webhook_url)  # getMe done first: the timeout below is the slow call's alone
    with pytest.raises(TimeoutError):
        telegram.run(slow, timeout=0.2)
    assert cancelled.wait(2)


def test_a_sync_call_from_the_loop_itself_is_refused_not_deadlocked(bot_api):
    _, base = bot_api
    telegram = shared_bot(TOKEN, base)

    async def nested(bot: Bot) -> str:
        return telegram.run(webhook_url)

    with pytest.raises(RuntimeError, match="would wait for ever"):
        telegram.run(nested)


def test_no_token_in_redacted_text_plain_or_url_encoded():
    shared_bot(TOKEN, "http://redact")
    url = f"http://x/file/bot{quote(TOKEN)}/photos/1.jpg and http://x/bot{TOKEN}/getFile"
    assert TOKEN not in redact(url) and quote(TOKEN) not in redact(url)
    assert redact(url) == f"http://x/file/bot{REDACTED}/photos/1.jpg and http://x/bot{REDACTED}/getFile"


def test_no_token_in_any_log_line(bot_api, caplog: pytest.LogCaptureFixture):
    _, base = bot_api
    caplog.set_level(logging.DEBUG)  # httpx logs every request URL at INFO, PTB its base URL at DEBUG
    caplog.set_level(logging.DEBUG, logger="httpx")  # which teledesk.logs.configure quietens, where it ran
    telegram = shared_bot(TOKEN, base)
    telegram.run(webhook_url)
    try:
        raise RuntimeError(f"failed: {base}/bot{TOKEN}/getFile")
    except RuntimeError:
        logging.getLogger("teledesk.test").exception("while fetching %s", f"{base}/file/bot{quote(TOKEN)}/x")
    assert any("getWebhookInfo" in record.getMessage() for record in caplog.records)
    assert TOKEN not in caplog.text and quote(TOKEN) not in caplog.text
    assert REDACTED in caplog.text


GEVENT_CALLERS = textwrap.dedent('''
    from gevent import monkey
    monkey.patch_all()

    import sys
    import time

    import gevent
    from gevent.pywsgi import WSGIServer

    from teledesk.telegram.bot import shared_bot

    TOKEN = "123456789:gevent-test"
    asked = []

    def bot_api(environ, start_response):  # a Bot API that takes 0.3 s to answer
        method = environ["PATH_INFO"].rsplit("/", 1)[-1]
        asked.append(method)
        gevent.sleep(0.3)
        body = (b'{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "Desk"}}' if method == "getMe"
                else b'{"ok": true, "result": {"url": "", "has_custom_certificate": false, "pending_update_count": 7}}')
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    server = WSGIServer(("127.0.0.1", 0), bot_api, log=None)
    server.start()
    telegram = shared_bot(TOKEN, f"http://127.0.0.1:{server.server_port}")
    ticks = []
    ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.01)) for _ in iter(int, 1)])
    started = time.monotonic()
    callers = [gevent.spawn(telegram.run, lambda bot: bot.get_webhook_info()) for _ in range(10)]
    gevent.joinall(callers, raise_error=True)
    took = time.monotonic() - started
    ticker.kill()
    assert [c.value.pending_update_count for c in callers] == [7] * 10
    assert asked.count("getMe") == 1 and asked.count("getWebhookInfo") == 10, asked
    assert took < 3.0, took  # 10 calls of 0.3 s at once (plus one getMe), not one after another (3.3 s)
    assert len(ticks) > 10, (len(ticks), took)  # the hub kept running the other greenlets meanwhile
    print("ok", round(took, 2), len(ticks))
''')


def test_greenlets_under_gevent_wait_without_blocking_the_hub():
    """The relay's case: gunicorn's gevent worker patched `threading`; the loop still gets an OS
    thread, and each greenlet waits on its hub while the others run."""
    done = subprocess.run([sys.executable, "-c", GEVENT_CALLERS], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


@pytest.fixture(autouse=True)
def fresh_bots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "_bots", {})
