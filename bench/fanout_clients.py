"""Many Socket.IO consoles in one process: the fan-out scenario's listeners, on gevent.

`python -m bench.fanout_clients --dir D --clients N --batch B [--kind lean|python-socketio] URL [URL ...]`
connects N consoles (websocket transport, no reconnection), console i to URL i mod len(URLs), at
most B connecting at a time, each with the session cookie in BENCH_COOKIE. The bench process
itself (gRPC, threads) is not monkey patched: that is why the consoles run in a process of
their own.

Two kinds of console, both speaking Engine.IO 4 / Socket.IO 5 over a websocket:
- `lean` (the default): just enough of the protocol to listen (handshake with the cookie and an
  Origin as a browser sends, namespace connect, pong to the server's pings, `message` events),
  on one greenlet per console. It costs ~40-75 µs of CPU per arrival, so the N copies of a
  message are read in little time and what the figures show is the relay, not the listeners.
- `python-socketio`: python-socketio's own Client (gevent's monkey patching turns its two
  threads per client into greenlets; the asyncio client would need aiohttp, which the project
  does not install), with websocket-client's pure-Python UTF-8 check turned off (measured, that
  check made it 0.5-1.1 ms per arrival). It still costs ~185 µs per arrival: ~185 ms of the
  listeners' own CPU for one message to 1,000 consoles. For cross-checking the lean one.

It talks to the bench through files in D:
- writes `ready.json` once every console connected or failed: {connected, failed, errors, seconds};
- reads `expect.json`: {"keys": [envelope ids the bench posted], "timeout_s": T};
- writes `arrivals.json` once every connected console has every key (or after T s), plus a short
  linger for late duplicates: for each console its URL, whether it is still connected, and
  {key: [every arrival time of that key's `message` event]};
then stays connected until the bench stops it (SIGTERM to its process group), or exits when the
bench is gone.
"""

# ruff: noqa: E402 (the imports come after gevent's monkey patching, as gevent requires)
from gevent import monkey

monkey.patch_all()

import argparse
import base64
import json
import os
import resource
import socket
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
import socketio
from gevent.pool import Pool

LINGER_S = 2.0  # after the last expected arrival: time for a late duplicate to show
POLL_S = 0.05
CONNECT_TIMEOUT_S = 30
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


class Console:
    """One agent's console: records when each `message` event arrives, by envelope id."""

    firsts = 0  # first arrivals of a key at a console, over every console: a cheap "all there yet?"

    def __init__(self, url: str, cookie: str):
        self.url = url
        self.cookie = cookie
        self.arrivals: defaultdict[str, list[float]] = defaultdict(list)
        self.error = ""

    def record(self, data: Any) -> None:
        now = time.time()
        if isinstance(data, dict):
            times = self.arrivals[str(data.get("id"))]
            times.append(now)
            if len(times) == 1:
                Console.firsts += 1

    def has(self, keys: list[str]) -> bool:
        return all(key in self.arrivals for key in keys)

    def connect(self) -> bool:
        raise NotImplementedError

    @property
    def connected(self) -> bool:
        raise NotImplementedError


