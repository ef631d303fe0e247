"""One python-telegram-bot `Bot` per process, for every call the desk makes to Telegram.

Sends (deliver), files and webhook info (the relay), long polling and webhook set-up (local
runs) all go through `shared_bot(token, api_base)`: one `Bot` per token and Bot API base, which
in a running desk means one per process. It is made on first use and initialised once (PTB's
`initialize()`, that is one getMe, retried only until it has succeeded), so a send costs one
request, not getMe and then the send.

PTB is asyncio and the desk's callers are not: functions-framework runs handlers on threads,
and the relay runs on gevent (gunicorn's gevent worker monkey-patches `threading`, so a
`threading.Thread` there is a greenlet on the one hub, not an OS thread). So each process runs
one asyncio loop on one OS thread of its own (started through `_thread.start_new_thread`, the
original one when gevent patched it), and the Bot lives on that loop: its httpx connection pool
belongs to that loop and is reused by every call. A sync caller hands `SharedBot.run` a coroutine
function, which is started on the loop with `call_soon_threadsafe`, and waits:

- on a thread: on a `threading.Event` the loop sets when the call is done;
- on a greenlet (gevent patched `threading`): on a `gevent.event.Event` set in the caller's hub
  by an async watcher that the loop's thread `send`s (gevent's Events are not to be set from
  another thread; its async watchers are), so the caller yields and every other greenlet keeps
  running meanwhile.

Calls from many threads or greenlets at once share the loop, each its own task; httpx's pool
(PTB's default: 256 connections, 1 for getUpdates) carries them concurrently. A caller that
gives up (its `timeout`, or its greenlet killed) cancels its task. Nothing blocking may run on
the loop: callers do their waiting (pacing, store writes) on their own side of `run`.

No token in what the desk says: PTB puts the token in some errors (a refused token at
`initialize()`), httpx logs request URLs at INFO, and a file's download URL holds it too. Every
token a `SharedBot` is made with is kept secret (`teledesk.redaction`): `redact`ed from error
texts the desk builds, and from every log record of the process.
"""

from __future__ import annotations

import _thread
import asyncio
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from telegram import Bot
from telegram.error import InvalidToken

from teledesk.redaction import BOT_TOKEN, keep_secret, redact

T = TypeVar("T")


# -- the process's loop ------------------------------------------------------------------------------------

def _gevent_monkey() -> Any:
    """gevent's monkey module when gevent patched `threading` in this process, else None."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey if monkey is not None and monkey.is_module_patched("threading") else None


def _native(name: str) -> Any:
    """`_thread.<name>` as the OS provides it, even after gevent's monkey-patching."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey.get_original("_thread", name) if monkey is not None else getattr(_thread, name)


class _Waiter(Protocol):
    def notify(self) -> None: ...  # called on the loop's thread
    def wait(self, timeout: float | None) -> bool: ...


class _ThreadWaiter:
    def __init__(self) -> None:
        self._done = threading.Event()

    def notify(self) -> None:
        self._done.set()

    def wait(self, timeout: float | None) -> bool:
        return self._done.wait(timeout)


class _GreenletWaiter:
    """The caller's hub wakes up through an async watcher, the one thing gevent lets another OS
    thread signal (`send`); started before the call is, so no signal is lost, and while started it
    keeps the hub from deciding that nothing can wake it."""

    def __init__(self) -> None:
        import gevent
        import gevent.event

        self._done = gevent.event.Event()
        self._watcher = gevent.get_hub().loop.async_()
        self._watcher.start(self._done.set)

    def notify(self) -> None:
        self._watcher.send()

    def wait(self, timeout: float | None) -> bool:
        try:
            done = bool(self._done.wait(timeout))
        finally:
            self._watcher.stop()  # not closed: a late `notify` from the loop may still come
        return done


