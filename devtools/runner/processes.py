"""Child processes started in their own process group, so stopping one stops all it spawned.

The `gcloud` emulator wrappers start a Java process of their own: killing the wrapper alone
leaves Java running, so every child is a group leader and is stopped as a group.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import requests

from teledesk.logs.setup import LOG_DIR, LOG_NAME, log_path

# Below Linux's ephemeral range (32768-60999): a port the OS picked (bind to 0) is one the next
# outgoing connection may take too, before the child that was to listen on it binds it. Measured:
# the timers step lost its port to a connection while a desk of 16 processes started.
LISTEN_PORTS = range(20_000, 32_768)
_handed_out: set[int] = set()  # by this process: the same port is never handed out twice


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a child process to listen on."""
    for _ in range(10_000):
        port = random.choice(LISTEN_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {LISTEN_PORTS.start}-{LISTEN_PORTS.stop - 1}")


def free_port_run(count: int) -> int:
    """A free port whose next `count` - 1 ports are free too (relays listen on DESK_PORT … DESK_PORT+N-1)."""
    while True:
        port = free_port()
        if port + count > LISTEN_PORTS.stop or _handed_out & set(range(port + 1, port + count)):
            continue
        with contextlib.ExitStack() as probes:
            try:
                for offset in range(1, count):
                    probe = probes.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
        _handed_out.update(range(port, port + count))
        return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code < 500
    except requests.RequestException:
        return False


class Child:
    """One named process group, its raw output (standard output and error) captured in `<name>.out`.

    A part of the desk logs its JSON lines to `<name>.log` beside it (`teledesk.logs`): the child
    is told where by `DESK_LOG_DIR` and `DESK_LOG_NAME`.
    """

    def __init__(self, name: str, argv: Sequence[str], env: dict[str, str], log_dir: Path, cwd: Path | None = None):
        self.name = name
        self.argv = list(argv)
        self.output_path = log_dir / f"{name}.out"
        self.log_path = log_path(log_dir, name)
        log_dir.mkdir(parents=True, exist_ok=True)
        self._output = self.output_path.open("ab")
        self.process = subprocess.Popen(
            list(argv), env={**env, LOG_DIR: str(log_dir), LOG_NAME: name}, cwd=cwd, stdout=self._output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    @property
    def where(self) -> str:
        """Where to look when it fails."""
        return f"see {self.output_path} and {self.log_path}"

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; {self.where}")
            if ready():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s; {self.where}")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Java started by a gcloud wrapper may outlive the leader: sweep the group anyway.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._output.close()