class SocketIOConsole(Console):
    """python-socketio's Client."""

    def __init__(self, url: str, cookie: str):
        super().__init__(url, cookie)
        self.client = socketio.Client(reconnection=False, websocket_extra_options={"skip_utf8_validation": True})
        self.client.on("message", self.record)

    def connect(self) -> bool:
        try:
            self.client.connect(self.url.rstrip("/"), headers={"Cookie": self.cookie}, transports=["websocket"],
                                wait_timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # socketio.exceptions.ConnectionError and whatever the socket raised
            self.error = repr(exc)
            return False
        return True

    @property
    def connected(self) -> bool:
        return bool(self.client.connected)


def frame(opcode: int, payload: bytes) -> bytes:
    """A client's websocket frame: final, masked (RFC 6455 wants every client frame masked)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, 0x80 | length])
    elif length < 1 << 16:
        header = bytes([0x80 | opcode, 0x80 | 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 0x80 | 127]) + length.to_bytes(8, "big")
    return header + mask + bytes(b ^ mask[n % 4] for n, b in enumerate(payload))


def parse_frame(buffer: bytearray) -> tuple[bool, int, bytes] | None:
    """(final, opcode, payload) of the first whole frame in `buffer`, removed from it; None if incomplete."""
    if len(buffer) < 2:
        return None
    final, opcode, masked, length = bool(buffer[0] & 0x80), buffer[0] & 0x0F, buffer[1] & 0x80, buffer[1] & 0x7F
    at = 2
    if length >= 126:
        size = 2 if length == 126 else 8
        if len(buffer) < at + size:
            return None
        length, at = int.from_bytes(buffer[at:at + size], "big"), at + size
    mask = b""
    if masked:  # a server never masks, but the protocol allows reading it
        if len(buffer) < at + 4:
            return None
        mask, at = bytes(buffer[at:at + 4]), at + 4
    if len(buffer) < at + length:
        return None
    payload = bytes(buffer[at:at + length])
    del buffer[:at + length]
    if mask:
        payload = bytes(b ^ mask[n % 4] for n, b in enumerate(payload))
    return final, opcode, payload


class LeanConsole(Console):
    """Engine.IO 4 / Socket.IO 5 over a raw websocket, enough to listen, on one greenlet."""

    def __init__(self, url: str, cookie: str):
        super().__init__(url, cookie)
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.sock: socket.socket | None = None
        self.buffer = bytearray()
        self._open = False

    @property
    def connected(self) -> bool:
        return self._open

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.sock is not None
        self.sock.sendall(frame(opcode, payload))

    def _message(self) -> str:
        """The next text message, answering websocket pings and Engine.IO pings on the way."""
        assert self.sock is not None
        parts: list[bytes] = []
        while True:
            found = parse_frame(self.buffer)
            if found is None:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the relay closed the socket")
                self.buffer += chunk
                continue
            final, opcode, payload = found
            if opcode == CLOSE:
                raise ConnectionError("the relay closed the websocket")
            if opcode == PING:
                self._send(PONG, payload)
                continue
            if opcode == PONG:
                continue
            parts.append(payload)
            if not final:
                continue
            text = b"".join(parts).decode("utf-8")
            parts = []
            if text == "2":  # Engine.IO ping from the server
                self._send(TEXT, b"3")
                continue
            return text

    def connect(self) -> bool:
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=CONNECT_TIMEOUT_S)
            key = base64.b64encode(os.urandom(16)).decode()
            origin = f"http://{self.host}:{self.port}"
            self.sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {self.host}:{self.port}"
                               f"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                               f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\nCookie: {self.cookie}\r\n\r\n"
                               ).encode())
            while b"\r\n\r\n" not in self.buffer:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise ConnectionError("closed during the websocket handshake")
                self.buffer += chunk
            head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
            self.buffer = bytearray(rest)
            status = head.split(b"\r\n", 1)[0].decode(errors="replace")
            if status.split()[1:2] != ["101"]:
                raise ConnectionError(f"handshake answered {status!r}")
            if not self._message().startswith("0"):  # Engine.IO open
                raise ConnectionError("no Engine.IO open packet")
            self._send(TEXT, b"40")  # Socket.IO connect to the main namespace
            answer = self._message()
            while not answer.startswith(("40", "44")):
                answer = self._message()
            if answer.startswith("44"):
                raise ConnectionError(f"connection refused: {answer[2:]}")
            self.sock.settimeout(None)
        except Exception as exc:
            self.error = repr(exc)
            if self.sock is not None:
                self.sock.close()
            return False
        self._open = True
        gevent.spawn(self._listen)
        return True

    def _listen(self) -> None:
        try:
            while True:
                text = self._message()
                if text.startswith("42"):  # a Socket.IO event on the main namespace
                    body = text[2:].lstrip("0123456789")  # an ack id, if any
                    if not body.startswith('["message",'):
                        continue  # other events are not timed: not decoding them keeps this process light
                    event = json.loads(body)
                    if len(event) > 1:
                        self.record(event[1])
                elif text.startswith(("41", "1")):  # namespace disconnect, Engine.IO close
                    break
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            self._open = False


KINDS = {"lean": LeanConsole, "python-socketio": SocketIOConsole}


def _write(path: Path, data: Any) -> None:
    """Write then rename, so the bench never reads half a file."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(path)


def _wait_for(path: Path, parent: int) -> Any:
    while not path.exists():
        if os.getppid() != parent:
            raise SystemExit("the bench is gone")
        gevent.sleep(POLL_S)
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_clients")
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--batch", type=int, default=100, help="consoles connecting at a time")
    parser.add_argument("--kind", choices=KINDS, default="lean")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()
    parent = os.getppid()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.clients * 2 + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    cookie = os.environ.get("BENCH_COOKIE", "")
    kind = KINDS[args.kind]
    consoles = [kind(args.urls[n % len(args.urls)], cookie) for n in range(args.clients)]

    began = time.monotonic()
    connected = list(Pool(max(1, args.batch)).imap(lambda console: console.connect(), consoles))
    errors = sorted({c.error for c in consoles if c.error})[:5]
    _write(args.dir / "ready.json", {"connected": sum(connected), "failed": len(consoles) - sum(connected),
                                     "errors": errors, "seconds": round(time.monotonic() - began, 2)})

    expect = _wait_for(args.dir / "expect.json", parent)
    keys = [str(k) for k in expect["keys"]]
    live = [c for c, ok in zip(consoles, connected, strict=True) if ok]
    deadline = time.monotonic() + float(expect["timeout_s"])
    while time.monotonic() < deadline:  # the count first (other messages may come too), then the sure check
        if Console.firsts >= len(live) * len(keys) and all(c.has(keys) for c in live):
            break
        gevent.sleep(POLL_S)
    gevent.sleep(LINGER_S)
    wanted_keys = set(keys)
    _write(args.dir / "arrivals.json", {"clients": [
        {"url": c.url, "connected": c.connected,
         "arrivals": {k: times for k, times in c.arrivals.items() if k in wanted_keys}}
        for c in live]})

    while os.getppid() == parent:  # stay connected: the bench measures the API with the consoles on
        gevent.sleep(0.5)


if __name__ == "__main__":
    main()