class TelegramLoop:
    """One asyncio loop running for ever on one OS thread; `run` is how sync code uses it."""

    def __init__(self) -> None:
        started = _native("allocate_lock")()
        started.acquire()
        made: list[asyncio.AbstractEventLoop] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()  # on its own thread: under gevent, its selector uses this thread's hub
            asyncio.set_event_loop(loop)
            made.append(loop)
            started.release()
            loop.run_forever()

        _native("start_new_thread")(serve, ())
        started.acquire()  # a native wait while the thread starts, once per process
        self.loop = made[0]

    def run(self, work: Callable[[], Awaitable[T]], timeout: float | None = None) -> T:
        """Run `work()` on the loop and wait for its result (or its exception) in the caller."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            raise RuntimeError("a sync Telegram call from the Telegram loop itself would wait for ever")
        waiter: _Waiter = _GreenletWaiter() if _gevent_monkey() is not None else _ThreadWaiter()
        tasks: list[asyncio.Future[T]] = []

        async def call() -> T:
            return await work()

        def finished(task: asyncio.Future[T]) -> None:
            if not task.cancelled():
                task.exception()  # seen: a caller that gave up leaves no "exception never retrieved"
            waiter.notify()

        def start() -> None:
            task = asyncio.ensure_future(call(), loop=self.loop)
            task.add_done_callback(finished)
            tasks.append(task)

        def cancel() -> None:
            for task in tasks:
                task.cancel()

        self.loop.call_soon_threadsafe(start)
        try:
            done = waiter.wait(timeout)
        except BaseException:  # the caller's greenlet killed, or interrupted: the call is not wanted any more
            self.loop.call_soon_threadsafe(cancel)
            raise
        if not done:
            self.loop.call_soon_threadsafe(cancel)
            raise TimeoutError(f"the Telegram call took over {timeout:g} s")
        return tasks[0].result()


_lock = threading.Lock()
_pid = os.getpid()
_loop: TelegramLoop | None = None
_bots: dict[tuple[str, str], SharedBot] = {}


def _after_fork() -> None:
    """A forked child has no loop thread (only the thread that forked survives): start afresh."""
    global _pid, _loop
    if _pid != os.getpid():
        _pid, _loop = os.getpid(), None
        _bots.clear()


def telegram_loop() -> TelegramLoop:
    global _loop
    with _lock:
        _after_fork()
        if _loop is None:
            _loop = TelegramLoop()
        return _loop


# -- the Bot ---------------------------------------------------------------------------------------------

class SharedBot:
    """The process's `Bot` for one token and Bot API base; made and initialised on first use."""

    def __init__(self, token: str, api_base: str):
        self.token = token
        self.api_base = api_base.rstrip("/")
        self._bot: Bot | None = None
        self._initialising: asyncio.Lock | None = None
        self._ready = False

    async def ready(self) -> Bot:
        """The Bot, initialised (one getMe per process, retried only until it succeeds). On the loop."""
        if self._bot is None:
            # Methods at `{base}/bot{token}/{method}`, files at `{base}/file/bot{token}/{file_path}`.
            self._bot = Bot(self.token, base_url=f"{self.api_base}/bot", base_file_url=f"{self.api_base}/file/bot")
        if not self._ready:
            self._initialising = self._initialising or asyncio.Lock()
            async with self._initialising:  # callers arriving together wait for one getMe
                if not self._ready:
                    try:
                        await self._bot.initialize()
                    except InvalidToken as exc:
                        # PTB's own message quotes the token; Telegram's answer ("Unauthorized") does not.
                        cause = exc.__cause__
                        raise cause if isinstance(cause, InvalidToken) else InvalidToken(redact(exc.message)) from None
                    self._ready = True
        return self._bot

    def run(self, work: Callable[[Bot], Awaitable[T]], timeout: float | None = None) -> T:
        """`await work(bot)` on the process's loop, from sync code (a thread or a greenlet)."""

        async def call() -> T:
            return await work(await self.ready())

        return telegram_loop().run(call, timeout)


def shared_bot(token: str, api_base: str) -> SharedBot:
    """This process's Bot for `token` at `api_base` (one per process in a running desk)."""
    key = (token, api_base.rstrip("/"))
    with _lock:
        _after_fork()
        found = _bots.get(key)
        if found is None:
            keep_secret(token, BOT_TOKEN)
            found = _bots[key] = SharedBot(*key)
        return found
