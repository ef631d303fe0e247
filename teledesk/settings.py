"""Settings from the environment, with a `.env` file at the project root as fallback.

A variable set in the environment wins over `.env` (the contract in ARCHITECTURE.md).
Every process of the desk (functions, relay, stand-in, runner) reads its settings here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from teledesk.telegram.limits import MAX_DOWNLOAD_BYTES

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_API_BASE = "https://api.telegram.org"
DEFAULT_PROJECT = "teledesk-local"
MEDIA_CACHE_BYTES = 128 * 1024 * 1024  # on Cloud Run, of the relay's 512 MiB (the disk is memory)
MAX_BODY_BYTES = 1024 * 1024  # a request's body to the relay (agents' uploads excepted): realtime/bodies.py
# Failed logins allowed (realtime/login_guard.py), in Flask-Limiter's notation ("N/period", ";" between several)
LOGIN_LIMIT_PER_USERNAME = "5/minute;20/hour"
LOGIN_LIMIT_PER_ADDRESS = "30/minute"
STAFF_NOTE_PREFIX = "!"
LOGIN_CONCURRENCY = 4  # password checks at once per relay: each is ~32 MiB of scrypt


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; blank lines and `#` comments are skipped, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def merged_environment(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> dict[str, str]:
    """The `.env` file's values overlaid by the real environment."""
    merged = read_env_file(env_file if env_file is not None else ROOT / ".env")
    merged.update(os.environ if environ is None else environ)
    return merged


