"""The three runs: the whole desk, and its two floors. Each starts what it needs and stops it.

Every scenario is a context manager that yields where to post (webhook URL) and where to
listen (Socket.IO base URL, and a session cookie when the listener must log in). Everything a
scenario starts is a `Child` (its own process group) or the Desk, stopped on the way out,
whatever happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import requests
from google.api_core import exceptions as gexc
from google.cloud import pubsub_v1

from bench import lifecycle
from bench.chain import Path as MessagePath
from bench.chain import floor_manifest
from bench.client import login
from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import Child, free_port, free_port_run, http_ok, port_open
from devtools.runner.topology import create_topology
from teledesk.manifest import Manifest, load_manifest
from teledesk.settings import ROOT, Settings

BENCH_DIR = Path(__file__).resolve().parent
READY_TIMEOUT_S = 60
TAP_WAIT_S = 3


@dataclass(frozen=True)
class Target:
    webhook_url: str
    socket_url: str
    secret: str
    cookie: str | None = None
    # Full traces by envelope id, read after the run, when the emitted event's trace is partial.
    traces: Callable[[], dict[str, dict[str, float]]] | None = None
    admin_password: str = ""  # the full desk's, for the console's first-screen figures
    desk: Desk | None = None  # the full desk's processes (relays, their ports and URLs)


class TraceTap:
    """A pull subscription on the relay's topic, read only after the run: every envelope's full trace.

    The relay emits the message as enrich stored it, whose trace stops at `enrich` (the
    `enrich:out` stamp comes after the handler). The envelope on the topic has it all. Nothing
    pulls the tap while messages flow, so it costs the emulator one more subscription to fill.
    """

    def __init__(self, project_id: str, topic: str):
        self.client = pubsub_v1.SubscriberClient()
        self.path = self.client.subscription_path(project_id, f"bench-tap-{topic}")
        self.client.create_subscription(request={"name": self.path, "topic": f"projects/{project_id}/topics/{topic}",
                                                 "ack_deadline_seconds": 60})

    def traces(self) -> dict[str, dict[str, float]]:
        found: dict[str, dict[str, float]] = {}
        while True:
            try:
                response = self.client.pull(request={"subscription": self.path, "max_messages": 1000},
                                            timeout=TAP_WAIT_S, retry=None)
            except gexc.DeadlineExceeded:
                break
            if not response.received_messages:
                break
            for received in response.received_messages:
                with contextlib.suppress(ValueError, AttributeError):
                    envelope = json.loads(received.message.data)
                    found[str(envelope["id"])] = dict(envelope.get("trace") or {})
            self.client.acknowledge(request={"subscription": self.path,
                                             "ack_ids": [r.ack_id for r in response.received_messages]})
        return found

    def close(self) -> None:
        with contextlib.suppress(gexc.GoogleAPICallError):
            self.client.delete_subscription(request={"subscription": self.path})
        self.client.close()


def _environment(emulators: Emulators, project_id: str, **extra: str) -> dict[str, str]:
    return {**os.environ, **emulators.environment, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            "GOOGLE_CLOUD_PROJECT": project_id, **extra}


def _functions_framework(source: Path, target: str, port: int) -> list[str]:
    return [sys.executable, "-m", "functions_framework", "--source", str(source), "--target", target,
            "--host", "127.0.0.1", "--port", str(port)]


@contextlib.contextmanager
def _children() -> Iterator[list[Child]]:
    children: list[Child] = []
    try:
        yield children
    finally:
        with lifecycle.uninterrupted():
            for child in reversed(children):
                try:
                    child.stop()
                except Exception as exc:  # stop the others anyway; lifecycle.sweep() is the last net
                    print(f"could not stop {child.name}: {exc!r}", file=sys.stderr)


def _start(children: list[Child], name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> Child:
    with lifecycle.uninterrupted():
        child = Child(name, argv, env, log_dir, cwd=ROOT)
        children.append(child)
    return child


def purge_project(emulators: Emulators, project_id: str) -> None:
    """Delete every subscription and topic of `project_id` on the Pub/Sub emulator, and its Firestore
    data: a backlog left by one run cannot be pushed or pulled during the next one."""
    os.environ.update(emulators.environment)
    subscriber, publisher = pubsub_v1.SubscriberClient(), pubsub_v1.PublisherClient()
    project = f"projects/{project_id}"
    try:
        for subscription in subscriber.list_subscriptions(request={"project": project}):
            with contextlib.suppress(gexc.NotFound):
                subscriber.delete_subscription(request={"subscription": subscription.name})
        for topic in publisher.list_topics(request={"project": project}):
            with contextlib.suppress(gexc.NotFound):
                publisher.delete_topic(request={"topic": topic.name})
        host = emulators.environment["FIRESTORE_EMULATOR_HOST"]
        requests.delete(f"http://{host}/emulator/v1/projects/{project_id}/databases/(default)/documents",
                        timeout=30).raise_for_status()
    except (gexc.GoogleAPICallError, requests.RequestException) as exc:
        print(f"could not clear {project_id} on the emulators: {exc!r}", file=sys.stderr)
    finally:
        subscriber.close()
        with contextlib.suppress(AttributeError):
            publisher.stop()


@contextlib.contextmanager
def direct_floor(emulators: Emulators, project_id: str, log_dir: Path) -> Iterator[Target]:
    """Webhook POST → a Flask-SocketIO app that emits at once."""
    secret = secrets.token_urlsafe(24)
    port = free_port()
    with _children() as children:
        relay = _start(children, "direct-floor", [sys.executable, "-m", "bench.floor_relay", "--port", str(port),
                                                  "direct", "--secret", secret],
                       _environment(emulators, project_id), log_dir)
        relay.wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/health"), READY_TIMEOUT_S)
        url = f"http://127.0.0.1:{port}/"
        yield Target(url, url, secret)


@contextlib.contextmanager
def hops_floor(emulators: Emulators, project_id: str, log_dir: Path, manifest: Manifest,
               path: MessagePath) -> Iterator[Target]:
    """The desk's topics and push subscriptions (under `bench-` names) with steps that do nothing."""
    secret = secrets.token_urlsafe(24)
    floor = floor_manifest(manifest, path)
    ports = {step.name: free_port() for step in floor.steps}
    os.environ.update(emulators.environment)  # this process creates the topology
    create_topology(project_id, floor, {name: f"http://127.0.0.1:{port}/" for name, port in ports.items()})
    source = BENCH_DIR / "floor_steps.py"
    webhook_port, relay_port = free_port(), free_port()
    with _children() as children:
        webhook = floor.http[0]
        listening: list[tuple[Child, int]] = []

        def start(name: str, target: str, port: int, **extra: str) -> None:
            child = _start(children, name, _functions_framework(source, target, port),
                           _environment(emulators, project_id, **extra), log_dir)
            listening.append((child, port))

        start(webhook.name, "ingest", webhook_port, BENCH_STEP=path.webhook.name,
              BENCH_TOPIC_OUT=webhook.topic_out, BENCH_SECRET=secret)
        for real, step in zip(path.steps, floor.steps, strict=True):
            start(step.name, "noop", ports[step.name], BENCH_STEP=real.name, BENCH_TOPIC_OUT=step.topic_out)
        relay = _start(children, "hops-floor-relay", [sys.executable, "-m", "bench.floor_relay", "--port",
                                                      str(relay_port), "pull"],
                       _environment(emulators, project_id), log_dir)
        for child, port in listening:
            child.wait_until(lambda port=port: port_open(port), READY_TIMEOUT_S)
        relay.wait_until(lambda: http_ok(f"http://127.0.0.1:{relay_port}/health"), READY_TIMEOUT_S)
        yield Target(f"http://127.0.0.1:{webhook_port}/", f"http://127.0.0.1:{relay_port}/", secret)


