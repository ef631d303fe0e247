"""The whole desk on one machine: emulators, one functions-framework per step, relay, stand-in.

The wiring is production's: topics and push subscriptions from the manifest, each step a
separate process reached only through Pub/Sub. `make run` and the integration tests both use
this class; tests pass their own free ports and share one pair of emulators.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import requests

from devtools.runner.emulators import Emulators
from devtools.runner.processes import Child, free_port, http_ok, port_open
from devtools.runner.redis_server import RedisServer
from devtools.runner.topology import create_topology
from devtools.runner.workflows_server import WorkflowsServer
from devtools.standin.forum import STAFF_GROUP_ID
from teledesk.manifest import Manifest, load_manifest
from teledesk.settings import ROOT, Settings
from teledesk.telegram.bot import shared_bot

STANDIN_TOKEN = "123456789:teledesk-local-standin"
RESTART_PAUSE_S = 2.0
SUPERVISE_EVERY_S = 1.0  # how often `make run` (and the chaos test) looks for a process that died

log = logging.getLogger("devtools.runner")


def with_standin_staff_forum(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """`make run` with the stand-in and DESK_STAFF_CHAT_ID not set at all: the stand-in's staff
    forum, so a newcomer sees each conversation's topic. Set empty, it stays off."""
    if settings.telegram_bot_token or "DESK_STAFF_CHAT_ID" in environ:
        return settings
    return replace(settings, desk_staff_chat_id=STAFF_GROUP_ID)


