"""Every step runs on fake services: no emulator, no network."""

from __future__ import annotations

import pytest
from step_fakes import SECRET, FakePublisher, FakeStore

import functions.ingest
import teledesk.pipeline
from teledesk.manifest import load_manifest
from teledesk.pipeline import Services
from teledesk.settings import Settings

MANIFEST = load_manifest()  # the real pipeline.yaml; frozen, so every test can share it


@pytest.fixture
def svc(monkeypatch: pytest.MonkeyPatch) -> Services:
    """This test's services, handed to every step in place of `teledesk.pipeline.services()`."""
    services = Services(
        Settings(telegram_webhook_secret=SECRET, telegram_bot_token="123456:TEST-token",
                 telegram_api_base="http://telegram.invalid"),
        MANIFEST, FakePublisher(), FakeStore(),  # type: ignore[arg-type]
    )
    monkeypatch.setattr(teledesk.pipeline, "services", lambda: services)  # event steps look it up per call
    monkeypatch.setattr(functions.ingest, "services", lambda: services)  # ingest imported the name itself
    return services