@contextlib.contextmanager
def full_desk(emulators: Emulators, project_id: str, log_dir: Path, path: MessagePath, relays: int = 1,
              tap_traces: bool = True, without: tuple[str, ...] = ()) -> Iterator[Target]:
    """The real Desk on the shared emulators, listened to by a logged-in agent.

    `relays` > 1 starts that many relays (on consecutive ports) on a redis-server of the desk's
    own; `tap_traces=False` skips the trace tap when only arrival times matter; `without` names
    manifest steps left out (a branch, to measure what it costs the path).
    """
    settings = Settings(
        project_id=project_id,
        telegram_webhook_secret=secrets.token_urlsafe(24),
        desk_admin_password=secrets.token_urlsafe(12),
        desk_session_secret=secrets.token_hex(32),
        desk_port=free_port_run(relays),
        desk_relays=relays,
        ingest_port=free_port(),
        standin_port=free_port(),
    )
    manifest = load_manifest()
    manifest = replace(manifest, steps=tuple(step for step in manifest.steps if step.name not in without))
    desk = Desk(settings, log_dir=log_dir, emulators=emulators, manifest=manifest)
    tap: TraceTap | None = None
    try:
        desk.start()  # stops what it started if it fails
        if tap_traces:
            tap = TraceTap(project_id, path.relay_topic)
        cookie = login(desk.console_url, settings.desk_admin_password)
        yield Target(desk.webhook_url, desk.console_url, settings.telegram_webhook_secret, cookie,
                     tap.traces if tap is not None else None, admin_password=settings.desk_admin_password,
                     desk=desk)
    finally:
        with lifecycle.uninterrupted():
            desk.stop()  # again after a failed start: stopping twice is harmless
            if tap is not None:
                tap.close()