@dataclass
class Desk:
    settings: Settings
    log_dir: Path
    emulators: Emulators | None = None
    manifest: Manifest = field(default_factory=load_manifest)
    children: list[Child] = field(default_factory=list)
    step_ports: dict[str, int] = field(default_factory=dict)
    workflows: WorkflowsServer | None = None  # the manifest's workflows, when it has any
    redis_url: str = ""  # DESK_REDIS_URL, or the local redis-server's when several relays need one
    _own_emulators: bool = False
    _restarted_at: dict[str, float] = field(default_factory=dict)
    _children_lock: threading.RLock = field(default_factory=threading.RLock)  # the supervisor and its callers

    @property
    def uses_standin(self) -> bool:
        return not self.settings.telegram_bot_token

    @property
    def relay_ports(self) -> list[int]:
        return [self.settings.desk_port + i for i in range(max(1, self.settings.desk_relays))]

    @property
    def relay_names(self) -> list[str]:
        """`relay`, then `relay-2` … `relay-N`: the processes and their log files."""
        return ["relay" if i == 0 else f"relay-{i + 1}" for i in range(len(self.relay_ports))]

    @property
    def console_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}/" for port in self.relay_ports]

    @property
    def console_url(self) -> str:
        return self.console_urls[0]

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.ingest_port}/"

    @property
    def standin_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.standin_port}/"

    def _effective_settings(self) -> Settings:
        if self.uses_standin:
            return replace(self.settings, telegram_bot_token=STANDIN_TOKEN,
                           telegram_api_base=self.standin_url.rstrip("/"))
        return self.settings

    def environment(self) -> dict[str, str]:
        """What every child process reads its settings from."""
        s = self._effective_settings()
        assert self.emulators is not None
        return {
            **os.environ,
            **self.emulators.environment,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "GOOGLE_CLOUD_PROJECT": s.project_id,
            "TELEGRAM_BOT_TOKEN": s.telegram_bot_token,
            "TELEGRAM_API_BASE": s.telegram_api_base,
            "TELEGRAM_MODE": s.telegram_mode,
            "TELEGRAM_WEBHOOK_SECRET": s.telegram_webhook_secret,
            "DESK_ADMIN_PASSWORD": s.desk_admin_password,
            "DESK_SESSION_SECRET": s.desk_session_secret,
            "DESK_PORT": str(s.desk_port),
            "DESK_REDIS_URL": self.redis_url,
            "DESK_LOGIN_LIMIT_PER_USERNAME": s.desk_login_limit_per_username,
            "DESK_LOGIN_LIMIT_PER_ADDRESS": s.desk_login_limit_per_address,
            "DESK_LOGIN_CONCURRENCY": str(s.desk_login_concurrency),
            "DESK_MAX_BODY_BYTES": str(s.desk_max_body_bytes),
            "DESK_TRUSTED_PROXIES": str(s.desk_trusted_proxies),
            "INGEST_PORT": str(s.ingest_port),
            "STANDIN_PORT": str(s.standin_port),
            "DESK_FRONTEND_DIST": str(s.frontend_dist),
            "DESK_THEME": str(s.desk_theme or ""),
            "DESK_METRICS": s.desk_metrics,
            "DESK_MONITORING_ENDPOINT": s.desk_monitoring_endpoint,
            "DESK_METRICS_FLUSH_S": str(s.desk_metrics_flush_s),
            "DESK_METRICS_SETTLE_S": str(s.desk_metrics_settle_s),
            "DESK_SLA_FIRST_RESPONSE_S": str(s.desk_sla_first_response_s),
            "DESK_PENDING_RESOLVE_S": str(s.desk_pending_resolve_s),
            "DESK_CSAT": "on" if s.desk_csat else "off",
            "DESK_SEND_LEASE_S": str(s.desk_send_lease_s),
            "DESK_OUTBOX_SWEEP_S": str(s.desk_outbox_sweep_s),
            "DESK_STAFF_CHAT_ID": str(s.desk_staff_chat_id) if s.desk_staff_chat_id is not None else "",
            "DESK_STAFF_NOTE_PREFIX": s.desk_staff_note_prefix,
            **self.workflow_step_urls(),
        }

    def workflow_step_urls(self) -> dict[str, str]:
        """What the workflows find their steps by (each step's `url_env`): the local functions."""
        return {step.url_env: f"http://127.0.0.1:{self.step_ports[step.name]}/"
                for step in self.manifest.workflow_steps if step.url_env and step.name in self.step_ports}

    def _start(self, name: str, argv: list[str], ready_port: int | None = None) -> Child:
        child = Child(name, argv, self.environment(), self.log_dir, cwd=ROOT)
        with self._children_lock:
            self.children.append(child)
        if ready_port is not None:
            child.wait_until(lambda: port_open(ready_port), timeout=60)
        return child

    def start(self) -> Desk:
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_all(self) -> None:
        if self.emulators is None:
            self.emulators = Emulators(self.log_dir).start(self.settings.project_id)
            self._own_emulators = True
        os.environ.update(self.emulators.environment)  # this process creates the topology
        self.step_ports = {step.name: free_port() for step in self.manifest.steps + self.manifest.workflow_steps}
        if self.manifest.workflows:
            self.workflows = WorkflowsServer.of(self.manifest.workflows, self.settings.project_id)
        self.redis_url = self.settings.desk_redis_url
        if len(self.relay_ports) > 1 and not self.redis_url:
            redis = RedisServer(self.log_dir)
            self._start("redis", redis.argv(), ready_port=redis.port)
            self.redis_url = redis.url
        create_topology(
            self.settings.project_id, self.manifest,
            {step.name: f"http://127.0.0.1:{self.step_ports[step.name]}/" for step in self.manifest.steps},
            {w.name: self.workflows.trigger_url(w.name, w.trigger_topic) for w in self.manifest.workflows}
            if self.workflows else None,
        )
        if self.uses_standin:
            self._start("standin", [sys.executable, "-m", "devtools.standin", "--port",
                                    str(self.settings.standin_port), "--token", STANDIN_TOKEN],
                        ready_port=self.settings.standin_port)
        ports = {**self.step_ports, **{step.name: self.settings.ingest_port for step in self.manifest.http}}
        for step in self.manifest.functions:
            self._start(step.name, [sys.executable, "-m", "functions_framework", "--source", str(step.source_path),
                                    "--target", step.entry_point, "--host", "127.0.0.1", "--port",
                                    str(ports[step.name])])
        if self.workflows is not None:
            workflows = self._start("workflows", self.workflows.argv())
            workflows.wait_until(functools.partial(http_ok, self.workflows.health_url), timeout=60)
        relays = [self._start(name, self.relay_argv(port)) for name, port in zip(self.relay_names, self.relay_ports,
                                                                                  strict=True)]
        for child in self.children:
            port = ports.get(child.name)
            if port is not None:
                child.wait_until(functools.partial(port_open, port), timeout=60)
        self._connect_telegram()  # before the relay's first health check reads getWebhookInfo
        for relay, port in zip(relays, self.relay_ports, strict=True):
            relay.wait_until(functools.partial(relay_healthy, port), timeout=60)

    @staticmethod
    def relay_argv(port: int) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "-c", "python:realtime.gunicorn_conf",
                "--bind", f"127.0.0.1:{port}", "realtime.wsgi:app"]

    def _connect_telegram(self) -> None:
        """Point Telegram (or the stand-in) at the webhook, or start polling it (through this
        process's one Bot: a refusal raises python-telegram-bot's error, without the token)."""
        s = self._effective_settings()
        telegram = shared_bot(s.telegram_bot_token, s.telegram_api_base)
        if s.telegram_mode == "polling":
            telegram.run(lambda bot: bot.delete_webhook(read_timeout=10))
            self._start("poller", [sys.executable, "-m", "teledesk.telegram.polling"])
        elif self.uses_standin:
            telegram.run(lambda bot: bot.set_webhook(
                url=self.webhook_url, secret_token=s.telegram_webhook_secret,
                allowed_updates=list(self.manifest.allowed_updates), read_timeout=10))
        else:
            log.warning("Telegram cannot reach %s: set TELEGRAM_MODE=polling to develop with a real bot locally",
                        self.webhook_url)

    def child(self, name: str) -> Child:
        with self._children_lock:
            return next(c for c in self.children if c.name == name)

    def restart(self, name: str, *, wait_for_port: int | None = None) -> Child:
        """Stop one process and start it again with the same command (a crash and a redeploy)."""
        with self._children_lock:
            old = self.child(name)
            old.stop()
            self.children.remove(old)
            new = self._start(name, old.argv)
        if wait_for_port is not None:
            new.wait_until(lambda: port_open(wait_for_port), timeout=60)
        return new

    def restart_dead(self, *, pause_s: float = RESTART_PAUSE_S) -> list[str]:
        """Start again every process that died (as Cloud Run and Cloud Functions would), each at
        most once per `pause_s`; the names of those started again."""
        restarted = []
        now = time.monotonic()
        with self._children_lock:
            children = list(self.children)
        for child in children:
            if child.process.poll() is None or now - self._restarted_at.get(child.name, -pause_s) < pause_s:
                continue
            log.warning("%s exited with %s; starting it again (%s)", child.name, child.process.returncode,
                        child.where)
            self._restarted_at[child.name] = now
            self.restart(child.name)
            restarted.append(child.name)
        return restarted

    def supervise(self, stop: threading.Event, every_s: float = SUPERVISE_EVERY_S) -> None:
        """Start again what dies (`restart_dead`) until `stop` is set: what `make run` does while
        the desk runs, and what the chaos test runs beside the desk it kills processes of."""
        while not stop.wait(every_s):
            self.restart_dead()

    def stop(self) -> None:
        with self._children_lock:
            for child in reversed(self.children):
                child.stop()
            self.children.clear()
        if self._own_emulators and self.emulators is not None:
            self.emulators.stop()
            self.emulators = None


def relay_healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False
