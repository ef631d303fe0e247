"""The PyPI workflows-emulator serving the desk's workflows on 127.0.0.1 (`make run` and the tests).

Run as a script by `.venv-workflows/bin/python -P` (workflows/emulator-requirements.txt): the
emulator pins Starlette 0.37 and functions-framework needs 1.x, so the two live in venvs of their
own and this file imports nothing of teledesk. It serves what Google Cloud serves for a workflow:

- `POST /v1/projects/{project}/locations/{location}/workflows/{workflow}/executions`: the
  emulator's own server mode (its `serve` command binds 0.0.0.0 and cannot be told otherwise).
  The execution runs to its end before the answer, and the argument's keys are the workflow's
  parameter names (Google Cloud passes the whole argument as the one parameter).
- `POST /triggers/{workflow}?topic=T`: what an Eventarc Pub/Sub trigger does. A push
  subscription of the Pub/Sub emulator posts its body here; the answer (204) comes once the
  execution has started, and the workflow gets as its one parameter the CloudEvent Eventarc
  passes (`event.data.message.data` is the message, base64).

Measured on workflows-emulator 1.10 (docs/lifecycle.md): its server runs each execution in
anyio's thread pool (40 threads), and `sys.sleep` holds the thread, so with 40 executions asleep
the 41st waited for one of them to end. A desk keeps one execution asleep per open conversation:
a triggered execution gets a thread of its own, and the pool of the server route is raised to
THREADS. The emulator also keeps the execution's id in a process-wide environment variable, which
concurrent executions overwrite: a workflow here makes its own id (`uuid.generate()`). And it
refuses `auth: {type: OIDC}` (NotImplementedError), which Google Cloud needs to call a function
that only takes calls with a token: a call to 127.0.0.1 goes without one here (the local
functions check none; on Google Cloud, Cloud Run's IAM does), so the same YAML runs in both.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import uvicorn
from fastapi import FastAPI, HTTPException, Request, Response
from workflows_emulator.lib import http_utils
from workflows_emulator.main import execute_workflow, load_workflow
from workflows_emulator.server import WorkflowExecutionRequest, default_handler_clousure

THREADS = 10_000
LOOPBACK = ("127.0.0.1", "localhost", "::1")
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"
EXECUTIONS = "/v1/projects/{project_ref}/locations/{location}/workflows/{workflow_id}/executions"


def log(severity: str, message: str, **fields: Any) -> None:
    """One JSON line in Cloud Logging's structured format, as the desk's other parts write."""
    print(json.dumps({"severity": severity, "message": message, "time": time.time(), **fields}), flush=True)


def without_oidc_on_loopback(request: Callable[..., Any]) -> Callable[..., Any]:
    """The emulator's HTTP request, sending calls to this machine with no OIDC token."""

    @functools.wraps(request)
    def call(method: str, url: str, *args: Any, auth: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if auth and auth.get("type") == "OIDC" and urlsplit(url).hostname in LOOPBACK:
            auth = None
        return request(method, url, *args, auth=auth, **kwargs)

    return call


http_utils.request = without_oidc_on_loopback(http_utils.request)


def cloud_event(push_body: dict[str, Any], project: str, topic: str) -> dict[str, Any]:
    """The CloudEvent an Eventarc Pub/Sub trigger hands a workflow, from a push body."""
    message = push_body.get("message") or {}
    return {
        "specversion": "1.0",
        "type": PUBSUB_EVENT,
        "source": f"//pubsub.googleapis.com/projects/{project}/topics/{topic}",
        "id": message.get("messageId") or message.get("message_id") or uuid.uuid4().hex,
        "time": message.get("publishTime") or message.get("publish_time"),
        "datacontenttype": "application/json",
        "data": push_body,
    }


def run_execution(workflow_id: str, loaded: dict[str, Any], event: dict[str, Any]) -> None:
    config = copy.deepcopy(loaded)  # the emulator takes its config apart as it runs it
    parameter = (config.get("main", {}).get("params") or ["event"])[0]
    log("INFO", f"workflows: {workflow_id} started for event {event['id']}", workflow=workflow_id)
    try:
        result = execute_workflow(config, {parameter: event})
    except Exception as exc:  # an execution that fails is logged, as Workflows records it; nothing retries it
        log("ERROR", f"workflows: {workflow_id} failed for event {event['id']}: {type(exc).__name__}: {exc}",
            workflow=workflow_id)
        return
    log("INFO", f"workflows: {workflow_id} succeeded for event {event['id']}: {json.dumps(result)[:500]}",
        workflow=workflow_id)


def make_app(sources: dict[str, Path], project: str, reload: bool = False) -> FastAPI:
    """The server for `sources`; each workflow is read and checked once (parsing and validating
    one takes ~40 ms of CPU), or for every execution with `reload` (while editing the YAML)."""
    configs = {name: load_workflow(str(path)) for name, path in sources.items()}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    os.environ["GOOGLE_CLOUD_PROJECT_ID"] = project

    def source_of(workflow_id: str) -> Path:
        if workflow_id not in sources:
            raise HTTPException(404, f"no workflow {workflow_id!r}; served: {sorted(sources)}")
        return sources[workflow_id]

    @app.get("/healthz")
    def healthz() -> dict[str, list[str]]:
        return {"workflows": sorted(sources)}

    @app.post(EXECUTIONS)
    def execute(body: WorkflowExecutionRequest, project_ref: str, location: str, workflow_id: str) -> Any:
        return default_handler_clousure(str(source_of(workflow_id)))(body, project_ref, location, workflow_id)

    @app.post("/triggers/{workflow_id}", status_code=204)
    async def trigger(workflow_id: str, topic: str, request: Request) -> Response:
        source = source_of(workflow_id)
        loaded = load_workflow(str(source)) if reload else configs[workflow_id]
        try:
            push_body = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "the body is not JSON") from exc
        if not isinstance(push_body, dict) or not isinstance(push_body.get("message"), dict):
            raise HTTPException(400, "not a Pub/Sub push body: no `message`")
        event = cloud_event(push_body, project, topic)
        threading.Thread(target=run_execution, args=(workflow_id, loaded, event), daemon=True,
                         name=f"{workflow_id}-{event['id']}").start()
        return Response(status_code=204)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflow", action="append", required=True, metavar="NAME=PATH",
                        help="a workflow to serve, by the name its URLs use (repeatable)")
    parser.add_argument("--project", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reload", action="store_true", help="read the YAML again for every execution")
    args = parser.parse_args(argv)
    sources = {name: Path(path) for name, path in (spec.split("=", 1) for spec in args.workflow)}
    missing = [str(path) for path in sources.values() if not path.is_file()]
    if missing:
        print(f"workflows: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    uvicorn.run(make_app(sources, args.project, args.reload), host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
