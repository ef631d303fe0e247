"""Running workflows on the local workflows-emulator server (devtools/runner/workflows_emulator_app.py) in tests,
and an HTTP endpoint for a workflow to call."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devtools.runner.processes import Child, http_ok
from devtools.runner.workflows_server import WorkflowsServer

PROJECT = "teledesk-test"


class Endpoint:
    """An HTTP endpoint a workflow posts JSON to: what it got and when, answered by `answer`
    (a status and a JSON body) from the body and how many calls came before."""

    def __init__(self, answer: Callable[[dict[str, Any], int], tuple[int, Any]] = lambda body, n: (200, {})) -> None:
        self.got: list[tuple[float, dict[str, Any]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, reply = answer(body, len(endpoint.got))
                endpoint.got.append((time.monotonic(), body))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(reply).encode())

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # a hundred executions may call at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@contextmanager
def workflows_server(sources: dict[str, Path], log_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """The local workflows server for `sources` (name → YAML file); its base URL."""
    server = WorkflowsServer(sources, PROJECT)
    child = Child("workflows", server.argv(), {**os.environ, **(env or {})}, log_dir)
    try:
        child.wait_until(lambda: http_ok(server.health_url), timeout=60)
        yield server.url
    finally:
        child.stop()


def push_body(payload: dict[str, Any], message_id: str) -> dict[str, Any]:
    """What a push subscription of the Pub/Sub emulator posts for a message carrying `payload`."""
    return {"subscription": f"projects/{PROJECT}/subscriptions/lifecycle-push",
            "message": {"data": base64.b64encode(json.dumps(payload).encode()).decode(), "messageId": message_id,
                        "publishTime": "2026-12-03T10:00:00Z", "attributes": {}}}
