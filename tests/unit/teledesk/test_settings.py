import os
import stat
from pathlib import Path

import pytest

from devtools.runner.desk import Desk, with_standin_staff_forum
from devtools.runner.emulators import Emulators
from devtools.runner.secrets import ensure_local_secrets
from devtools.standin.forum import STAFF_GROUP_ID
from teledesk.settings import TELEGRAM_API_BASE, Settings


def test_environment_wins_over_env_file(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nDESK_PORT=9000\nexport INGEST_PORT='9001'\nTELEGRAM_MODE=polling\n")
    settings = Settings.from_env({"DESK_PORT": "7000"}, env_file)
    assert (settings.desk_port, settings.ingest_port, settings.telegram_mode) == (7000, 9001, "polling")


def test_defaults_follow_the_contract(tmp_path: Path):
    settings = Settings.from_env({}, tmp_path / "missing.env")
    assert (settings.desk_port, settings.ingest_port, settings.standin_port) == (8080, 8081, 8082)
    assert settings.telegram_api_base == TELEGRAM_API_BASE and settings.telegram_mode == "webhook"
    metrics = (settings.desk_metrics, settings.desk_monitoring_endpoint, settings.desk_metrics_flush_s)
    assert metrics == ("local", "", 60)


def test_the_metrics_settings_are_read(tmp_path: Path):
    settings = Settings.from_env({"DESK_METRICS": "cloud", "DESK_MONITORING_ENDPOINT": "127.0.0.1:9999",
                                  "DESK_METRICS_FLUSH_S": "5"}, tmp_path / "missing.env")
    assert (settings.desk_metrics, settings.desk_monitoring_endpoint, settings.desk_metrics_flush_s) == (
        "cloud", "127.0.0.1:9999", 5)


def test_secrets_are_generated_once_and_kept(tmp_path: Path, monkeypatch):
    for name in ("TELEGRAM_WEBHOOK_SECRET", "DESK_ADMIN_PASSWORD", "DESK_SESSION_SECRET"):
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    assert len(ensure_local_secrets(env_file)) == 3
    first = env_file.read_text()
    assert ensure_local_secrets(env_file) == []
    assert env_file.read_text() == first
    assert Settings.from_env({}, env_file).telegram_webhook_secret


def test_the_env_file_is_its_owners_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("TELEGRAM_WEBHOOK_SECRET", "DESK_ADMIN_PASSWORD", "DESK_SESSION_SECRET"):
        monkeypatch.delenv(name, raising=False)
    previous = os.umask(0o022)  # the usual umask: a file made by open() is readable by everyone
    try:
        created, older = tmp_path / "new.env", tmp_path / "older.env"
        older.write_text("TELEGRAM_BOT_TOKEN=42:T\n")
        assert stat.S_IMODE(older.stat().st_mode) == 0o644
        ensure_local_secrets(created)
        ensure_local_secrets(older)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(created.stat().st_mode) == 0o600
    assert stat.S_IMODE(older.stat().st_mode) == 0o600


def test_the_local_desk_hands_the_metrics_settings_to_its_children(tmp_path: Path):
    settings = Settings(desk_metrics="cloud", desk_monitoring_endpoint="127.0.0.1:9999", desk_metrics_flush_s=7,
                        telegram_bot_token="123:t")
    desk = Desk(settings, tmp_path, emulators=Emulators(tmp_path))
    environment = desk.environment()
    assert (environment["DESK_METRICS"], environment["DESK_MONITORING_ENDPOINT"],
            environment["DESK_METRICS_FLUSH_S"]) == ("cloud", "127.0.0.1:9999", "7")


def test_the_media_cache_keeps_128_mib_unless_told(tmp_path: Path):
    assert Settings.from_env({}, tmp_path / "missing.env").media_cache_bytes == 128 * 1024 * 1024
    assert Settings.from_env({"DESK_MEDIA_CACHE_BYTES": "1000"}, tmp_path / "missing.env").media_cache_bytes == 1000


def test_the_login_limits_are_read_and_default_to_a_few_failures(tmp_path: Path):
    defaults = Settings.from_env({}, tmp_path / "missing.env")
    assert (defaults.desk_login_limit_per_username, defaults.desk_login_limit_per_address,
            defaults.desk_login_concurrency) == ("5/minute;20/hour", "30/minute", 4)
    told = Settings.from_env({"DESK_LOGIN_LIMIT_PER_USERNAME": "3/2 seconds", "DESK_LOGIN_LIMIT_PER_ADDRESS": "9/hour",
                              "DESK_LOGIN_CONCURRENCY": "2"}, tmp_path / "missing.env")
    assert (told.desk_login_limit_per_username, told.desk_login_limit_per_address,
            told.desk_login_concurrency) == ("3/2 seconds", "9/hour", 2)
    environment = Desk(told, tmp_path, emulators=Emulators(tmp_path)).environment()
    assert (environment["DESK_LOGIN_LIMIT_PER_USERNAME"], environment["DESK_LOGIN_LIMIT_PER_ADDRESS"],
            environment["DESK_LOGIN_CONCURRENCY"]) == ("3/2 seconds", "9/hour", "2")


def test_the_body_limit_and_the_trusted_proxies_reach_the_relay_the_runner_starts(tmp_path: Path):
    told = Settings.from_env({"DESK_MAX_BODY_BYTES": "2048", "DESK_TRUSTED_PROXIES": "2"}, tmp_path / "missing.env")
    environment = Desk(told, tmp_path, emulators=Emulators(tmp_path)).environment()
    assert (environment["DESK_MAX_BODY_BYTES"], environment["DESK_TRUSTED_PROXIES"]) == ("2048", "2")


def test_the_staff_forum_reaches_every_child_and_make_run_uses_the_stand_in_s_unless_told(tmp_path: Path):
    told = Settings.from_env({"DESK_STAFF_CHAT_ID": "-1001", "DESK_STAFF_NOTE_PREFIX": "#"}, tmp_path / "missing.env")
    environment = Desk(told, tmp_path, emulators=Emulators(tmp_path)).environment()
    assert (environment["DESK_STAFF_CHAT_ID"], environment["DESK_STAFF_NOTE_PREFIX"]) == ("-1001", "#")
    assert Desk(Settings(), tmp_path, emulators=Emulators(tmp_path)).environment()["DESK_STAFF_CHAT_ID"] == ""
    assert with_standin_staff_forum(Settings(), {}).desk_staff_chat_id == STAFF_GROUP_ID
    assert with_standin_staff_forum(Settings(), {"DESK_STAFF_CHAT_ID": ""}).desk_staff_chat_id is None  # off
    assert with_standin_staff_forum(told, {"DESK_STAFF_CHAT_ID": "-1001"}).desk_staff_chat_id == -1001
    real_bot = Settings(telegram_bot_token="123:t")
    assert with_standin_staff_forum(real_bot, {}).desk_staff_chat_id is None  # a real bot needs a real group