@dataclass(frozen=True)
class Settings:
    """What every part of the desk needs to know about its surroundings."""

    project_id: str = DEFAULT_PROJECT
    telegram_bot_token: str = ""
    telegram_api_base: str = TELEGRAM_API_BASE
    telegram_mode: str = "webhook"
    telegram_webhook_secret: str = ""
    desk_admin_password: str = ""
    desk_session_secret: str = ""
    desk_port: int = 8080
    desk_relays: int = 1  # how many relays `make run` starts, on desk_port … desk_port + N - 1
    desk_redis_url: str = ""  # the relays' shared Redis; empty: one relay, its state in its memory
    desk_max_body_bytes: int = MAX_BODY_BYTES
    desk_trusted_proxies: int = 0  # proxies in front of the relay whose X-Forwarded-* it believes
    desk_login_limit_per_username: str = LOGIN_LIMIT_PER_USERNAME
    desk_login_limit_per_address: str = LOGIN_LIMIT_PER_ADDRESS
    desk_login_concurrency: int = LOGIN_CONCURRENCY
    ingest_port: int = 8081
    standin_port: int = 8082
    frontend_dist: Path = field(default=ROOT / "frontend" / "dist")
    group_chats: bool = False
    organisation: str = "teledesk"
    default_language: str = "es"
    business_hours: str = ""
    timezone: str = "UTC"
    max_download_bytes: int = MAX_DOWNLOAD_BYTES
    media_cache_dir: Path = field(default=ROOT / ".teledesk" / "media-cache")
    media_cache_bytes: int = MEDIA_CACHE_BYTES  # the most the media cache keeps (realtime/media_cache.py)
    resolved_policy: str = "reopen"
    desk_theme: Path | None = None  # the organisation's look (realtime/theme.py); None: the built-in one
    desk_metrics: str = "local"  # where the metrics step writes: local (the relay reads the ledger) or cloud
    desk_monitoring_endpoint: str = ""  # host:port of a MetricService without TLS; empty: Google's
    desk_metrics_flush_s: int = 60  # seconds between two writes of one series
    desk_metrics_settle_s: int = 60  # a counted event is rolled up into the sums this long after (docs/metrics.md)
    desk_sla_first_response_s: int = 300  # an opening's first-response SLA (docs/lifecycle.md)
    desk_pending_resolve_s: int = 86400  # a pending conversation this long without a customer message is resolved
    desk_csat: bool = True  # ask for a 1-5 rating in the chat on resolve
    desk_send_lease_s: int = 90  # a sender's claim on one part of an answer (functions/deliver.py)
    desk_outbox_sweep_s: int = 10  # how often the relay hands over answers left in the outbox (realtime/outbox.py)
    desk_staff_chat_id: int | None = None  # the staff forum supergroup (docs/telegram.md); None: off
    desk_staff_note_prefix: str = STAFF_NOTE_PREFIX  # a staff message starting with it is a private note

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
        env = merged_environment(environ, env_file)
        return cls(
            project_id=env.get("GOOGLE_CLOUD_PROJECT") or DEFAULT_PROJECT,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_api_base=(env.get("TELEGRAM_API_BASE") or TELEGRAM_API_BASE).rstrip("/"),
            telegram_mode=env.get("TELEGRAM_MODE") or "webhook",
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            desk_admin_password=env.get("DESK_ADMIN_PASSWORD", ""),
            desk_session_secret=env.get("DESK_SESSION_SECRET", ""),
            desk_port=int(env.get("DESK_PORT") or 8080),
            desk_relays=int(env.get("DESK_RELAYS") or 1),
            desk_redis_url=env.get("DESK_REDIS_URL", ""),
            desk_max_body_bytes=int(env.get("DESK_MAX_BODY_BYTES") or MAX_BODY_BYTES),
            desk_trusted_proxies=int(env.get("DESK_TRUSTED_PROXIES") or 0),
            desk_login_limit_per_username=env.get("DESK_LOGIN_LIMIT_PER_USERNAME") or LOGIN_LIMIT_PER_USERNAME,
            desk_login_limit_per_address=env.get("DESK_LOGIN_LIMIT_PER_ADDRESS") or LOGIN_LIMIT_PER_ADDRESS,
            desk_login_concurrency=int(env.get("DESK_LOGIN_CONCURRENCY") or LOGIN_CONCURRENCY),
            ingest_port=int(env.get("INGEST_PORT") or 8081),
            standin_port=int(env.get("STANDIN_PORT") or 8082),
            frontend_dist=Path(env.get("DESK_FRONTEND_DIST") or ROOT / "frontend" / "dist"),
            max_download_bytes=int(env.get("TELEGRAM_MAX_DOWNLOAD_BYTES") or MAX_DOWNLOAD_BYTES),
            media_cache_dir=Path(env.get("DESK_MEDIA_CACHE") or ROOT / ".teledesk" / "media-cache"),
            media_cache_bytes=int(env.get("DESK_MEDIA_CACHE_BYTES") or MEDIA_CACHE_BYTES),
            organisation=env.get("DESK_ORGANISATION") or "teledesk",
            default_language=env.get("DESK_DEFAULT_LANGUAGE") or "es",
            business_hours=env.get("DESK_BUSINESS_HOURS", ""),
            timezone=env.get("DESK_TIMEZONE") or "UTC",
            group_chats=_switch(env.get("DESK_GROUP_CHATS") or "off"),
            resolved_policy=env.get("DESK_RESOLVED_POLICY") or "reopen",
            desk_theme=_project_path(env.get("DESK_THEME", "")),
            desk_metrics=(env.get("DESK_METRICS") or "local").strip().lower(),
            desk_monitoring_endpoint=env.get("DESK_MONITORING_ENDPOINT", "").strip(),
            desk_metrics_flush_s=int(env.get("DESK_METRICS_FLUSH_S") or 60),
            desk_metrics_settle_s=int(env.get("DESK_METRICS_SETTLE_S") or 60),
            desk_sla_first_response_s=int(env.get("DESK_SLA_FIRST_RESPONSE_S") or 300),
            desk_pending_resolve_s=int(env.get("DESK_PENDING_RESOLVE_S") or 86400),
            desk_csat=_switch(env.get("DESK_CSAT") or "on"),
            desk_send_lease_s=int(env.get("DESK_SEND_LEASE_S") or 90),
            desk_outbox_sweep_s=int(env.get("DESK_OUTBOX_SWEEP_S") or 10),
            desk_staff_chat_id=int(env["DESK_STAFF_CHAT_ID"]) if env.get("DESK_STAFF_CHAT_ID", "").strip() else None,
            desk_staff_note_prefix=env.get("DESK_STAFF_NOTE_PREFIX") or STAFF_NOTE_PREFIX,
        )


def _switch(value: str) -> bool:
    """An on/off setting: on, true, 1 or yes (any case) is on."""
    return value.strip().lower() in ("on", "true", "1", "yes")


def _project_path(value: str) -> Path | None:
    """A path setting: empty is none; a relative one is from the project root, like `.env`,
    whatever directory a process was started in."""
    if not value.strip():
        return None
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else ROOT / path
