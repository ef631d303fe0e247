"""Stopping everything the bench started, whatever happens: Ctrl-C, SIGTERM, a failure.

Normal cleanup is structured: each scenario stops its processes (each a process group) on the
way out. Two nets under it:
- the first SIGINT/SIGTERM sets `stop_requested` and raises KeyboardInterrupt (unless a stop or
  a start is under way: then when it ends); later ones are ignored so cleanup is not itself
  interrupted. Long loops also check the flag, because a library may swallow the
  KeyboardInterrupt (websocket-client's close() has a bare `except:`).
- this process becomes a child subreaper (Linux), so anything it started that lost its parent
  is re-parented here; `sweep()` stops the process group of every child still left at the end.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PR_SET_CHILD_SUBREAPER = 36
stop_requested = threading.Event()
_shielded = 0  # > 0 while a start or a stop must not be cut in half
_deferred = False  # a signal came while shielded


def _interrupted(signum: int, frame: Any) -> None:
    global _deferred
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    stop_requested.set()
    if _shielded:
        _deferred = True
    else:
        raise KeyboardInterrupt


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """A block a signal must not cut in half (stopping processes, starting one and recording it).

    A signal that arrives inside is acted on when the block ends. Python runs signal handlers in
    the main thread only, so a flag is enough (a signal mask would not be: other threads take it).
    """
    global _shielded, _deferred
    _shielded += 1
    try:
        yield
    finally:
        _shielded -= 1
    if _deferred and not _shielded:
        _deferred = False
        raise KeyboardInterrupt


def install_handlers() -> None:
    """(Re)install the bench's SIGINT/SIGTERM handler; python-socketio puts its own in front of it."""
    if not stop_requested.is_set() and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupted)
        signal.signal(signal.SIGTERM, _interrupted)


def check() -> None:
    if stop_requested.is_set():
        raise KeyboardInterrupt


def become_subreaper() -> bool:
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    return False


def _children(parent: int | None = None) -> list[int]:
    """The live (not zombie) child processes of `parent` (this process by default), from /proc."""
    me, found = parent or os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == me and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


def _describe(pid: int) -> str:
    with contextlib.suppress(OSError):
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        return f"{pid} in group {os.getpgid(pid)} ({command[:80].strip()})"
    return str(pid)


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def sweep(grace_s: float = 5.0) -> list[str]:
    """Stop the process group of every child still running; what was found (empty when all is well)."""
    settle = time.monotonic() + 1  # a process that is already on its way out is not a leftover
    while _children() and time.monotonic() < settle:
        _reap()
        time.sleep(0.05)
    left = _children()
    found = [_describe(pid) for pid in left]
    groups = set()
    for pid in left:
        with contextlib.suppress(OSError):
            groups.add(os.getpgid(pid))
    own = os.getpgrp()
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if group == own:  # a child in the bench's own group: that child alone
                    for pid in left:
                        os.kill(pid, sig)
                else:
                    os.killpg(group, sig)
        deadline = time.monotonic() + grace_s
        while sig == signal.SIGTERM and _children() and time.monotonic() < deadline:
            time.sleep(0.1)
    _reap()
    return found
