"""A desk of a module's own with the lifecycle's timers shrunk to seconds (its own project on the
shared emulators, so its breaches and ratings do not mix with the session desk's)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from leaks import marked_secrets
from support import TEST_DESK_SETTINGS

from devtools.runner.desk import Desk
from devtools.runner.emulators import Emulators
from devtools.runner.processes import free_port
from teledesk.settings import Settings

SLA_S = 3
PENDING_S = 4
REST_S = "1"  # DESK_LIFECYCLE_REST_S: a failed call to the timers step is asked again soon


def lifecycle_settings(project_id: str) -> Settings:
    return Settings(project_id=project_id, **marked_secrets(project_id), desk_port=free_port(),
                    ingest_port=free_port(), standin_port=free_port(), desk_sla_first_response_s=SLA_S,
                    desk_pending_resolve_s=PENDING_S, **TEST_DESK_SETTINGS)


@contextmanager
def lifecycle_desk(emulators: Emulators, settings: Settings, log_dir: Path) -> Iterator[Desk]:
    rest = os.environ.get("DESK_LIFECYCLE_REST_S")
    os.environ["DESK_LIFECYCLE_REST_S"] = REST_S
    running = Desk(settings, log_dir=log_dir, emulators=emulators).start()
    try:
        yield running
    finally:
        running.stop()
        if rest is None:
            os.environ.pop("DESK_LIFECYCLE_REST_S", None)
        else:
            os.environ["DESK_LIFECYCLE_REST_S"] = rest


def lifecycle_desk_fixtures(project_id: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """A module's `desk_settings` and `desk` fixtures, overriding the session's: assign both to
    those names in the test module."""

    @pytest.fixture(scope="module")
    def desk_settings() -> Settings:
        return lifecycle_settings(project_id)

    @pytest.fixture(scope="module")
    def desk(emulators: Emulators, desk_settings: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
        with lifecycle_desk(emulators, desk_settings, tmp_path_factory.mktemp(f"{project_id}-logs")) as running:
            yield running

    return desk_settings, desk
